import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMarker } from "../src/github/issue-content.js";
import { readOpenAlerts } from "../src/github/code-scanning-alerts.js";
import { alertRecords } from "../src/reporters/carried-alerts.js";
import { findingLocationUri, sarifCategories } from "../src/reporters/sarif.js";
import { trendFromAlerts } from "../src/remediation-history.js";
import type { Inventory } from "../src/inventory.js";
import { startFakeGitHub, type FakeGitHub, runnerEnvironment } from "./support/github-api.js";
import { awsEnvironment, motoAvailability, startMoto, type MotoServer } from "./support/moto-server.js";
import { markdownDefects } from "./support/rendered-markdown.js";
import { runAction } from "./support/run-action.js";
import { runCliSource } from "./support/run-cli.js";
import {
  ISSUES_SCENARIO,
  MANAGEMENT_ACCOUNT_ID,
  seedOrganization,
  type SeededOrganization,
} from "./support/seed-org.js";

const moto = motoAvailability();
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const date = (ms: number) => iso(ms).slice(0, 10);

/**
 * Day 30 of a remediation programme, end to end: the first run 42 days ago (its issues
 * opened and its SARIF uploaded then, on the GitHub stand-in's clock), two fixes in the
 * history, and today's run with remediation-days. Every age, overdue count, trend point and
 * median below follows from those dates.
 */
describe.skipIf(!moto.available)("tracking remediation over time", () => {
  let server: MotoServer;
  let github: FakeGitHub;
  let org: SeededOrganization;
  let workspace: string;
  let env: Record<string, string>;
  const now = Date.now();
  const firstRun = now - 42 * DAY;
  const inputs = (extra: Record<string, string> = {}) => ({
    "create-issues": "true",
    "default-assignees": "dave",
    "github-token": "ghs_test_token",
    "fail-on": "none",
    "report-file": "report.json",
    ...extra,
  });
  const report = () => JSON.parse(readFileSync(join(workspace, "report.json"), "utf8"));

  beforeAll(async () => {
    server = await startMoto();
    github = await startFakeGitHub();
    github.assignable.add("dave");
    org = await seedOrganization(server.endpoint, ISSUES_SCENARIO);
    workspace = mkdtempSync(join(tmpdir(), "ota-history-"));
    env = {
      ...awsEnvironment(server.endpoint),
      ...runnerEnvironment(github),
    };
    // Run 1, 42 days ago: issues opened, SARIF uploaded, on that day's clock.
    github.now = () => iso(firstRun);
    await runAction(inputs(), env, workspace);
    github.uploadSarifFrom(workspace, iso(firstRun));
    // Two fixes of the management account in the last 90 days: 20 and 10 days to fix.
    const { category } = github.alerts[0]!;
    for (const [opened, fixed] of [
      [70, 50],
      [40, 30],
    ] as const)
      github.alerts.push({
        number: github.alerts.length + 1,
        tool: "org-trail-audit",
        category,
        ruleId: "cloudtrail/global-events-not-recorded",
        severity: "error",
        path: findingLocationUri(MANAGEMENT_ACCOUNT_ID),
        fingerprint: `fixed-${opened}`,
        state: "fixed",
        fixedAt: iso(now - fixed * DAY),
        message: "",
        createdAt: iso(now - opened * DAY),
      });
    github.now = () => iso(Date.now());
  });
  afterAll(async () => {
    await github?.close();
    await server?.stop();
  });

  const broken = () => ISSUES_SCENARIO.members.filter((member) => member.expected.length > 0).map((member) => member);
  const errorAccounts = () =>
    broken()
      .filter((member) => member.expected.includes("cloudtrail/global-events-not-recorded"))
      .map((member) => org.byKey(member.key).id);

  it("today: ages from the alerts, the overdue section, label and one comment, trend, scorecards", async () => {
    const run = await runAction(inputs({ "remediation-days": "error=30,warning=90" }), env, workspace);
    const json = report();
    const errors = json.findings.filter((finding: { level: string }) => finding.level === "error");
    expect(errors.length).toBe(errorAccounts().length);
    for (const finding of errors) {
      expect(finding).toMatchObject({
        firstSeenFrom: "code-scanning alert",
        openDays: 42,
        dueOn: date(firstRun + 30 * DAY),
        overdue: true,
      });
    }
    const warnings = json.findings.filter((finding: { level: string }) => finding.level === "warning");
    for (const finding of warnings) expect(finding).toMatchObject({ openDays: 42, overdue: false });
    expect(run.outputs["overdue-findings"]).toBe(String(errors.length));

    // The trend: everything opened 42 days ago; overdue from day 31 on.
    const { trend, scorecards } = json.history;
    // From the first alert's day (70 days ago) on: before it nothing was recorded, which is not zero.
    expect(trend.points).toHaveLength(71);
    expect(trend.points[0].date).toBe(date(now - 70 * DAY));
    const at = (daysAgo: number) =>
      trend.points.find((point: { date: string }) => point.date === date(now - daysAgo * DAY));
    const brokenCount = json.summary.noncompliant;
    expect(at(7)).toMatchObject({ noncompliant: brokenCount, notAssessed: 0, overdue: errors.length });
    expect(at(30)).toMatchObject({ noncompliant: brokenCount, overdue: 0 });
    // 45 days ago only the management account's first fixed alert was open (opened 70, fixed 50 days ago): 0.
    expect(at(60)).toMatchObject({ noncompliant: 1, overdue: 0 });
    expect(json.history.trend.change30).toMatchObject({ overdue: errors.length, noncompliant: 0 });
    // Median days to fix: 20 and 10 days, in the management account's OU (the root).
    expect(scorecards.byUnit.find((card: { name: string }) => card.name === "Root")).toMatchObject({
      fixed: 2,
      medianDaysToFix: 15,
      overdue: errors.length,
      oldestDays: 42,
    });
    // Each overdue finding is on its owners' cards (dave by default; an owner tag names another).
    const overdueByOwner = scorecards.byOwner.reduce((sum: number, card: { overdue: number }) => sum + card.overdue, 0);
    expect(overdueByOwner).toBeGreaterThanOrEqual(errors.length);
    expect(scorecards.byOwner[0].overdue).toBeGreaterThan(0);
    expect(scorecards.byOwner.map((card: { name: string }) => card.name)).toContain("dave");

    expect(run.summary).toContain("### Overdue");
    expect(run.summary.indexOf("### Overdue")).toBeGreaterThan(run.summary.indexOf("### What to do"));
    expect(run.summary.indexOf("### Overdue")).toBeLessThan(run.summary.indexOf("### Findings"));
    expect(run.summary).toContain(
      `**${errors.length} findings** in **${errors.length} accounts** are past remediation-days`,
    );
    expect(run.summary).toMatch(
      /Trend over 71 days \(from the code-scanning alerts' history\): non-compliant \d+ \(±0 in 7 days, ±0 in 30 days\)/,
    );
    expect(run.summary).toContain("```mermaid\nxychart-beta");
    expect(run.summary).toContain("### Scorecard by owner");
    expect(run.summary).toContain("| 42 days |");
    expect(markdownDefects(run.summary)).toEqual([]);

    for (const id of errorAccounts()) {
      const issue = github.issues.find((item) => readMarker(item.body)?.key === `account:${id}`)!;
      expect(issue.labels).toContain("overdue");
      expect(issue.comments.filter((comment) => comment.startsWith("Overdue:"))).toHaveLength(1);
      expect(issue.body).toContain(`Broken since ${date(firstRun)}.`);
    }
    const organization = github.issues.find((item) => readMarker(item.body)?.key === "organization")!;
    expect(organization.body).toContain("```mermaid\nxychart-beta");
    expect(organization.body).toContain("Trend over 71 days");
  });

  it("the next run says nothing again: no second overdue comment, no label write", async () => {
    const before = github.requests.length;
    await runAction(inputs({ "remediation-days": "error=30,warning=90" }), env, workspace);
    const writes = github.requests.slice(before).filter((request) => request.method !== "GET");
    expect(writes.filter((request) => request.operationId === "issues/add-labels")).toEqual([]);
    expect(writes.filter((request) => request.operationId === "issues/create-comment")).toEqual([]);
  });

  it("an issue closed and reopened loses its overdue label, so being overdue again is said again, once", async () => {
    const id = errorAccounts()[0]!;
    const issue = github.issues.find((item) => readMarker(item.body)?.key === `account:${id}`)!;
    // Closed as if fixed in between; the account is broken (and past its deadline) again.
    issue.state = "closed";
    issue.state_reason = "completed";
    const before = github.requests.length;
    await runAction(inputs({ "remediation-days": "error=30,warning=90" }), env, workspace);
    const operations = github.requests.slice(before).map((request) => request.operationId);
    expect(operations).toContain("issues/remove-label");
    expect(issue.state).toBe("open");
    expect(issue.labels).toContain("overdue");
    expect(issue.comments.filter((comment) => comment.startsWith("Overdue:"))).toHaveLength(2);
    expect(github.violations).toEqual([]);
  });

  it("without code-scanning access the issues date the findings, and the summary says which history is missing", async () => {
    github.alertsAnswer = { status: 403, message: "Resource not accessible by integration" };
    try {
      const run = await runAction(inputs({ "remediation-days": "error=30" }), env, workspace);
      const errors = report().findings.filter((finding: { level: string }) => finding.level === "error");
      for (const finding of errors) expect(finding).toMatchObject({ firstSeenFrom: "remediation issue", openDays: 42 });
      expect(run.summary).toContain("Code-scanning alert history: GitHub answered 403");
      expect(run.outputs["overdue-findings"]).toBe(String(errors.length));
    } finally {
      delete github.alertsAnswer;
    }
  });
});

describe("at scale", () => {
  it("90 days of 10,000 alerts of 1,000 accounts: one list of 100 pages, rebuilt into a trend within seconds", async () => {
    const github = await startFakeGitHub();
    try {
      const now = Date.now();
      const category = sarifCategories(undefined)[0]!;
      const accounts = Array.from({ length: 1000 }, (_, index) => String(100_000_000_000 + index));
      for (let index = 0; index < 10_000; index += 1) {
        const opened = now - (index % 90) * DAY;
        const fixed = index % 3 === 0 ? undefined : opened + (index % 20) * DAY;
        github.alerts.push({
          number: index + 1,
          tool: "org-trail-audit",
          category,
          ruleId: "cloudtrail/global-events-not-recorded",
          severity: "error",
          path: findingLocationUri(accounts[index % 1000]!, `arn:aws:cloudtrail:us-east-1:1:trail/t${index}`),
          fingerprint: `f${index}`,
          state: fixed && fixed < now ? "fixed" : "open",
          ...(fixed && fixed < now ? { fixedAt: iso(fixed) } : {}),
          message: "",
          createdAt: iso(opened),
        });
      }
      const started = performance.now();
      const read = await readOpenAlerts("ghs_test", () => undefined, `${github.owner}/${github.repo}`, github.url);
      expect(read.kind).toBe("read");
      if (read.kind !== "read") return;
      const inventory = { generatedAt: iso(now), accounts: [] } as unknown as Inventory;
      const records = alertRecords(read.all, inventory);
      const points = trendFromAlerts(records, date(now), { error: 30 });
      const seconds = (performance.now() - started) / 1000;
      expect(records).toHaveLength(10_000);
      expect(points).toHaveLength(89);
      const listCalls = github.requests.filter(
        (request) => request.operationId === "code-scanning/list-alerts-for-repo",
      );
      expect(listCalls).toHaveLength(100);
      // GitHub's own latency is not here; the budget is 20 s for the reads and the rebuild together.
      expect(seconds).toBeLessThan(20);
    } finally {
      await github.close();
    }
  });
});

describe("the CLI, from the --baseline reports it is given", () => {
  const SAMPLE = join(process.cwd(), "examples/sample-inventory.json");

  it("carries first sightings and the trend from report to report, with ages, overdue and the change over 7 days", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ota-history-cli-"));
    const first = await runCliSource(["scan", "--inventory", SAMPLE, "--format", "json", "--fail-on", "none"], {}, dir);
    expect(first.code).toBe(0);
    const previous = JSON.parse(first.stdout);
    // No baseline: every age is unknown, never 0 days, and the output says why.
    expect(previous.findings.every((finding: { openDays?: number }) => finding.openDays === undefined)).toBe(true);
    expect(previous.history.missing[0]).toMatch(/^No --baseline was given/);
    // As if that report were written on 1 October, with a trend point a week before the saved scan (26 Nov).
    const broken = previous.findings.filter((finding: { level: string }) => finding.level === "error");
    const baseline = {
      ...previous,
      generatedAt: "2026-10-01T06:00:00.000Z",
      findings: previous.findings.map((finding: Record<string, unknown>) => ({
        ...finding,
        firstSeen: "2026-10-01T06:00:00.000Z",
      })),
      history: {
        trend: {
          points: [{ date: "2026-11-19", noncompliant: 20, notAssessed: 0, overdue: 0 }],
          source: "x",
        },
      },
    };
    writeFileSync(join(dir, "baseline.json"), JSON.stringify(baseline));
    const withBaseline = (...flags: string[]) =>
      runCliSource(
        ["scan", "--inventory", SAMPLE, "--baseline", "baseline.json", "--remediation-days", "error=30", ...flags],
        {},
        dir,
      );
    const next = await withBaseline("--format", "json", "--fail-on", "none");
    expect(next.code).toBe(0);
    const report = JSON.parse(next.stdout);
    const errors = report.findings.filter((finding: { level: string }) => finding.level === "error");
    expect(errors.length).toBe(broken.length);
    for (const finding of errors)
      expect(finding).toMatchObject({
        firstSeen: "2026-10-01T06:00:00.000Z",
        firstSeenFrom: "baseline report",
        openDays: 56,
        dueOn: "2026-10-31",
        overdue: true,
      });
    expect(report.history.overdueFindings).toBe(errors.length);
    expect(report.history.trend.points.map((point: { date: string }) => point.date)).toEqual([
      "2026-11-19",
      "2026-11-26",
    ]);
    expect(report.history.trend.change7.noncompliant).toBe(report.summary.noncompliant - 20);
    expect(report.history.trend.source).toBe("the baseline report's trend");

    const text = await withBaseline("--fail-on", "none");
    expect(text.stdout).toContain(`Overdue (remediation-days error 30 days): ${errors.length} findings`);
    expect(text.stdout).toContain("(open 56 days, overdue since 2026-10-31)");
    expect(text.stdout).toMatch(
      /Trend over 2 days \(from the baseline report's trend\): non-compliant \d+ \([+−±]\d+ in 7 days\)/,
    );
    const failing = await withBaseline("--fail-on-scope", "overdue");
    expect(failing.code).toBe(1);
  });
});

describe("README's picture of the summary", () => {
  it("is what the code renders for the sample organization, and renders as meant", async () => {
    const { historyExampleMarkdown } = await import("../scripts/history-example.js");
    const picture = historyExampleMarkdown();
    expect(readFileSync("README.md", "utf8")).toContain(picture);
    expect(picture).toContain("### Overdue");
    expect(picture).toContain("```mermaid");
    expect(markdownDefects(picture)).toEqual([]);
  });
});
