import { countOf } from "../plural.js";
import type { AuditResult } from "../audit-result.js";
import { entryName, EXPIRY_WARNING_DAYS, exceptionWarnings } from "../exceptions.js";
import { exceptedAlertsLeftOpen, type ExceptedAlerts } from "./alert-dismissals.js";
import { codeCell, escapeMarkdown } from "./markdown.js";

/**
 * The job summary's "Accepted exceptions": each excepted finding with its reason, approver
 * and expiry (those expiring within 14 days marked), then what needs a person: expired and
 * stale entries, and alerts that could not be dismissed.
 */
export function exceptionsMarkdown(
  result: AuditResult,
  exceptedAlerts: ExceptedAlerts | undefined,
): { heading: string; summary: string; header: string[]; rows: string[][]; notes: string[] } | undefined {
  const outcome = result.exceptions;
  if (!outcome) return undefined;
  const daysLeft = new Map(outcome.active.map((item) => [item.entry.index, item.expiresInDays]));
  const rows = result.excepted.map((finding) => {
    const exception = finding.exception!;
    const days = daysLeft.get(exception.entry) ?? 0;
    return [
      `${escapeMarkdown(finding.accountName)} (${finding.accountId})`,
      `${finding.level}: ${codeCell(finding.ruleId)}`,
      escapeMarkdown(exception.reason),
      escapeMarkdown(exception.approvedBy ?? ""),
      days <= EXPIRY_WARNING_DAYS
        ? `**${exception.expires}** (:warning: in ${days} day${days === 1 ? "" : "s"})`
        : exception.expires,
      `entry ${exception.entry}`,
    ];
  });
  const notes = exceptionWarnings(outcome).map(
    (warning) => `> [!WARNING]\n> **${escapeMarkdown(warning.title)}.** ${escapeMarkdown(warning.message)}`,
  );
  const leftOpen = exceptedAlertsLeftOpen(exceptedAlerts);
  if (leftOpen) notes.push(`> [!WARNING]\n> ${escapeMarkdown(leftOpen)}`);
  if (exceptedAlerts?.kind === "synced") {
    const { dismissed, reopened, withoutAlert } = exceptedAlerts.result;
    const parts = [
      dismissed > 0 ? `${dismissed} dismissed as won't fix` : "",
      reopened > 0 ? `${reopened} reopened (their exception expired or was removed)` : "",
      withoutAlert.length > 0
        ? `${countOf(withoutAlert.length, "excepted finding has", "excepted findings have")} no alert yet: ` +
          "this run's upload creates it, the next run dismisses it"
        : "",
    ].filter(Boolean);
    if (parts.length > 0) notes.push(`Code-scanning alerts of exceptions: ${parts.join("; ")}.`);
  }
  const entries = outcome.active.filter((item) => item.findings.length > 0).map((item) => entryName(item.entry));
  return {
    heading: "### Accepted exceptions",
    summary:
      `${countOf(result.excepted.length, "finding")} accepted by ` +
      `${countOf(entries.length, "entry", "entries")} of ${outcome.path}: reported, not counted`,
    header: ["Account", "Rule", "Reason", "Approved by", "Expires", "Entry"],
    rows,
    notes,
  };
}
