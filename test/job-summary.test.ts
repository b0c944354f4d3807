import MarkdownIt from "markdown-it";
import { describe, expect, it } from "vitest";
import type { AuditResult } from "../src/audit-result.js";
import { evaluateAudit } from "../src/audit.js";
import type { Finding } from "../src/findings.js";
import { planAnnotations } from "../src/github/annotations.js";
import {
  accountKey,
  ISSUE_BODY_LIMIT,
  readMarker,
  renderIssue,
  renderOwnerIssue,
} from "../src/github/issue-content.js";
import { planIssueOperations } from "../src/github/issue-plan.js";
import { renderJobSummary } from "../src/github/job-summary.js";
import { escapeMarkdown, markdownTable, sentenceMarkdown } from "../src/github/markdown.js";
import { githubCause } from "../src/error-description.js";
import { findingKey } from "../src/changes.js";
import { buildHistory } from "../src/remediation-history.js";
import { markdownDefects } from "./support/rendered-markdown.js";
import { resolveOwners } from "../src/github/owners.js";
import type { AccountRecord, Inventory } from "../src/inventory.js";
import { evaluateInventory } from "../src/rules/evaluate.js";

const HOSTILE = [
  "<img src=x onerror=alert(1)>",
  "| **pwned** |",
  "[click](javascript:alert(1))",
  "line\nbreak",
  "`code`",
];

function inventoryOf(count: number, name: (index: number) => string): Inventory {
  const accounts: AccountRecord[] = Array.from({ length: count }, (_, index) => {
    const id = String(100_000_000_000 + index);
    const covered = index % 3 === 0;
    return {
      id,
      name: name(index),
      state: "ACTIVE",
      outcome: index % 7 === 0 ? "failed" : "read",
      ...(index % 7 === 0
        ? {
            failure: { kind: "access-denied", call: "STS.AssumeRole", role: "role", code: "AccessDenied" } as const,
          }
        : {}),
      regions: [{ region: "us-east-1", outcome: "read" }],
      trails: [
        {
          arn: `arn:aws:cloudtrail:eu-west-1:${id}:trail/${covered ? "multi" : "eu-only"}`,
          name: `${name(index)}-trail`,
          homeRegion: "eu-west-1",
          ownerAccountId: id,
          isMultiRegionTrail: covered,
          includeGlobalServiceEvents: true,
          isOrganizationTrail: false,
          status: { isLogging: true },
          selectors: { eventSelectors: [{ readWriteType: "All" }], advancedEventSelectors: [] },
        },
      ],
      durationMs: 10,
    };
  });
  return {
    schemaVersion: 2,
    generatedAt: "2026-11-26T00:00:00.000Z",
    partition: "aws",
    globalEventsRegion: "us-east-1",
    organizationTrails: [],
    accounts,
    durationMs: 1000,
  };
}

function auditOf(inventory: Inventory): AuditResult {
  return evaluateAudit(inventory);
}

describe("escaping organization-supplied strings", () => {
  it.each(HOSTILE)("shows %j as text: no HTML, no Markdown, no table break", (name) => {
    const escaped = escapeMarkdown(name);
    expect(escaped).not.toMatch(/<[a-z]/i);
    expect(escaped).not.toMatch(/(^|[^\\])\|/);
    expect(escaped).not.toMatch(/(^|[^\\])\*\*/);
    expect(escaped).not.toMatch(/(^|[^\\])\[/);
    expect(escaped).not.toContain("\n");
  });

  // What a reader sees is the rendered text, so render with a real CommonMark + GFM-tables
  // parser and compare that text with the input, character for character.
  const RENDER_CASES = [
    ...HOSTILE,
    "Alice's sandbox",
    'R&D "prod"',
    "&amp; &#39; &lt;b&gt; &copy;",
    "#1 _under_ ~strike~ 1. item",
    "back\\slash \\* star",
    "<!-- comment --> </td>",
    "https://example.com/a_b",
  ];
  const markdown = new MarkdownIt("commonmark").enable("table");
  const renderedText = (html: string) =>
    html
      .replace(/<\/?(p|table|thead|tbody|tr|th|td)>/g, "")
      .trim()
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&amp;/g, "&");

  it.each(RENDER_CASES)("renders %j as exactly that text, in a paragraph and in a table cell", (name) => {
    const expected = name.replace(/\r?\n|\r/g, " ");
    const paragraph = markdown.render(escapeMarkdown(name));
    expect(paragraph).not.toMatch(/<(?!\/?p>)/);
    // Invisible zero-width spaces keep "#1", "@x" and URLs inert (escapeMarkdown); the text reads the same.
    expect(renderedText(paragraph).replaceAll("\u200B", "")).toBe(expected);
    const table = markdown.render(markdownTable(["Account", "Note"], [[escapeMarkdown(name), "x"]]));
    const cells = [...table.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((match) => match[1]!);
    expect(cells).toHaveLength(2);
    expect(cells[0]).not.toMatch(/</);
    expect(renderedText(cells[0]!).replaceAll("\u200B", "")).toBe(expected.trim());
  });

  it("keeps every summary table row to its columns whatever the names", () => {
    const summary = renderJobSummary({
      result: auditOf(inventoryOf(HOSTILE.length * 3, (index) => HOSTILE[index % HOSTILE.length]!)),
    });
    expect(summary).not.toContain("<img");
    const tableRows = summary.split("\n").filter((line) => line.startsWith("| ") && !line.startsWith("| ---"));
    expect(tableRows.length).toBeGreaterThan(HOSTILE.length);
    // An unescaped pipe splits a row: every row has 5 (findings), 4 (the plan's causes, which name example accounts), 3 (not assessed) or 2 (compliant) cells.
    const cells = (text: string) => text.split(/(?<!\\)\|/).length - 2;
    for (const row of tableRows) expect([5, 4, 3, 2]).toContain(cells(row));
    expect(tableRows.filter((row) => cells(row) === 4).length).toBeGreaterThan(0);
  });
});

describe("the job summary", () => {
  it("has the headline counts, the findings with owners, not-assessed reasons, and compliant accounts folded", () => {
    const result = auditOf(inventoryOf(10, (index) => `acct-${index}`));
    const summary = renderJobSummary({ result, owners: new Map([["100000000001", ["alice"]]]) });
    const { summary: counts } = result;
    expect(summary).toContain(
      `**${counts.accountsScanned}** accounts scanned: **${counts.compliant}** compliant, ` +
        `**${counts.noncompliant}** non-compliant, **${counts.notAssessed}** not assessed`,
    );
    expect(summary).toMatch(
      /\| acct-1 \(100000000001\) \| @\u200Balice \| error: `cloudtrail\/global-events-not-recorded`/,
    );
    expect(summary).toContain("could not assume role: AccessDenied");
    expect(summary).toMatch(/<details><summary>\d+ compliant accounts<\/summary>/);
  });

  it("stays under GitHub's 1 MiB limit at 10,000 accounts and says how many rows it left out and where they are", () => {
    const result = auditOf(inventoryOf(10_000, (index) => `a-rather-long-account-name-for-workload-number-${index}`));
    const summary = renderJobSummary({ result, reportFile: "org-trail-audit.json" });
    expect(Buffer.byteLength(summary)).toBeLessThan(1024 * 1024);
    const cut =
      /(\d+) more rows were left out to keep the summary under GitHub's 1 MiB limit; the JSON report \(`org-trail-audit.json`\) has the full list/.exec(
        summary,
      );
    expect(cut).not.toBeNull();
    expect(Number(cut![1])).toBeGreaterThan(0);
    expect(summary.trimEnd().endsWith("</details>") || summary.includes("skipped")).toBe(true);
  });
});

describe("the job summary's history at 10,000 accounts", () => {
  it("keeps the headline, the overdue list and the scorecards within GitHub's 1 MiB: the JSON report has the rest", () => {
    const result = auditOf(inventoryOf(10_000, (index) => `a-rather-long-account-name-for-workload-number-${index}`));
    const generatedAt = result.inventory.generatedAt;
    const ages = new Map(
      result.evaluation.findings.map((finding) => [
        findingKey(finding),
        {
          firstSeen: "2026-01-01T00:00:00.000Z",
          source: "code-scanning alert" as const,
          days: 40,
          dueOn: "2026-01-31",
          overdueDays: 9,
        },
      ]),
    );
    const history = buildHistory({
      findings: result.evaluation.findings,
      now: generatedAt,
      noncompliant: result.summary.noncompliant,
      notAssessed: result.summary.notAssessed,
      sources: { ages, missing: [] },
      owners: new Map(result.evaluation.verdicts.map((verdict) => [verdict.accountId, [`owner-${verdict.accountId}`]])),
      remediationDays: { error: 30 },
    });
    const summary = renderJobSummary({ result, history, reportFile: "org-trail-audit.json" });
    expect(Buffer.byteLength(summary)).toBeLessThan(1024 * 1024);
    expect(summary).toContain("## CloudTrail global service events");
    expect(summary).toContain("### Overdue");
    expect(summary).toMatch(/[\d,]+ more rows are in the JSON report \(report-file\)\./);
    expect(history.scorecards.byOwner.length).toBeGreaterThan(5_000);
  });
});

describe("annotations", () => {
  const findings = (level: Finding["level"], count: number): Finding[] =>
    Array.from({ length: count }, (_, index) => ({
      ruleId: "cloudtrail/global-events-not-recorded",
      level,
      cause: "no-trail",
      accountId: String(100_000_000_000 + index),
      accountName: `a${index}`,
      trails: [],
      message: `m${index}`,
      fix: [],
    }));

  it("shows every finding of a kind when GitHub would show them all", () => {
    expect(planAnnotations(findings("warning", 10)).filter((annotation) => annotation.kind === "warning")).toHaveLength(
      10,
    );
  });

  it("shows the first findings by severity and then one annotation saying how many more, within 10 per kind", () => {
    const annotations = planAnnotations([...findings("error", 25), ...findings("note", 3)], 1);
    const errors = annotations.filter((annotation) => annotation.kind === "error");
    expect(errors).toHaveLength(9);
    expect(errors.at(-1)!.title).toBe("17 more error findings");
    expect(errors[0]!.message).toBe("m0");
    expect(annotations.filter((annotation) => annotation.kind === "notice")).toHaveLength(3);
  });
});

describe("issue content and planning", () => {
  const inventory = inventoryOf(3, (index) => `acct-${index}`);
  const result = auditOf(inventory);
  const verdict = result.evaluation.verdicts[1]!;
  const accountFindings = result.evaluation.findings.filter((finding) => finding.accountId === verdict.accountId);

  it("carries a marker with a digest that ignores the run link but follows the content", () => {
    const first = renderIssue({
      verdict,
      findings: accountFindings,
      assignees: ["alice"],
      mentioned: [],
      runUrl: "https://github.com/a/b/actions/runs/1",
    });
    const second = renderIssue({
      verdict,
      findings: accountFindings,
      assignees: ["alice"],
      mentioned: [],
      runUrl: "https://github.com/a/b/actions/runs/2",
    });
    expect(readMarker(first.body)).toEqual({
      key: accountKey(verdict.accountId),
      digest: first.digest,
      assigned: ["alice"],
      accounts: [],
    });
    expect(second.digest).toBe(first.digest);
    const changed = renderIssue({ verdict, findings: accountFindings.slice(0, 1), assignees: ["bob"], mentioned: [] });
    expect(changed.digest).not.toBe(first.digest);
    expect(first.body).toContain("aws cloudtrail update-trail --region eu-west-1");
  });

  it("an account with 100 trails gets a body under GitHub's limit, shortened by whole rows and blocks, saying what was left out", () => {
    const id = "444455556666";
    // 100 single-Region trails with the global-events flag on beside one that covers the account: each a flag-ineffective note with its own fix.
    const covering = {
      arn: `arn:aws:cloudtrail:us-east-1:${id}:trail/everything`,
      name: "everything",
      homeRegion: "us-east-1",
      ownerAccountId: id,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      isOrganizationTrail: false,
      status: { isLogging: true },
      selectors: { eventSelectors: [{ readWriteType: "All" as const }], advancedEventSelectors: [] },
    };
    const trails = Array.from({ length: 100 }, (_, index) => ({
      arn: `arn:aws:cloudtrail:eu-west-1:${id}:trail/regional-trail-with-a-rather-long-descriptive-name-${index}`,
      name: `regional-trail-with-a-rather-long-descriptive-name-${index}`,
      homeRegion: "eu-west-1",
      ownerAccountId: id,
      isMultiRegionTrail: false,
      includeGlobalServiceEvents: true,
      isOrganizationTrail: false,
      status: { isLogging: true },
      selectors: { eventSelectors: [{ readWriteType: "All" as const }], advancedEventSelectors: [] },
    }));
    const big: Inventory = {
      ...inventoryOf(1, () => "many-trails"),
      accounts: [
        {
          id,
          name: "many-trails",
          state: "ACTIVE",
          outcome: "read",
          regions: [
            { region: "us-east-1", outcome: "read" },
            { region: "eu-west-1", outcome: "read" },
          ],
          trails: [covering, ...trails],
          durationMs: 1,
        },
      ],
    };
    const evaluation = evaluateInventory(big);
    const findings = evaluation.findings.filter((finding) => finding.accountId === id);
    expect(findings.length).toBeGreaterThan(50);
    const full = renderIssue({ verdict: evaluation.verdicts[0]!, findings: findings, assignees: [], mentioned: [] });
    expect(full.body.length).toBeLessThanOrEqual(ISSUE_BODY_LIMIT);
    expect(full.body).toMatch(/more findings, left out to stay within GitHub's issue size/);
    expect(full.body).toMatch(/The fixes of findings \d+ to \d+ are left out/);
    // Every fence opened is closed, and every shown fix block is whole.
    const fences = full.body.split("\n").filter((line) => /^```/.test(line));
    expect(fences.length % 2).toBe(0);
    const shownBlocks = fences.length / 2;
    expect(shownBlocks).toBeGreaterThan(0);
    for (const finding of findings.slice(0, shownBlocks))
      for (const line of finding.fix) expect(full.body).toContain(line);
  });

  it("never shows one command twice: a later block points at the earlier one", () => {
    const shared =
      "aws cloudtrail start-logging --region us-east-1 --name arn:aws:cloudtrail:us-east-1:100000000001:trail/audit";
    const base = accountFindings[0]!;
    const findings = [
      { ...base, fix: ["# Start it:", shared] },
      {
        ...base,
        ruleId: "cloudtrail/global-events-not-delivered" as const,
        fix: ["# Then check delivery:", shared, "aws cloudtrail get-trail-status --name x"],
      },
    ];
    const { body } = renderIssue({ verdict, findings, assignees: [], mentioned: [] });
    expect(body.split("\n").filter((line) => line === shared)).toHaveLength(1);
    expect(body).toContain("# The same command as in block 1 above.");
    expect(body).toContain("aws cloudtrail get-trail-status --name x");
  });

  it("an owner's issue lists every account it can within GitHub's limit and counts the rest; accounts with the same fix share a block", () => {
    const many = auditOf(inventoryOf(3_000, (index) => `team-account-with-a-long-name-${index}`));
    const accounts = many.evaluation.verdicts
      .filter((item) => item.verdict === "noncompliant")
      .map((item) => ({
        verdict: item,
        findings: many.evaluation.findings.filter((finding) => finding.accountId === item.accountId),
      }));
    expect(accounts.length).toBeGreaterThan(1_000);
    const content = renderOwnerIssue({ owners: ["alice"], assignees: ["alice"], mentioned: [], accounts, kept: [] });
    expect(content.body.length).toBeLessThanOrEqual(ISSUE_BODY_LIMIT);
    const left = Number(
      /([\d,]+) more accounts are not listed, to stay within GitHub's issue size/
        .exec(content.body)?.[1]
        ?.replaceAll(",", ""),
    );
    const listed = content.body.split("\n").filter((line) => line.startsWith("| team-account")).length;
    expect(listed + left).toBe(accounts.length);
    // Every account stays in the marker: when it is fixed, the issue knows it listed it.
    expect(readMarker(content.body)!.accounts).toHaveLength(accounts.length);
    expect(content.title).toBe(
      `CloudTrail global service events: ${accounts.length.toLocaleString("en-US")} accounts of @alice need work`,
    );
  });

  it("creates, updates, reopens and closes by marker, and leaves everything else alone", () => {
    const content = (accountId: string, digest: string) => ({
      key: accountKey(accountId),
      title: "t",
      body: "b",
      digest,
    });
    const fixed = { kind: "fixed" as const, comment: "clean" };
    const { operations, unchanged } = planIssueOperations({
      wanted: [
        { content: content("111111111111", "new"), assignees: ["alice"] },
        { content: content("222222222222", "changed"), assignees: [] },
        { content: content("333333333333", "same"), assignees: [] },
        { content: content("444444444444", "back"), assignees: ["bob"] },
      ],
      close: new Map([
        [accountKey("555555555555"), fixed],
        [accountKey("666666666666"), fixed],
      ]),
      existing: [
        { number: 2, state: "open", key: accountKey("222222222222"), digest: "old" },
        { number: 3, state: "open", key: accountKey("333333333333"), digest: "same" },
        { number: 4, state: "closed", key: accountKey("444444444444"), digest: "back" },
        { number: 5, state: "open", key: accountKey("555555555555"), digest: "x" },
        { number: 6, state: "closed", key: accountKey("666666666666"), digest: "x" },
        // Not assessed this run: in neither list, so untouched.
        { number: 7, state: "open", key: accountKey("777777777777"), digest: "x" },
      ],
    });
    expect(
      operations.map((operation) => [
        operation.kind,
        "issue" in operation ? operation.issue.number : operation.content.key,
      ]),
    ).toEqual([
      ["create", "account:111111111111"],
      ["update", 2],
      ["reopen", 4],
      ["close", 5],
    ]);
    expect(unchanged).toBe(1);
  });
});

describe("owners", () => {
  const ownersByKey = new Map([
    ["111111111111", ["bob"]],
    ["ou-ab12-abcdefgh", ["carol"]],
  ]);
  it.each([
    ["the tag first", { tagValue: "alice, @erin" }, ["alice", "erin"], "tag"],
    ["then owners-file by account", {}, ["bob"], "owners-file"],
    ["then the nearest OU", { parents: ["ou-ab12-abcdefgh", "r-ab12"] }, ["carol"], "owners-file", "222222222222"],
    ["then default-assignees", {}, ["dave"], "default-assignees", "333333333333"],
    ["a tag with no valid login falls through", { tagValue: "not a login!" }, ["bob"], "owners-file"],
  ] as [string, { tagValue?: string; parents?: string[] }, string[], string, string?][])(
    "%s",
    (_name, sources, logins, source, accountId = "111111111111") => {
      expect(resolveOwners(accountId, { ...sources, ownersByKey, defaultAssignees: ["dave"] })).toMatchObject({
        logins,
        source,
      });
    },
  );
});

describe("the job summary's issue section", () => {
  it("says which issue writes GitHub's rate limit left for the next run, folded, and renders", () => {
    const operations = Array.from({ length: 12 }, (_, index) => `open an issue for account 1000000000${10 + index}: t`);
    const summary = renderJobSummary({
      result: auditOf(inventoryOf(3, (index) => `acct-${index}`)),
      issues: {
        dryRun: false,
        opened: 1,
        reopened: 0,
        updated: 0,
        closed: 0,
        unchanged: 0,
        deferred: 12,
        rateLimited: "HTTP 403: You have exceeded a secondary rate limit",
        rateLimitedOperations: operations,
        unassignable: [],
        ownerWarnings: [],
        planned: [],
        failed: [],
        links: new Map(),
      },
    });
    expect(summary).toContain("GitHub kept refusing writes for its rate limit");
    expect(summary).toContain("12 issue operations were left for the next run");
    expect(summary).not.toContain("deferred by max-issue-operations");
    expect(summary).toContain("<details><summary>Deferred issue operations</summary>");
    expect(markdownDefects(summary)).toEqual([]);
  });
});

describe("the caution when the open alerts cannot be read", () => {
  it("says only what is true of this run: who is at risk, or that nobody is", () => {
    const read = (count: number) => inventoryOf(count, (index) => `acct-${index}`);
    const whole = { ...read(6), accounts: read(6).accounts.filter((account) => account.outcome !== "failed") };
    const clean = renderJobSummary({ result: auditOf(whole), alertsUnreadable: "GitHub answered 403" });
    expect(clean).toContain("> [!NOTE]\n> The open code-scanning alerts could not be read");
    expect(clean).toContain("no alert will close unless its account was fixed");
    expect(clean).not.toContain("[!CAUTION]");
    const partial = renderJobSummary({ result: auditOf(read(10)), alertsUnreadable: "GitHub answered 403" });
    expect(partial).toMatch(
      /the open alerts of the 2 accounts not assessed or skipped this run \(acct-0 \(100000000000\), acct-7/,
    );
    expect(partial).not.toContain("outside this run's selection");
    for (const text of [clean, partial]) expect(text).not.toMatch(/\bof of\b|\b0 accounts\b/);
  });
});

describe("our sentences in callouts", () => {
  it("show a code span we quote as code, not as backticks, and keep quoted outside text inert", async () => {
    const { renderMarkdown, visibleText } = await import("./support/rendered-markdown.js");
    const reason = githubCause(403, "Resource not accessible by integration", "issues: write") ?? "";
    expect(reason).toContain("`permissions: issues: write`");
    const summary = renderJobSummary({
      result: auditOf(inventoryOf(3, (index) => `acct-${index}`)),
      failures: [{ output: "issues", reason: `${reason}; GitHub said "@octocat see #12 \`x\`"` }],
    });
    const html = renderMarkdown(summary);
    expect(html).toContain("<code>permissions: issues: write</code>");
    const caution = visibleText(html);
    // visibleText leaves code out: the sentence reads on around it, with no backtick shown.
    expect(caution).toContain("Issues failed: the token lacks  (give it to the job");
    expect(caution).not.toContain("`");
    expect(caution).toContain("@\u200Boctocat see #\u200B12");
    expect(markdownDefects(summary)).toEqual([]);
    expect(sentenceMarkdown("- 9.2 s, `a|b` and 1. item")).toBe("\\- 9.2 s, `a|b` and 1. item");
  });
});
