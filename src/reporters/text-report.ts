import type { AuditResult } from "../audit.js";

/** A plain-text result for a terminal or a log: the counts, then each account's findings with the fix. */
export function renderTextReport(result: AuditResult): string {
  const { summary, evaluation } = result;
  const lines: string[] = [
    `org-trail-audit: ${summary.accountsScanned} accounts scanned, ${summary.compliant} compliant, ${summary.noncompliant} non-compliant, ${summary.notAssessed} not assessed, ${summary.skipped} skipped; ${summary.regionsRead} Regions read in ${(summary.durationMs / 1000).toFixed(1)} s.`,
    `Findings: ${summary.findingsByLevel.error} error, ${summary.findingsByLevel.warning} warning, ${summary.findingsByLevel.note} note.`,
    ...(summary.apiCalls > 0 ? [`AWS API calls: ${summary.apiCalls} (${summary.retries} retries, ${summary.throttles} throttled attempts).`] : []),
  ];
  const byAccount = new Map<string, typeof evaluation.findings>();
  for (const finding of evaluation.findings) {
    const list = byAccount.get(finding.accountId) ?? [];
    list.push(finding);
    byAccount.set(finding.accountId, list);
  }
  for (const verdict of evaluation.verdicts) {
    const findings = byAccount.get(verdict.accountId);
    if (!findings) continue;
    lines.push("", `${verdict.accountName} (${verdict.accountId}): ${verdict.verdict}`);
    for (const finding of findings) {
      lines.push(`  [${finding.level}] ${finding.ruleId}`, `    ${finding.message}`);
      for (const command of finding.fix) lines.push(`      ${command}`);
    }
  }
  const skipped = evaluation.verdicts.filter((verdict) => verdict.verdict === "skipped");
  if (skipped.length > 0) {
    lines.push("", `Skipped (not ACTIVE): ${skipped.map((verdict) => `${verdict.accountName} (${verdict.accountId}, ${verdict.state})`).join(", ")}`);
  }
  return `${lines.join("\n")}\n`;
}
