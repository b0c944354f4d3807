import pc from "picocolors";
import { describeScan, perRegionNote, type AuditResult } from "../audit.js";
import { countOf } from "../plural.js";
import { groupFindingsByAccount } from "../findings.js";
import type { Level } from "../rules/catalog.js";

type Colors = ReturnType<typeof pc.createColors>;

/**
 * A plain-text result for a terminal or a log: the counts, then each account's findings
 * with the fix. Colours only when asked for (a terminal that has not set NO_COLOR).
 */
export function renderTextReport(result: AuditResult, options: { color?: boolean } = {}): string {
  const c: Colors = pc.createColors(options.color ?? false);
  const levelColor: Record<Level, (text: string) => string> = { error: c.red, warning: c.yellow, note: c.cyan };
  const { summary, evaluation } = result;
  const lines: string[] = [
    c.bold(
      `org-trail-audit: ${countOf(summary.accountsScanned, "account")} scanned, ${summary.compliant} compliant, ${summary.noncompliant} non-compliant, ${summary.notAssessed} not assessed, ${summary.skipped} skipped; ${countOf(summary.regionsRead, "Region")} read ${describeScan(summary, result.inventory.generatedAt)}.`,
    ),
    `Findings: ${c.red(countOf(summary.findingsByLevel.error, "error"))}, ${c.yellow(countOf(summary.findingsByLevel.warning, "warning"))}, ${c.cyan(countOf(summary.findingsByLevel.note, "note"))}.`,
    ...(summary.lakeNotRead ? [`CloudTrail Lake was not read (${summary.lakeNotRead}): verdicts rest on trails.`] : []),
    ...(perRegionNote(summary) ? [perRegionNote(summary)!] : []),
    ...(summary.apiCalls > 0 ? [`AWS API calls: ${summary.apiCalls} (${countOf(summary.retries, "retry", "retries")}, ${countOf(summary.throttles, "throttled attempt")}).`] : []),
  ];
  const byAccount = groupFindingsByAccount(evaluation.findings);
  for (const verdict of evaluation.verdicts) {
    const findings = byAccount.get(verdict.accountId);
    if (!findings) continue;
    lines.push("", c.bold(`${verdict.accountName} (${verdict.accountId}): ${verdict.verdict}`));
    for (const finding of findings) {
      lines.push(`  ${levelColor[finding.level](`[${finding.level}]`)} ${finding.ruleId}`, `    ${finding.message}`);
      for (const command of finding.fix) lines.push(`      ${command.startsWith("#") ? c.dim(command) : command}`);
    }
  }
  const skipped = evaluation.verdicts.filter((verdict) => verdict.verdict === "skipped");
  if (skipped.length > 0) {
    lines.push("", `Skipped (not ACTIVE): ${skipped.map((verdict) => `${verdict.accountName} (${verdict.accountId}, ${verdict.state})`).join(", ")}`);
  }
  return `${lines.join("\n")}\n`;
}
