import { describe, expect, it } from "vitest";
import { findingKey, type Changes } from "../src/changes.js";
import { failingFindings } from "../src/fail-on.js";
import type { Finding } from "../src/findings.js";
import {
  ageFindings,
  buildHistory,
  medianOf,
  sparkline,
  trendFromAlerts,
  type AlertRecord,
} from "../src/remediation-history.js";
import { parseSettings } from "../src/settings.js";

const NOW = "2026-12-06T06:00:00.000Z";
const NR = "cloudtrail/global-events-not-recorded";
const RO = "cloudtrail/global-events-reads-not-recorded";
const NA = "cloudtrail/account-not-assessed";

const finding = (accountId: string, ruleId: Finding["ruleId"], level: Finding["level"], unit?: string): Finding => ({
  ruleId,
  level,
  cause: "no-trail",
  accountId,
  accountName: `acct-${accountId.slice(0, 2)}`,
  ...(unit ? { organizationalUnit: unit } : {}),
  trails: [],
  message: "m",
  fix: [],
});

// A: error open since 25 Oct (42 days: past error=30 since 24 Nov); B: warning since 30 Nov
// (6 days, within warning=90); F: new this run; E: not assessed since 20 Nov.
// C was broken 1 Sep to 1 Nov (61 days to fix), D 1 Nov to 11 Nov (10 days).
const A = finding("111111111111", NR, "error", "Root/Payments");
const B = finding("222222222222", RO, "warning", "Root/Data");
const F = finding("666666666666", NR, "error", "Root/Payments");
const E = finding("555555555555", NA, "note", "Root/Data");
const ALERTS: AlertRecord[] = [
  { accountId: A.accountId, ruleId: NR, level: "error", createdAt: "2026-10-25T06:00:00Z", fixed: false },
  { accountId: B.accountId, ruleId: RO, level: "warning", createdAt: "2026-11-30T06:00:00Z", fixed: false },
  { accountId: E.accountId, ruleId: NA, level: "note", createdAt: "2026-11-20T06:00:00Z", fixed: false },
  {
    accountId: "333333333333",
    ruleId: NR,
    level: "error",
    createdAt: "2026-09-01T06:00:00Z",
    closedAt: "2026-11-01T06:00:00Z",
    fixed: true,
  },
  {
    accountId: "444444444444",
    ruleId: NR,
    level: "error",
    createdAt: "2026-11-01T06:00:00Z",
    closedAt: "2026-11-11T06:00:00Z",
    fixed: true,
  },
];
const CHANGES: Changes = {
  known: true,
  source: "the open code-scanning alerts",
  added: [F],
  resolved: [],
  stillOpen: [
    { finding: A, since: "2026-10-25T06:00:00Z" },
    { finding: B, since: "2026-11-30T06:00:00Z" },
    { finding: E, since: "2026-11-20T06:00:00Z" },
  ],
  newlyNotAssessed: [],
};
const DAYS = { error: 30, warning: 90 };

describe("finding ages", () => {
  const ages = ageFindings({
    findings: [A, B, F, E],
    now: NOW,
    changes: CHANGES,
    changesSource: "code-scanning alert",
    remediationDays: DAYS,
  });

  it("come from the alert's created_at, new findings are new, and only what is past its deadline is overdue", () => {
    expect(ages.get(findingKey(A))).toEqual({
      firstSeen: "2026-10-25T06:00:00Z",
      source: "code-scanning alert",
      days: 42,
      dueOn: "2026-11-24",
      overdueDays: 12,
    });
    expect(ages.get(findingKey(B))).toMatchObject({ days: 6, dueOn: "2027-02-28" });
    expect(ages.get(findingKey(B))?.overdueDays).toBeUndefined();
    expect(ages.get(findingKey(F))).toMatchObject({ source: "this run", days: 0, dueOn: "2027-01-05" });
    // A note has no deadline here (remediation-days gave none for notes).
    expect(ages.get(findingKey(E))?.dueOn).toBeUndefined();
  });

  it("are unknown, never 0 days, when nothing dates them; an open issue dates its account's findings", () => {
    const unknown: Changes = { known: false, reason: "the alerts could not be read" };
    const none = ageFindings({ findings: [A, B], now: NOW, changes: unknown, changesSource: "this run" });
    expect(none.size).toBe(0);
    const byIssue = ageFindings({
      findings: [A, B],
      now: NOW,
      changes: unknown,
      changesSource: "this run",
      issueOpenedAt: new Map([[A.accountId, "2026-11-01T00:00:00Z"]]),
    });
    expect(byIssue.get(findingKey(A))).toMatchObject({ source: "remediation issue", days: 35 });
    expect(byIssue.has(findingKey(B))).toBe(false);
  });

  it("stop the clock while an exception held: a finding whose exception expired is due remediation-days after the expiry", () => {
    const resumed = ageFindings({
      findings: [A],
      now: NOW,
      changes: CHANGES,
      changesSource: "code-scanning alert",
      remediationDays: DAYS,
      exceptionExpired: new Map([[findingKey(A), "2026-11-30"]]),
    });
    expect(resumed.get(findingKey(A))).toMatchObject({ days: 42, dueOn: "2026-12-31" });
    expect(resumed.get(findingKey(A))?.overdueDays).toBeUndefined();
  });

  it("fail-on-scope overdue fails on the overdue findings, and counts those of unknown age, saying so", () => {
    expect(failingFindings([A, B, F], "warning", "overdue", CHANGES, ages).findings).toEqual([A]);
    const partial = new Map([...ages].filter(([key]) => key !== findingKey(F)));
    const failing = failingFindings([A, B, F], "warning", "overdue", CHANGES, partial);
    expect(failing.findings).toEqual([A, F]);
    expect(failing.scopeUnknown).toBe("1 finding has no known first sighting");
  });
});

describe("the trend, rebuilt from the alerts' dates", () => {
  it("counts each day's non-compliant, not-assessed and overdue accounts as that day's end saw them", () => {
    const points = trendFromAlerts(ALERTS, "2026-12-06", DAYS);
    expect(points).toHaveLength(89);
    expect(points[0]!.date).toBe("2026-09-08");
    const on = (date: string) => points.find((point) => point.date === date);
    // 31 Aug: before everything; 8 Sep: C open.
    expect(on("2026-09-08")).toEqual({ date: "2026-09-08", noncompliant: 1, notAssessed: 0, overdue: 0 });
    // 6 Nov: A and D open, C fixed on 1 Nov; nothing past 30 days yet (A is due 24 Nov).
    expect(on("2026-11-06")).toEqual({ date: "2026-11-06", noncompliant: 2, notAssessed: 0, overdue: 0 });
    // 29 Nov: A (overdue), E not assessed; D fixed on 11 Nov; B not yet.
    expect(on("2026-11-29")).toEqual({ date: "2026-11-29", noncompliant: 1, notAssessed: 1, overdue: 1 });
    // C was open for 61 days from 1 Sep: overdue from 2 Oct (30 days after) to its fix.
    expect(on("2026-10-15")).toEqual({ date: "2026-10-15", noncompliant: 1, notAssessed: 0, overdue: 1 });
  });

  it("ends with this run's own counts, and the change over 7 and 30 days; scorecards rank the worst first", () => {
    const history = buildHistory({
      findings: [A, B, F],
      now: NOW,
      noncompliant: 3,
      notAssessed: 1,
      sources: {
        ages: ageFindings({
          findings: [A, B, F],
          now: NOW,
          changes: CHANGES,
          changesSource: "code-scanning alert",
          remediationDays: DAYS,
        }),
        alerts: ALERTS,
        missing: [],
      },
      owners: new Map([
        [A.accountId, ["alice"]],
        ["333333333333", ["alice"]],
        [B.accountId, ["bob"]],
        ["444444444444", ["bob"]],
      ]),
      remediationDays: DAYS,
    });
    expect(history.trend.points).toHaveLength(90);
    expect(history.trend.points.at(-1)).toEqual({ date: "2026-12-06", noncompliant: 3, notAssessed: 1, overdue: 1 });
    expect(history.trend.change7).toEqual({ date: "2026-11-29", noncompliant: 2, notAssessed: 0, overdue: 0 });
    expect(history.trend.change30).toEqual({ date: "2026-11-06", noncompliant: 1, notAssessed: 1, overdue: 1 });
    expect(history.overdue).toEqual([A]);
    expect(history.scorecards.byOwner).toEqual([
      { name: "alice", openFindings: 1, overdue: 1, oldestDays: 42, fixed: 1, medianDaysToFix: 61 },
      { name: "bob", openFindings: 1, overdue: 0, oldestDays: 6, fixed: 1, medianDaysToFix: 10 },
      { name: "(no owner)", openFindings: 1, overdue: 0, oldestDays: 0, fixed: 0 },
    ]);
    expect(history.scorecards.byUnit.map((card) => [card.name, card.openFindings, card.overdue])).toEqual([
      ["Root/Payments", 2, 1],
      ["Root/Data", 1, 0],
      ["(OU unknown)", 0, 0],
    ]);
  });
});

describe("helpers", () => {
  it("median of odd and even counts; a sparkline spans its range", () => {
    expect(medianOf([61, 10])).toBe(35.5);
    expect(medianOf([3, 1, 2])).toBe(2);
    expect(medianOf([])).toBeUndefined();
    expect(sparkline([0, 4, 7])).toBe("▁▅█");
    expect(sparkline([2, 2])).toBe("▁▁");
  });

  it.each([
    ["error=30,warning=90", { error: 30, warning: 90 }],
    ["30", { error: 30, warning: 30, note: 30 }],
    ["note = 365", { note: 365 }],
  ])("remediation-days %s", (text, days) => {
    expect(parseSettings({ "remediation-days": text }).remediationDays).toEqual(days);
  });

  it.each(["critical=3", "error=0", "error=30,error=40", "error", "error=3=4", "30 days"])(
    "refuses remediation-days %s naming the input and what it accepts",
    (text) => {
      expect(() => parseSettings({ "remediation-days": text })).toThrow(
        new RegExp(`^Input "remediation-days" got "${text}"; it accepts level=days pairs`),
      );
    },
  );

  it("refuses fail-on-scope overdue without remediation-days", () => {
    expect(() => parseSettings({ "fail-on-scope": "overdue" })).toThrow(/needs remediation-days/);
  });
});

describe("scorecards in the summary", () => {
  it("leave out a table whose only card is no owner or no OU: it would say nothing", async () => {
    const { scorecardsMarkdown } = await import("../src/github/history-markdown.js");
    const build = (owners: Map<string, string[]>, findings: Finding[]) =>
      buildHistory({
        findings,
        now: NOW,
        noncompliant: 1,
        notAssessed: 0,
        sources: { ages: new Map(), missing: [] },
        owners,
      });
    const bare = { ...A, organizationalUnit: undefined } as Finding;
    expect(scorecardsMarkdown(build(new Map(), [bare]))).toEqual([]);
    const owned = scorecardsMarkdown(build(new Map([[A.accountId, ["alice"]]]), [A])).join("\n");
    expect(owned).toContain("### Scorecard by owner");
    expect(owned).toContain("| `@alice` | 1 | 0 | unknown | 0 |  |");
    expect(owned).toContain("### Scorecard by organizational unit");
  });
});

describe("fixes by owner", () => {
  it("name a fixed account's owners from its issue's assignees, as no one resolves them this run", () => {
    const history = buildHistory({
      findings: [],
      now: NOW,
      noncompliant: 0,
      notAssessed: 0,
      sources: {
        ages: new Map(),
        alerts: ALERTS,
        issues: [
          { accountIds: ["333333333333"], createdAt: "2026-09-01T07:00:00Z", assignees: ["carol"] },
          { accountIds: ["444444444444"], createdAt: "2026-11-01T07:00:00Z", assignees: [] },
        ],
        missing: [],
      },
      owners: new Map(),
    });
    expect(history.scorecards.byOwner).toEqual([
      { name: "(no owner)", openFindings: 0, overdue: 0, fixed: 1, medianDaysToFix: 10 },
      { name: "carol", openFindings: 0, overdue: 0, fixed: 1, medianDaysToFix: 61 },
    ]);
  });
});
