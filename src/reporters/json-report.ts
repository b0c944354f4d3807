import { allFindings, type AuditResult } from "../audit-result.js";
import { entryName, type ExceptionEntry, type ExceptionsOutcome } from "../exceptions.js";
import { findingKey, type Changes } from "../changes.js";
import type { RemediationHistory } from "../remediation-history.js";
import { TOOL_NAME, TOOL_VERSION } from "../version.js";

/**
 * Everything a run knows, for people and scripts: the summary, each account's verdict,
 * every finding (none left out, unlike SARIF), and the inventory itself, which
 * `inventory-file` accepts to evaluate the same scan again offline.
 */
export function buildJsonReport(
  result: AuditResult,
  omittedSarifResults = 0,
  changes?: Changes,
  history?: RemediationHistory,
) {
  const generatedAt = result.inventory.generatedAt;
  return {
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    generatedAt,
    summary: { ...result.summary, omittedSarifResults },
    plan: result.plan,
    ...(changes ? { changes: changesSummary(changes) } : {}),
    verdicts: result.evaluation.verdicts,
    // firstSeen: when the finding was first reported, carried from the baseline; the next
    // run given this report as its baseline keeps counting from there. Absent when unknown.
    // Excepted findings too, each with its exception: accepted is not fixed.
    // Unknown (no baseline, no alerts to compare with) is absent: never the scan's time, which would read as "new today".
    findings: allFindings(result).map((finding) => {
      const age = history?.ages.get(findingKey(finding));
      return {
        ...finding,
        ...(age
          ? {
              firstSeen: age.firstSeen,
              firstSeenFrom: age.source,
              openDays: age.days,
              ...(age.dueOn ? { dueOn: age.dueOn, overdue: age.overdueDays !== undefined } : {}),
            }
          : {}),
      };
    }),
    ...(history ? { history: historySummary(history) } : {}),
    ...(result.exceptions ? { exceptions: exceptionsSummary(result.exceptions) } : {}),
    inventory: result.inventory,
  };
}

/** The trend (which the next run's --baseline carries on), the overdue counts and every scorecard. */
function historySummary(history: RemediationHistory) {
  return {
    ...(history.remediationDays ? { remediationDays: history.remediationDays } : {}),
    overdueFindings: history.overdue.length,
    overdueAccounts: history.overdueAccounts,
    trend: history.trend,
    scorecards: history.scorecards,
    missing: history.missing,
  };
}

function exceptionsSummary(outcome: ExceptionsOutcome) {
  const entry = (item: ExceptionEntry) => ({ ...item, name: entryName(item) });
  return {
    file: outcome.path,
    active: outcome.active.map((item) => ({
      ...entry(item.entry),
      expiresInDays: item.expiresInDays,
      findings: item.findings.length,
    })),
    expired: outcome.expired.map((item) => ({
      ...entry(item.entry),
      findings: item.findings.length,
      acceptedByEntries: item.acceptedBy.map((other) => other.index),
    })),
    stale: outcome.stale.map(entry),
    overlapped: outcome.overlapped.map((item) => ({
      ...entry(item.entry),
      acceptedByEntries: item.acceptedBy.map((other) => other.index),
    })),
    unresolvedOrganizationalUnits: outcome.unresolvedUnits,
  };
}

function changesSummary(changes: Changes) {
  if (!changes.known) return { known: false, reason: changes.reason };
  return {
    known: true,
    comparedWith: changes.source,
    newFindings: changes.added.length,
    resolvedFindings: changes.resolved.length,
    stillOpen: changes.stillOpen.length,
    resolved: changes.resolved,
    newlyNotAssessed: changes.newlyNotAssessed.map((verdict) => verdict.accountId),
  };
}
