import { readFile } from "node:fs/promises";
import { findingKey, type Baseline, type BaselineEntry } from "./changes.js";
import { ConfigurationError } from "./configuration-error.js";
import type { TrendPoint } from "./remediation-history.js";
import { RULE_IDS, type RuleId } from "./rules/catalog.js";

/**
 * A previous JSON report (report-file) as the baseline of "what changed", for the CLI,
 * which has no code-scanning alerts to compare with. A finding's first sighting is carried
 * from report to report (`firstSeen`); a report without it dates its findings at its scan.
 */
/** A baseline, and the trend points the report carried. */
export type BaselineReport = Baseline & { trend?: TrendPoint[] };

export async function loadBaselineReport(path: string, flag = "--baseline"): Promise<BaselineReport> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigurationError(
      `Flag "${flag}" names "${path}", which ${code ? `cannot be read (${code})` : `is not valid JSON (${(error as Error).message})`}; ` +
        "it accepts a JSON report written by --report-file.",
    );
  }
  const report = parsed as { generatedAt?: unknown; findings?: unknown };
  if (typeof report?.generatedAt !== "string" || !Array.isArray(report.findings)) {
    throw new ConfigurationError(
      `Flag "${flag}" names "${path}", which is not an org-trail-audit JSON report (no generatedAt and ` +
        "findings); it accepts a JSON report written by --report-file.",
    );
  }
  const entries: BaselineEntry[] = [];
  for (const item of report.findings as Record<string, unknown>[]) {
    const ruleId = String(item?.ruleId ?? "");
    const accountId = String(item?.accountId ?? "");
    // A rule this version retired, or something that is not a finding: nothing to compare.
    if (!(RULE_IDS as readonly string[]).includes(ruleId) || !/^\d{12}$/.test(accountId)) continue;
    const trailArn = typeof item.trailArn === "string" ? item.trailArn : undefined;
    const since = typeof item.firstSeen === "string" ? item.firstSeen : report.generatedAt;
    entries.push({ ruleId: ruleId as RuleId, accountId, ...(trailArn ? { trailArn } : {}), since });
  }
  const unique = new Map(entries.map((entry) => [findingKey(entry), entry]));
  // The trend the report carried (history.trend.points): this run adds its own point to it.
  const points = (report as { history?: { trend?: { points?: unknown } } }).history?.trend?.points;
  const trend = Array.isArray(points)
    ? points.filter(
        (point): point is TrendPoint =>
          typeof point?.date === "string" &&
          /^\d{4}-\d{2}-\d{2}$/.test(point.date) &&
          ["noncompliant", "notAssessed", "overdue"].every((field) => Number.isInteger(point[field])),
      )
    : undefined;
  return {
    kind: "known",
    source: `the report ${path} (${report.generatedAt})`,
    entries: [...unique.values()],
    ...(trend && trend.length > 0 ? { trend } : {}),
  };
}
