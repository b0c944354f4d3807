/**
 * README's picture of "Tracking remediation over time": the job summary's Overdue, Trend and
 * scorecard sections, rendered by the code itself from the sample organization
 * (examples/sample-inventory.json) with a made-up but fixed history: each broken account's
 * alert opened some weeks before the saved scan, a few fixes in between, owners by OU.
 * `npm run docs` writes it into README.md; a test fails when it drifts.
 */
import { readFileSync } from "node:fs";
import { evaluateAudit } from "../src/audit.js";
import { findingKey } from "../src/changes.js";
import { overdueMarkdown, scorecardsMarkdown, trendMarkdown } from "../src/github/history-markdown.js";
import type { Inventory } from "../src/inventory.js";
import { ageFindings, buildHistory, type AlertRecord } from "../src/remediation-history.js";

const DAY = 86_400_000;
const OWNERS: Record<string, string> = { Payments: "alice", Data: "bob", Sandbox: "carol", Security: "dave" };

export function historyExampleMarkdown(): string {
  const inventory = JSON.parse(readFileSync("examples/sample-inventory.json", "utf8")) as Inventory;
  const result = evaluateAudit(inventory);
  const now = Date.parse(inventory.generatedAt);
  const iso = (daysAgo: number) => new Date(now - daysAgo * DAY).toISOString();
  const findings = result.evaluation.findings;
  // Each finding opened 8 to 64 days before the scan, by its place in the list.
  const openedDaysAgo = (index: number) => 8 + ((index * 13) % 57);
  const alerts: AlertRecord[] = [
    ...findings.map((finding, index) => ({
      accountId: finding.accountId,
      ruleId: finding.ruleId,
      level: finding.level,
      createdAt: iso(openedDaysAgo(index)),
      fixed: false,
    })),
    // Fixed in the last 90 days: an account of Payments and one of Data, twice each.
    ...[
      ["210987654321", 80, 52],
      ["210987654321", 40, 31],
      ["222233334444", 75, 70],
      ["222233334444", 30, 12],
    ].map(([accountId, opened, fixed]) => ({
      accountId: String(accountId),
      ruleId: "cloudtrail/global-events-not-recorded",
      level: "error" as const,
      createdAt: iso(Number(opened)),
      closedAt: iso(Number(fixed)),
      fixed: true,
    })),
  ];
  const since = new Map(findings.map((finding, index) => [findingKey(finding), iso(openedDaysAgo(index))]));
  const remediationDays = { error: 30, warning: 90 };
  const ages = ageFindings({
    findings,
    now: inventory.generatedAt,
    changes: {
      known: true,
      source: "the open code-scanning alerts",
      added: [],
      resolved: [],
      stillOpen: findings.map((finding) => ({ finding, since: since.get(findingKey(finding))! })),
      newlyNotAssessed: [],
    },
    changesSource: "code-scanning alert",
    remediationDays,
  });
  const unitOf = new Map(result.evaluation.verdicts.map((verdict) => [verdict.accountId, verdict.organizationalUnit]));
  const owners = new Map<string, string[]>();
  for (const [accountId, unit] of unitOf) {
    const owner = OWNERS[unit?.split("/").at(-1) ?? ""];
    if (owner) owners.set(accountId, [owner]);
  }
  const history = buildHistory({
    findings,
    now: inventory.generatedAt,
    noncompliant: result.summary.noncompliant,
    notAssessed: result.summary.notAssessed,
    sources: { ages, alerts, missing: [] },
    owners,
    units: new Map([...unitOf].flatMap(([id, unit]) => (unit ? [[id, unit] as const] : []))),
    remediationDays,
  });
  return [
    ...overdueMarkdown(history, owners, (accountId) => unitOf.get(accountId)),
    ...trendMarkdown(history, 30),
    ...scorecardsMarkdown(history),
  ]
    .join("\n")
    .trim();
}
