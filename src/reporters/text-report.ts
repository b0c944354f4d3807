import pc from "picocolors";
import { describeScan, sideReadNotes, stoppedEarlyNote, type AuditResult } from "../audit-result.js";
import { ageText, deadlinesText, trendLine, type RemediationHistory } from "../remediation-history.js";
import { countOf, formatNumber } from "../plural.js";
import { daysBetween } from "../calendar.js";
import { findingKey, type Changes } from "../changes.js";
import { groupFindingsByAccount } from "../findings.js";
import { PLAN_EXAMPLES, type RemediationPlan } from "../remediation-plan.js";
import type { Level } from "../rules/catalog.js";
import { exceptionTerms, exceptionWarnings } from "../exceptions.js";

type Colors = ReturnType<typeof pc.createColors>;

/**
 * A plain-text result for a terminal or a log: the counts, then each account's findings
 * with the fix. Colours only when asked for (a terminal that has not set NO_COLOR).
 */
export function renderTextReport(
  result: AuditResult,
  options: { color?: boolean; changes?: Changes; history?: RemediationHistory } = {},
): string {
  const c: Colors = pc.createColors(options.color ?? false);
  const levelColor: Record<Level, (text: string) => string> = { error: c.red, warning: c.yellow, note: c.cyan };
  const { summary, evaluation } = result;
  const lines: string[] = [
    c.bold(
      `org-trail-audit: ${countOf(summary.accountsScanned, "account")} scanned, ${formatNumber(summary.compliant)} ` +
        `compliant, ${formatNumber(summary.noncompliant)} non-compliant, ` +
        (summary.exceptedAccounts > 0 ? `${formatNumber(summary.exceptedAccounts)} accepted by an exception, ` : "") +
        `${formatNumber(summary.notAssessed)} not assessed, ` +
        `${formatNumber(summary.skipped)} skipped; ${countOf(summary.regionsRead, "Region")} read ` +
        `${describeScan(summary, result.inventory.generatedAt)}.`,
    ),
    `Findings: ${c.red(countOf(summary.findingsByLevel.error, "error"))}, ` +
      `${c.yellow(countOf(summary.findingsByLevel.warning, "warning"))}, ` +
      `${c.cyan(countOf(summary.findingsByLevel.note, "note"))}.`,
    ...(stoppedEarlyNote(summary) ? [c.bold(c.red(stoppedEarlyNote(summary)!))] : []),
    ...sideReadNotes(summary),
    ...(summary.apiCalls > 0
      ? [
          `AWS API calls: ${formatNumber(summary.apiCalls)} (${countOf(summary.retries, "retry", "retries")}, ` +
            `${countOf(summary.throttles, "throttled attempt")}).`,
        ]
      : []),
    ...(options.changes ? ["", ...changesText(options.changes, result.inventory.generatedAt)] : []),
    "",
    c.bold("What to do"),
    ...planText(result.plan),
    ...(options.history ? historyText(options.history, c) : []),
  ];
  const byAccount = groupFindingsByAccount(evaluation.findings);
  for (const verdict of evaluation.verdicts) {
    const findings = byAccount.get(verdict.accountId);
    if (!findings) continue;
    // An account whose only finding is that it was not read is said with its group, below.
    if (findings.every((finding) => finding.ruleId === "cloudtrail/account-not-assessed")) continue;
    const status = verdict.excepted ? "non-compliant, accepted by an exception (below)" : verdict.verdict;
    lines.push("", c.bold(`${verdict.accountName} (${verdict.accountId}): ${status}`));
    for (const finding of findings) {
      const age = options.history?.ages.get(findingKey(finding));
      // Unknown is left unsaid (never "0 days"); the history lines below say why it is unknown.
      const open = age
        ? ` (open ${ageText(age)}${age.overdueDays !== undefined ? `, overdue since ${age.dueOn}` : ""})`
        : "";
      lines.push(
        `  ${levelColor[finding.level](`[${finding.level}]`)} ${finding.ruleId}${open}`,
        `    ${finding.message}`,
      );
      for (const command of finding.fix) lines.push(`      ${command.startsWith("#") ? c.dim(command) : command}`);
    }
  }
  for (const group of result.plan.notAssessed) {
    lines.push(
      "",
      c.bold(`Not assessed (${group.title}): ${countOf(group.accounts.length, "account")}`),
      `  For example: ${group.example}.`,
      `  ${group.fix}`,
      `  Accounts: ${group.accounts.map((account) => account.id).join(", ")}`,
    );
  }
  lines.push(...exceptionsText(result, c));
  const skipped = evaluation.verdicts.filter((verdict) => verdict.verdict === "skipped");
  if (skipped.length > 0) {
    lines.push(
      "",
      `Skipped (not ACTIVE): ${skipped.map((verdict) => `${verdict.accountName} (${verdict.accountId}, ${verdict.state})`).join(", ")}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Overdue (with remediation-days), the trend in one line, and the worst OUs. */
function historyText(history: RemediationHistory, c: Colors): string[] {
  const lines: string[] = [];
  if (history.remediationDays) {
    lines.push(
      "",
      c.bold(
        `Overdue (remediation-days ${deadlinesText(history.remediationDays)}): ${countOf(history.overdue.length, "finding")} ` +
          `in ${countOf(history.overdueAccounts, "account")}`,
      ),
    );
    for (const finding of history.overdue.slice(0, PLAN_EXAMPLES * 3)) {
      const age = history.ages.get(findingKey(finding));
      lines.push(
        `  ${finding.accountName} (${finding.accountId}) ${finding.ruleId}: open ${ageText(age)}, due ${age?.dueOn}`,
      );
    }
    if (history.overdue.length > PLAN_EXAMPLES * 3)
      lines.push(
        `  and ${formatNumber(history.overdue.length - PLAN_EXAMPLES * 3)} more (the JSON report lists them all)`,
      );
  }
  lines.push("", trendLine(history), ...history.missing);
  const units = history.scorecards.byUnit.filter((card) => card.openFindings > 0).slice(0, PLAN_EXAMPLES);
  if (units.length > 0)
    lines.push(
      `Worst OUs: ${units.map((card) => `${card.name} (${countOf(card.openFindings, "open finding")}, ${formatNumber(card.overdue)} overdue)`).join("; ")}.`,
    );
  return lines;
}

function examples(accounts: { id: string; name: string }[]): string {
  const names = accounts
    .slice(0, PLAN_EXAMPLES)
    .map((account) => (account.name && account.name !== account.id ? `${account.name} (${account.id})` : account.id));
  return `${names.join(", ")}${accounts.length > PLAN_EXAMPLES ? `, and ${formatNumber(accounts.length - PLAN_EXAMPLES)} more` : ""}`;
}

/** The plan, as the job summary has it: the organization-level fix, then each cause with its count and group fix. */
export function planText(plan: RemediationPlan): string[] {
  if (plan.noncompliant === 0 && plan.notAssessed.length === 0)
    return ["  Nothing: every assessed account records its global service events."];
  const lines: string[] = [];
  const fix = plan.organizationFix;
  if (fix?.kind === "create") {
    lines.push(
      "  Organization-level fix: one multi-Region organization trail from the management account " +
        `${fix.managementAccountId} would cover ${countOf(fix.wouldCover, "account")} that ` +
        `${fix.wouldCover === 1 ? "records" : "record"} no global ` +
        "service events.",
      `  It needs trusted access for CloudTrail and the organization bucket policy: deploy/organization-trail.yaml creates both.`,
      fix.secondCopies > 0
        ? `  Cost: ${countOf(fix.secondCopies, "account")} already record their own copy and would pay for a ` +
            "second ($2.00 per 100,000 management events; global-events-duplicated then notes each): delete " +
            "their own trails once it logs, or keep them for data events only."
        : "  Cost: no account records its own copy today.",
      ...fix.commands.map((command) => `    ${command}`),
    );
  } else if (fix) {
    lines.push(
      `  Organization-level fix: repair ${fix.recorder!.name} (home ${fix.recorder!.homeRegion}): ` +
        `${fix.recorder!.problem}. That restores ${countOf(fix.wouldCover, "account")}.`,
      ...fix.commands.map((command) => `    ${command}`),
    );
  }
  if (plan.groups.length > 0) lines.push(`  ${countOf(plan.noncompliant, "non-compliant account")}, by cause:`);
  for (const group of plan.groups) {
    lines.push(
      `  - ${group.title}: ${formatNumber(group.accounts.length)} (${examples(group.accounts)})`,
      ...(group.topUnits.length > 0
        ? [`      Top OUs: ${group.topUnits.map((unit) => `${unit.path} (${formatNumber(unit.accounts)})`).join(", ")}`]
        : []),
      `      ${group.fix}`,
      ...(group.command ? [`      ${group.command}`] : []),
    );
  }
  for (const group of plan.notAssessed)
    lines.push(
      `  - Not assessed (${group.title}): ${formatNumber(group.accounts.length)} (${examples(group.accounts)})`,
      `      ${group.fix}`,
    );
  return lines;
}

function changesText(changes: Changes, generatedAt: string): string[] {
  if (!changes.known) return [`What changed since the last run is unknown: ${changes.reason}.`];
  const oldest = Math.max(0, ...changes.stillOpen.map(({ since }) => daysBetween(since, generatedAt)));
  return [
    `Since ${changes.source}: ${countOf(changes.added.length, "new finding")}, ` +
      `${formatNumber(changes.resolved.length)} resolved, ${formatNumber(changes.stillOpen.length)} still ` +
      `open${changes.stillOpen.length > 0 ? ` (the oldest for ${countOf(oldest, "day")})` : ""}` +
      (changes.newlyNotAssessed.length > 0
        ? `; ${countOf(changes.newlyNotAssessed.length, "account")} newly not assessed`
        : "") +
      ".",
    ...changes.added
      .slice(0, PLAN_EXAMPLES)
      .map((finding) => `  new: ${finding.accountName} (${finding.accountId}) ${finding.ruleId}`),
  ];
}

/** What the exceptions file accepted this run, and what needs a person (expiring, expired, stale entries). */
function exceptionsText(result: AuditResult, c: Colors): string[] {
  const outcome = result.exceptions;
  if (!outcome) return [];
  const lines = [
    "",
    c.bold(`Accepted exceptions (${outcome.path}): ${countOf(result.excepted.length, "finding")}, not counted`),
  ];
  for (const finding of result.excepted) {
    lines.push(
      `  ${finding.accountName} (${finding.accountId}) ${finding.ruleId}: ${exceptionTerms(finding.exception!)}, ` +
        `entry ${finding.exception!.entry}`,
    );
  }
  for (const warning of exceptionWarnings(outcome)) lines.push(c.yellow(`  ${warning.title}: ${warning.message}`));
  return lines;
}
