import type { AuditResult } from "../audit-result.js";
import type { Changes } from "../changes.js";
import { expiredFindings } from "../exceptions.js";
import { alertRecords } from "../reporters/carried-alerts.js";
import { ageFindings, type HistorySources, type IssueRecord, type RemediationDays } from "../remediation-history.js";
import type { OpenAlertsRead } from "./code-scanning-alerts.js";
import type { TrackedIssuesRead } from "./remediation-issues.js";

/**
 * What GitHub keeps, as the remediation history's sources: each alert's dates (every state,
 * read once for the upload's sake anyway) and each remediation issue's opening and closing.
 * A finding's first sighting is its alert's created_at, else its account's open issue's.
 */
export function githubHistorySources(input: {
  result: AuditResult;
  changes: Changes;
  alerts: OpenAlertsRead;
  issues: TrackedIssuesRead;
  remediationDays?: RemediationDays;
}): HistorySources {
  const { result, alerts, issues } = input;
  const missing: string[] = [];
  // A shard job's history is the fan-in job's: nothing is missing from it.
  if (alerts.kind !== "read" && !input.result.inventory.shard)
    missing.push(`Code-scanning alert history: ${alerts.reason}.`);
  if (issues.kind !== "read" && issues.expected) missing.push(`Remediation issue history: ${issues.reason}.`);
  const records: IssueRecord[] =
    issues.kind === "read"
      ? issues.issues.flatMap((issue) => {
          const accountIds = issue.key.startsWith("account:") ? [issue.key.slice(8)] : (issue.accounts ?? []);
          if (accountIds.length === 0 || !issue.createdAt) return [];
          return [
            {
              accountIds,
              createdAt: issue.createdAt,
              ...(issue.state === "closed" && issue.stateReason === "completed" && issue.closedAt
                ? { completedAt: issue.closedAt }
                : {}),
              assignees: issue.assignees ?? [],
            },
          ];
        })
      : [];
  // An open issue dates its account's findings when no alert does (the alerts unreadable).
  const issueOpenedAt = new Map<string, string>();
  if (issues.kind === "read")
    for (const issue of issues.issues)
      if (issue.state === "open" && issue.key.startsWith("account:") && issue.createdAt)
        issueOpenedAt.set(issue.key.slice(8), issue.createdAt);
  return {
    ages: ageFindings({
      findings: result.evaluation.findings,
      now: result.inventory.generatedAt,
      changes: input.changes,
      changesSource: alerts.kind === "read" ? "code-scanning alert" : "this run",
      issueOpenedAt,
      ...(input.remediationDays ? { remediationDays: input.remediationDays } : {}),
      ...(result.exceptions ? { exceptionExpired: expiredFindings(result.exceptions) } : {}),
    }),
    ...(alerts.kind === "read" ? { alerts: alertRecords(alerts.all, result.inventory) } : {}),
    ...(issues.kind === "read" ? { issues: records } : {}),
    missing,
  };
}
