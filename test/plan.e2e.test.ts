import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMarker } from "../src/github/issue-content.js";
import { startFakeGitHub, type FakeGitHub } from "./support/github-api.js";
import {
  accountIdOf,
  type kindOf,
  largeInventory,
  MANAGEMENT,
  ORGANIZATION_ID,
  type LargeOrganization,
} from "./support/large-inventory.js";
import { runAction } from "./support/run-action.js";
import { everythingWritten, markdownDefects } from "./support/rendered-markdown.js";

/**
 * A security lead's first screens on a large organization, through `node dist/index.js` on
 * saved scans (offline: no AWS) and the GitHub stand-in: the plan, what changed, issues per
 * owner. 1,000 accounts, 375 not covered for three causes, no organization trail.
 */
const SHAPE: LargeOrganization = { total: 1_000, singleRegionEu: 300, noTrail: 50, stopped: 25 };
const BROKEN = SHAPE.singleRegionEu + SHAPE.noTrail + SHAPE.stopped;
const OWNERS = 37;
const ownerOf = (index: number) => `owner-${index % OWNERS}`;
const brokenOf = (owner: number) =>
  Array.from({ length: BROKEN }, (_, offset) => offset + 1).filter((index) => index % OWNERS === owner);

describe("the plan for 1,000 accounts", () => {
  let run: Awaited<ReturnType<typeof runAction>>;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "ota-plan-"));
    writeFileSync(join(dir, "inventory.json"), JSON.stringify(largeInventory(SHAPE)));
    run = await runAction(
      { "inventory-file": "inventory.json", "report-file": "report.json", "fail-on": "none" },
      {},
      dir,
    );
  });

  it("renders as GitHub renders it: folded tables are tables", () => {
    expect(run.summary).toContain("<details>");
    expect(markdownDefects(run.summary)).toEqual([]);
  });

  it("opens with the organization-level fix and the causes with exact counts, within the first 40 lines", () => {
    expect(run.code, run.stdout).toBe(0);
    const first = run.summary.split("\n").slice(0, 40).join("\n");
    expect(first).toContain(
      `created from the management account ${MANAGEMENT} (or the CloudTrail delegated administrator) would cover **${BROKEN} accounts**`,
    );
    // The accounts covered by a trail of their own would each record a second copy.
    expect(first).toContain(
      `**${SHAPE.total - BROKEN} accounts** already record their own copy of the management events`,
    );
    expect(first).toContain(`--parameter-overrides OrganizationId=${ORGANIZATION_ID}`);
    expect(first).toContain(`${BROKEN} non-compliant accounts, by cause`);
    const lines = first.split("\n");
    const table = lines.slice(lines.findIndex((line) => line.startsWith("| Cause")) + 2);
    const rows = table.slice(
      0,
      table.findIndex((line) => !line.startsWith("| ")),
    );
    expect(rows.map((row) => row.split(" | ").slice(0, 2))).toEqual([
      [
        "| Only single-Region trails outside us-east-1 (they receive no global service events since Nov 2021, whatever their flag says)",
        String(SHAPE.singleRegionEu),
      ],
      ["| No trail at all", String(SHAPE.noTrail)],
      ["| Trails stopped (not logging)", String(SHAPE.stopped)],
    ]);
    expect(rows[0]).toContain(
      `account-1 (${accountIdOf(1)}), account-2 (${accountIdOf(2)}), account-3 (${accountIdOf(3)}), and ${SHAPE.singleRegionEu - 3} more`,
    );
  });

  it("says each failure once: one error per uncovered account, no flag warning beside it, and a summary under 1 MiB", () => {
    const report = JSON.parse(readFileSync(join(run.workspace, "report.json"), "utf8"));
    expect(report.findings).toHaveLength(BROKEN);
    expect(new Set(report.findings.map((finding: { accountId: string }) => finding.accountId)).size).toBe(BROKEN);
    expect(report.findings.every((finding: { level: string }) => finding.level === "error")).toBe(true);
    expect(
      report.findings.some(
        (finding: { ruleId: string }) => finding.ruleId === "cloudtrail/global-events-flag-ineffective",
      ),
    ).toBe(false);
    const sarif = JSON.parse(readFileSync(join(run.workspace, "org-trail-audit.sarif"), "utf8"));
    expect(sarif.runs.flatMap((sarifRun: { results: unknown[] }) => sarifRun.results)).toHaveLength(BROKEN);
    expect(report.plan.organizationFix).toMatchObject({
      kind: "create",
      wouldCover: BROKEN,
      secondCopies: SHAPE.total - BROKEN,
    });
    expect(Buffer.byteLength(run.summary)).toBeLessThan(1024 * 1024);
    // The long table is folded away under the plan.
    expect(run.summary).toContain(`<details><summary>${BROKEN} findings by account</summary>`);
  });
});

describe("issues per owner, and what changed between runs", () => {
  let github: FakeGitHub;
  let dir: string;
  let env: Record<string, string>;
  const inputs = (extra: Record<string, string> = {}) => ({
    "inventory-file": "inventory.json",
    "create-issues": "true",
    "issue-grouping": "owner",
    "owners-file": "owners.yml",
    "default-assignees": "secops-lead",
    "github-token": "ghs_test_token",
    "fail-on": "none",
    ...extra,
  });
  const writeInventory = (kinds: Map<number, ReturnType<typeof kindOf>>, generatedAt: string) =>
    writeFileSync(join(dir, "inventory.json"), JSON.stringify(largeInventory(SHAPE, { kinds, generatedAt })));
  const uploadSarif = (at: string) => github.uploadSarifFrom(dir, at);
  const ownerIssue = (owner: number) =>
    github.issues.find((issue) => readMarker(issue.body)?.key === `owner:owner-${owner}`);
  const created = () => github.requests.filter((request) => request.operationId === "issues/create").length;
  /** Each run's job summary, day by day, for the rendering check. */
  const summaries: string[] = [];

  beforeAll(async () => {
    github = await startFakeGitHub();
    for (let owner = 0; owner < OWNERS; owner += 1) github.assignable.add(`owner-${owner}`);
    github.assignable.add("secops-lead");
    dir = mkdtempSync(join(tmpdir(), "ota-owners-"));
    // Every account mapped to one of 37 owners.
    writeFileSync(
      join(dir, "owners.yml"),
      Array.from({ length: SHAPE.total }, (_, index) => `"${accountIdOf(index)}": ${ownerOf(index)}`).join("\n"),
    );
    env = {
      GITHUB_API_URL: github.url,
      GITHUB_REPOSITORY: "acme/platform",
      GITHUB_RUN_ID: "77",
      GITHUB_SERVER_URL: "https://github.com",
    };
  });
  afterAll(async () => github?.close());

  it("run 1 opens one issue per owner and one for the organization: 38 issues for 375 accounts", async () => {
    writeInventory(new Map(), "2026-11-01T00:00:00.000Z");
    const run = await runAction(inputs(), env, dir);
    summaries.push(run.summary);
    expect(run.code, run.stdout).toBe(0);
    expect(created()).toBe(OWNERS + 1);
    expect(run.outputs["issues-opened"]).toBe(String(OWNERS + 1));
    const organization = github.issues.find((issue) => readMarker(issue.body)?.key === "organization")!;
    expect(organization.assignees).toEqual(["secops-lead"]);

    const zero = ownerIssue(0)!;
    expect(zero.assignees).toEqual(["owner-0"]);
    expect(readMarker(zero.body)!.accounts.sort()).toEqual(brokenOf(0).map(accountIdOf).sort());
    expect(zero.title).toBe(`CloudTrail global service events: ${brokenOf(0).length} accounts of @owner-0 need work`);
    for (const index of brokenOf(0)) expect(zero.body).toContain(`account-${index} (${accountIdOf(index)})`);
    // Links: to the run, to the organization issue; each fix shown once.
    expect(zero.body).toContain("https://github.com/acme/platform/actions/runs/77");
    expect(zero.body).toContain(
      `The organization-level fix in [#${organization.number}](https://github.com/acme/platform/issues/${organization.number}) ` +
        `would cover ${brokenOf(0).length} of these accounts.`,
    );
    const commands = zero.body.split("\n").filter((line) => line.startsWith("aws "));
    expect(new Set(commands).size).toBe(commands.length);
    // Each account row of the summary links to its owner's issue.
    expect(run.summary).toContain(
      `| account-37 (${accountIdOf(37)}) | [#${zero.number}](https://github.com/acme/platform/issues/${zero.number}) | @\u200Bowner-0 |`,
    );
    expect(run.outputs["new-findings"]).toBe(String(BROKEN));
    expect(github.violations).toEqual([]);
    uploadSarif("2026-11-01T00:00:00.000Z");
    // Octokit's throttling spaces issue creations (they notify people) 3 s apart: 38 take about two minutes.
  }, 600_000);

  it("run 2: 5 accounts break, owner-36's 10 are fixed; the summary says so, its issue closes, the others are updated", async () => {
    const kinds = new Map<number, ReturnType<typeof kindOf>>();
    for (const index of brokenOf(36)) kinds.set(index, "covered");
    const newlyBroken = [BROKEN + 1, BROKEN + 2, BROKEN + 3, BROKEN + 4, BROKEN + 5];
    for (const index of newlyBroken) kinds.set(index, "no-trail");
    writeInventory(kinds, "2026-11-26T06:00:00.000Z");
    const before = created();
    const run = await runAction(inputs({ "fail-on": "error", "fail-on-scope": "new" }), env, dir);
    summaries.push(run.summary);
    // fail-on-scope new: the 5 new errors fail the step, the 365 old ones would not.
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error::5 findings new since the last run at or above fail-on "error"/);
    expect(run.outputs["new-findings"]).toBe("5");
    expect(run.outputs["resolved-findings"]).toBe("10");
    expect(run.summary).toContain(
      "**5 new findings**, **10 resolved**, 365 still open (the oldest for 25 days; 365 for a week or more)",
    );
    expect(created()).toBe(before);
    expect(ownerIssue(36)).toMatchObject({ state: "closed", state_reason: "completed" });
    expect(ownerIssue(36)!.comments.at(-1)).toContain("assessed clean");
    // The owners of the newly broken accounts: their issues list them now.
    for (const index of newlyBroken)
      expect(readMarker(ownerIssue(index % OWNERS)!.body)!.accounts).toContain(accountIdOf(index));
    expect(github.violations).toEqual([]);
    uploadSarif("2026-11-26T06:00:00.000Z");
  });

  it("run 3: one more account fixed updates its owner's issue; with nothing new, fail-on-scope new passes over the backlog", async () => {
    const kinds = new Map<number, ReturnType<typeof kindOf>>();
    for (const index of brokenOf(36)) kinds.set(index, "covered");
    for (const index of [BROKEN + 1, BROKEN + 2, BROKEN + 3, BROKEN + 4, BROKEN + 5]) kinds.set(index, "no-trail");
    const fixed = brokenOf(0)[0]!;
    kinds.set(fixed, "covered");
    writeInventory(kinds, "2026-11-27T06:00:00.000Z");
    const run = await runAction(inputs({ "fail-on": "error", "fail-on-scope": "new" }), env, dir);
    summaries.push(run.summary);
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs["new-findings"]).toBe("0");
    expect(run.outputs["resolved-findings"]).toBe("1");
    const zero = ownerIssue(0)!;
    expect(zero.state).toBe("open");
    expect(readMarker(zero.body)!.accounts).not.toContain(accountIdOf(fixed));
    expect(readMarker(zero.body)!.accounts).toHaveLength(brokenOf(0).length - 1);
    // New ones are a day old, the first run's 26 days.
    expect(run.summary).toContain("the oldest for 26 days");
  });

  it("renders as GitHub renders it: every day's summary, the owner and organization issues and their comments", () => {
    expect(summaries).toHaveLength(3);
    expect(github.issues.length).toBeGreaterThan(OWNERS);
    for (const { what, markdown } of everythingWritten(summaries, github.issues))
      expect(markdownDefects(markdown), what).toEqual([]);
  });
});
