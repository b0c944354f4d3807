import { addDays, daysBetween } from "./calendar.js";
import { findingKey, type Changes } from "./changes.js";
import type { Finding } from "./findings.js";
import { countOf, formatNumber } from "./plural.js";
import { LEVEL_RANK, type Level } from "./rules/rule.js";

/**
 * How long each gap has been open, who is late, and whether the organization is getting
 * better: from the records GitHub already keeps (each code-scanning alert's created_at,
 * fixed_at and dismissed_at; each remediation issue's opening and closing), or, for the CLI,
 * from the previous JSON report. Pure: the callers read the records.
 */

/** `remediation-days`: the days a finding of each level may stay open before it is overdue. */
export type RemediationDays = Partial<Record<Level, number>>;

/** Where a finding's first sighting was learnt. */
export type FirstSeenSource = "code-scanning alert" | "remediation issue" | "baseline report" | "this run";

export interface FindingAge {
  /** When the finding was first seen (ISO 8601). */
  firstSeen: string;
  source: FirstSeenSource;
  /** Whole days open, as of this run. */
  days: number;
  /** The last day it may stay open (YYYY-MM-DD), with remediation-days. */
  dueOn?: string;
  /** Days past dueOn; set only when overdue. */
  overdueDays?: number;
}

export interface AgeInput {
  findings: Finding[];
  /** This run's instant (the inventory's generatedAt). */
  now: string;
  /** What changed since the last run: a finding open before carries its first sighting. */
  changes: Changes;
  /** Where the comparison's dates come from, when it is known. */
  changesSource: FirstSeenSource;
  /** When each account's remediation issue was opened: the first sighting when nothing better is known. */
  issueOpenedAt?: Map<string, string>;
  remediationDays?: RemediationDays;
  /**
   * Exceptions stop the clock while they hold: a finding whose exception expired is due
   * remediation-days after the expiry (by finding key, the expiry date).
   */
  exceptionExpired?: Map<string, string>;
}

/**
 * Each finding's first sighting and age, and with remediation-days its due date: from the
 * comparison (an open alert's created_at, or the baseline report's firstSeen; a finding new
 * this run is seen now), else from the account's remediation issue. Unknown stays unknown: a
 * finding with neither is left out, never called 0 days old.
 */
export function ageFindings(input: AgeInput): Map<string, FindingAge> {
  const ages = new Map<string, FindingAge>();
  const since = new Map<string, string>();
  if (input.changes.known) {
    for (const { finding, since: at } of input.changes.stillOpen) since.set(findingKey(finding), at);
  }
  const added = new Set(input.changes.known ? input.changes.added.map(findingKey) : []);
  for (const finding of input.findings) {
    const key = findingKey(finding);
    const known = since.get(key);
    const issue = input.issueOpenedAt?.get(finding.accountId);
    const first: { at: string; source: FirstSeenSource } | undefined = known
      ? { at: known, source: input.changesSource }
      : added.has(key)
        ? // New this run by the comparison; an account's older open issue does not make it older.
          { at: input.now, source: "this run" }
        : issue
          ? { at: issue, source: "remediation issue" }
          : undefined;
    if (!first) continue;
    const age: FindingAge = { firstSeen: first.at, source: first.source, days: daysBetween(first.at, input.now) };
    const allowed = input.remediationDays?.[finding.level];
    if (allowed !== undefined) {
      const expired = input.exceptionExpired?.get(key);
      const clockStart = expired && expired >= first.at.slice(0, 10) ? addDays(expired, 1) : first.at.slice(0, 10);
      age.dueOn = addDays(clockStart, allowed);
      const late = daysBetween(`${age.dueOn}T00:00:00.000Z`, input.now);
      if (input.now.slice(0, 10) > age.dueOn) age.overdueDays = Math.max(1, late);
    }
    ages.set(key, age);
  }
  return ages;
}

/** The findings past their deadline, oldest first. */
export function overdueFindings(findings: Finding[], ages: Map<string, FindingAge>): Finding[] {
  return findings
    .filter((finding) => ages.get(findingKey(finding))?.overdueDays !== undefined)
    .sort(
      (a, b) =>
        (ages.get(findingKey(b))?.days ?? 0) - (ages.get(findingKey(a))?.days ?? 0) ||
        LEVEL_RANK[b.level] - LEVEL_RANK[a.level] ||
        a.accountId.localeCompare(b.accountId),
    );
}

/** One alert as code scanning keeps it, reduced to what the trend and the scorecards need. */
export interface AlertRecord {
  accountId: string;
  ruleId: string;
  level: Level;
  createdAt: string;
  /** When it stopped being open: fixed_at, else dismissed_at; absent while open. */
  closedAt?: string;
  /** Closed as fixed (not dismissed). */
  fixed: boolean;
}

/** One remediation issue of an account, as GitHub keeps it. */
export interface IssueRecord {
  accountIds: string[];
  createdAt: string;
  /** Closed as completed (the account assessed clean): when. */
  completedAt?: string;
  assignees: string[];
}

export interface TrendPoint {
  /** The day (YYYY-MM-DD), as of its end (UTC). */
  date: string;
  noncompliant: number;
  notAssessed: number;
  overdue: number;
}

export const TREND_DAYS = 90;
/** The sparkline of a one-line trend: its last 30 days, to stay one line. */
const SPARKLINE_POINTS = 30;
const NOT_ASSESSED_RULE = "cloudtrail/account-not-assessed";

/**
 * The last `days` days before today, from the first alert's day on (before it, nothing was
 * recorded, which is not zero), each as its end saw the alerts: an account is
 * non-compliant on a day if an alert of level warning or error was open at its end (and no
 * not-assessed alert), not assessed if its not-assessed alert was open, overdue if an open
 * alert was older than remediation-days allows. An alert reopened after a fix counts from its
 * creation (GitHub keeps the latest fixed_at only).
 */
export function trendFromAlerts(
  alerts: AlertRecord[],
  today: string,
  remediationDays?: RemediationDays,
  days = TREND_DAYS,
): TrendPoint[] {
  const points: TrendPoint[] = [];
  const first = alerts.map((alert) => alert.createdAt.slice(0, 10)).sort()[0] ?? today;
  // Each alert's dates once, not once per day: 90 days of 10,000 alerts.
  const spans = alerts.map((alert) => {
    const allowed = remediationDays?.[alert.level];
    return {
      alert,
      opened: Date.parse(alert.createdAt),
      closed: alert.closedAt ? Date.parse(alert.closedAt) : Number.POSITIVE_INFINITY,
      ...(allowed !== undefined ? { due: addDays(alert.createdAt, allowed) } : {}),
    };
  });
  for (let back = days - 1; back >= 1; back -= 1) {
    const date = addDays(today, -back);
    if (date < first) continue;
    const end = Date.parse(`${date}T23:59:59.999Z`);
    const broken = new Set<string>();
    const unread = new Set<string>();
    const late = new Set<string>();
    for (const { alert, opened, closed, due } of spans) {
      if (opened > end || closed <= end) continue;
      if (alert.ruleId === NOT_ASSESSED_RULE) {
        unread.add(alert.accountId);
        continue;
      }
      if (LEVEL_RANK[alert.level] >= LEVEL_RANK.warning) broken.add(alert.accountId);
      if (due !== undefined && date > due) late.add(alert.accountId);
    }
    for (const account of unread) broken.delete(account);
    points.push({ date, noncompliant: broken.size, notAssessed: unread.size, overdue: late.size });
  }
  return points;
}

export interface Trend {
  /** Oldest first, today's (this run's own counts) last. */
  points: TrendPoint[];
  /** Today's counts less those of 7 and 30 days before, where known. */
  change7?: TrendPoint;
  change30?: TrendPoint;
  /** Where the earlier points come from. */
  source: string;
}

export function trendWith(points: TrendPoint[], today: TrendPoint, source: string): Trend {
  const all = [...points.filter((point) => point.date < today.date), today].slice(-TREND_DAYS);
  const change = (days: number): TrendPoint | undefined => {
    const then = all.find((point) => point.date === addDays(today.date, -days));
    return then
      ? {
          date: then.date,
          noncompliant: today.noncompliant - then.noncompliant,
          notAssessed: today.notAssessed - then.notAssessed,
          overdue: today.overdue - then.overdue,
        }
      : undefined;
  };
  const change7 = change(7);
  const change30 = change(30);
  return { points: all, ...(change7 ? { change7 } : {}), ...(change30 ? { change30 } : {}), source };
}

/**
 * What was fixed in the window, for the median days to fix: fixed alerts, else issues closed
 * as completed. A fixed account's owners are its issue's assignees: no one resolves the owners
 * of an account that needs nothing this run.
 */
export interface Fix {
  accountId: string;
  days: number;
  owners?: string[];
}

export function fixesInWindow(
  alerts: AlertRecord[] | undefined,
  issues: IssueRecord[] | undefined,
  today: string,
  days = TREND_DAYS,
): Fix[] {
  const from = addDays(today, -days);
  const assignees = new Map<string, string[]>();
  for (const issue of issues ?? []) for (const id of issue.accountIds) assignees.set(id, issue.assignees);
  if (alerts?.some((alert) => alert.fixed))
    return alerts
      .filter(
        (alert) =>
          alert.fixed && alert.closedAt && alert.closedAt.slice(0, 10) > from && alert.ruleId !== NOT_ASSESSED_RULE,
      )
      .map((alert) => ({
        accountId: alert.accountId,
        days: daysBetween(alert.createdAt, alert.closedAt!),
        ...(assignees.get(alert.accountId)?.length ? { owners: assignees.get(alert.accountId)! } : {}),
      }));
  return (issues ?? [])
    .filter((issue) => issue.completedAt && issue.completedAt.slice(0, 10) > from)
    .flatMap((issue) =>
      issue.accountIds.map((accountId) => ({
        accountId,
        days: daysBetween(issue.createdAt, issue.completedAt!),
        owners: issue.assignees,
      })),
    );
}

export interface Scorecard {
  /** An owner's login, or an OU path. */
  name: string;
  openFindings: number;
  overdue: number;
  /** Days the oldest open finding of known age has been open. */
  oldestDays?: number;
  /** Fixes in the last 90 days. */
  fixed: number;
  medianDaysToFix?: number;
}

export const NO_OWNER = "(no owner)";
export const UNKNOWN_UNIT = "(OU unknown)";

/** Scorecards by owner and by OU, worst first: most overdue, then most open, then the oldest. */
export function scorecards(input: {
  findings: Finding[];
  ages: Map<string, FindingAge>;
  owners: Map<string, string[]>;
  fixes: Fix[];
  /** Every account's OU path, fixed ones included (the verdicts'). */
  units?: Map<string, string>;
}): { byOwner: Scorecard[]; byUnit: Scorecard[] } {
  const unitOf = new Map(input.units);
  for (const finding of input.findings)
    if (finding.organizationalUnit) unitOf.set(finding.accountId, finding.organizationalUnit);
  const ownersOf = (accountId: string, fallback?: string[]) => {
    const owners = input.owners.get(accountId) ?? fallback ?? [];
    return owners.length > 0 ? owners : [NO_OWNER];
  };
  const byOwner = tally(input, (accountId, fallback) => ownersOf(accountId, fallback));
  const byUnit = tally(input, (accountId) => [unitOf.get(accountId) ?? UNKNOWN_UNIT]);
  return { byOwner, byUnit };
}

function tally(
  input: { findings: Finding[]; ages: Map<string, FindingAge>; fixes: Fix[] },
  keysOf: (accountId: string, fallback?: string[]) => string[],
): Scorecard[] {
  const cards = new Map<string, Scorecard & { fixDays: number[] }>();
  const card = (name: string) => {
    let found = cards.get(name);
    if (!found) {
      found = { name, openFindings: 0, overdue: 0, fixed: 0, fixDays: [] };
      cards.set(name, found);
    }
    return found;
  };
  for (const finding of input.findings) {
    const age = input.ages.get(findingKey(finding));
    for (const name of keysOf(finding.accountId)) {
      const entry = card(name);
      entry.openFindings += 1;
      if (age?.overdueDays !== undefined) entry.overdue += 1;
      if (age) entry.oldestDays = Math.max(entry.oldestDays ?? 0, age.days);
    }
  }
  for (const fix of input.fixes) {
    for (const name of keysOf(fix.accountId, fix.owners)) {
      const entry = card(name);
      entry.fixed += 1;
      entry.fixDays.push(fix.days);
    }
  }
  return [...cards.values()]
    .map(({ fixDays, ...entry }) => {
      const median = medianOf(fixDays);
      return median === undefined ? entry : { ...entry, medianDaysToFix: median };
    })
    .sort(
      (a, b) =>
        b.overdue - a.overdue ||
        b.openFindings - a.openFindings ||
        (b.oldestDays ?? -1) - (a.oldestDays ?? -1) ||
        a.name.localeCompare(b.name),
    );
}

export function medianOf(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** "▁▂▄█": a series at a glance, for a line of text (a job summary's headline, a terminal). */
export function sparkline(values: number[]): string {
  if (values.length === 0) return "";
  const bars = "▁▂▃▄▅▆▇█";
  const low = Math.min(...values);
  const high = Math.max(...values);
  return values
    .map((value) => bars[high === low ? 0 : Math.round(((value - low) / (high - low)) * (bars.length - 1))])
    .join("");
}

/** What the history is rebuilt from, read before the outputs (main.ts, cli.ts). */
export interface HistorySources {
  /** Each counted finding's age (by finding key); a finding missing here is of unknown age. */
  ages: Map<string, FindingAge>;
  /** Every alert of this tool (open, fixed, dismissed); undefined when they could not be read. */
  alerts?: AlertRecord[];
  /** The remediation issues (open and closed); undefined when not read. */
  issues?: IssueRecord[];
  /** Earlier trend points carried by the baseline report (the CLI). */
  priorTrend?: TrendPoint[];
  /** Which history is missing, and why: one sentence each. */
  missing: string[];
}

export interface RemediationHistory {
  remediationDays?: RemediationDays;
  ages: Map<string, FindingAge>;
  /** Past remediation-days, oldest first. */
  overdue: Finding[];
  /** Accounts with an overdue finding. */
  overdueAccounts: number;
  trend: Trend;
  scorecards: { byOwner: Scorecard[]; byUnit: Scorecard[] };
  missing: string[];
}

/** The run's history: ages and deadlines, the trend up to this run's own counts, the scorecards. */
export function buildHistory(input: {
  findings: Finding[];
  now: string;
  noncompliant: number;
  notAssessed: number;
  sources: HistorySources;
  owners: Map<string, string[]>;
  /** Every account's OU path. */
  units?: Map<string, string>;
  remediationDays?: RemediationDays;
}): RemediationHistory {
  const { sources } = input;
  const overdue = overdueFindings(input.findings, sources.ages);
  const overdueAccounts = new Set(overdue.map((finding) => finding.accountId)).size;
  const today: TrendPoint = {
    date: input.now.slice(0, 10),
    noncompliant: input.noncompliant,
    notAssessed: input.notAssessed,
    overdue: overdueAccounts,
  };
  const trend = sources.alerts
    ? trendWith(
        trendFromAlerts(sources.alerts, today.date, input.remediationDays),
        today,
        "the code-scanning alerts' history",
      )
    : sources.priorTrend
      ? trendWith(sources.priorTrend, today, "the baseline report's trend")
      : trendWith([], today, "this run only");
  return {
    ...(input.remediationDays ? { remediationDays: input.remediationDays } : {}),
    ages: sources.ages,
    overdue,
    overdueAccounts,
    trend,
    scorecards: scorecards({
      findings: input.findings,
      ages: sources.ages,
      owners: input.owners,
      ...(input.units ? { units: input.units } : {}),
      fixes: fixesInWindow(sources.alerts, sources.issues, today.date),
    }),
    missing: sources.missing,
  };
}

/** "41 days", "new" (first seen this run), or "unknown": never "0 days" for what is not known. */
export function ageText(age: FindingAge | undefined): string {
  if (!age) return "unknown";
  if (age.source === "this run") return "new";
  return countOf(age.days, "day");
}

/** "error 30 days, warning 90 days". */
export function deadlinesText(days: RemediationDays): string {
  return (["error", "warning", "note"] as const)
    .filter((level) => days[level] !== undefined)
    .map((level) => `${level} ${countOf(days[level]!, "day")}`)
    .join(", ");
}

/** "300 (−12 in 7 days, −40 in 30 days)": a count and how it moved. */
function withChange(trend: Trend, field: keyof Omit<TrendPoint, "date">): string {
  const now = trend.points[trend.points.length - 1]![field];
  const signed = (value: number) =>
    value > 0 ? `+${formatNumber(value)}` : value < 0 ? `−${formatNumber(-value)}` : "±0";
  const moves = [
    trend.change7 ? `${signed(trend.change7[field])} in 7 days` : "",
    trend.change30 ? `${signed(trend.change30[field])} in 30 days` : "",
  ].filter(Boolean);
  return `${formatNumber(now)}${moves.length > 0 ? ` (${moves.join(", ")})` : ""}`;
}

/** The trend in one line: each count, how it moved over 7 and 30 days, and a sparkline of the non-compliant accounts. */
export function trendLine(history: RemediationHistory): string {
  const { trend } = history;
  const days = trend.points.length;
  const parts = [
    `non-compliant ${withChange(trend, "noncompliant")} ${sparkline(trend.points.slice(-SPARKLINE_POINTS).map((point) => point.noncompliant))}`,
    `not assessed ${withChange(trend, "notAssessed")}`,
    ...(history.remediationDays ? [`overdue ${withChange(trend, "overdue")}`] : []),
  ];
  // A single point is this run: where it came from says nothing.
  if (days === 1) return `Trend: this run is its first point: ${parts.join("; ")}.`;
  return `Trend over ${countOf(days, "day")} (from ${trend.source}): ${parts.join("; ")}.`;
}
