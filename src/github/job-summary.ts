import { describeScan, sideReadNotes, stoppedEarlyNote, type AuditResult } from "../audit-result.js";
import { countOf, formatNumber } from "../plural.js";
import { groupFindingsByAccount, isAssessed, type AccountVerdict, type Finding } from "../findings.js";
import { findingKey, type Changes } from "../changes.js";
import { ageText, type RemediationHistory } from "../remediation-history.js";
import { overdueMarkdown, scorecardsMarkdown, trendMarkdown } from "./history-markdown.js";
import type { IssueSyncResult } from "./issue-sync.js";
import { codeCell, escapeMarkdown, htmlText, inlineCode, markdownTable, sentenceMarkdown } from "./markdown.js";
import { changesMarkdown, issueLinkText, planMarkdown, type IssueLink } from "./plan-markdown.js";
import type { ExceptedAlerts } from "./alert-dismissals.js";
import { exceptionsMarkdown } from "./exceptions-markdown.js";

/** GitHub refuses a step summary over 1 MiB; stay well below with room for the closing lines. */
export const SUMMARY_BUDGET_BYTES = 900 * 1024;

export interface SummaryContext {
  result: AuditResult;
  /** Ages, deadlines, trend and scorecards (remediation-history.ts). */
  history?: RemediationHistory;
  /** Owner logins by account id, for the accounts that have them. */
  owners?: Map<string, string[]>;
  issues?: IssueSyncResult;
  omittedSarifResults?: number;
  /** Open code-scanning alerts of unassessed accounts written again into the SARIF. */
  carriedSarifResults?: number;
  /** Why the open code-scanning alerts could not be read, when they could not. */
  alertsUnreadable?: string;
  reportFile?: string;
  budgetBytes?: number;
  /** What changed since the last run; absent when not compared. */
  changes?: Changes;
  /** The issue that tracks each account (its own, or its owner's), where one exists. */
  issueLinks?: Map<string, IssueLink>;
  /** The organization issue, when the organization-level fix has one. */
  organizationIssue?: IssueLink;
  /** What became of the alerts of excepted findings. */
  exceptedAlerts?: ExceptedAlerts;
  /** Outputs written before the summary that failed (the issues, a report): each one line, said first. */
  failures?: { output: string; reason: string }[];
}

/** How many deferred operations the summary lists before it counts the rest. */
const LISTED_OPERATIONS = 50;

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Above this many rows a table is folded away: the plan above it is what a reader acts on. */
const FOLD_ROWS = 20;

/**
 * The alerts that may close as if fixed when the open alerts could not be read to carry them
 * over: those of accounts not assessed or skipped, and of accounts outside a selection or a
 * shard. Only what is true of this run is said: nothing when the run put every account's
 * alerts in the SARIF itself.
 */
export function alertsAtRisk(result: AuditResult): { accounts: AccountVerdict[]; outsideSelection: boolean } {
  const { inventory } = result;
  return {
    accounts: result.evaluation.verdicts.filter((verdict) => !isAssessed(verdict)),
    outsideSelection: inventory.selection !== undefined || inventory.shard !== undefined,
  };
}

/** The open alerts could not be read and some may close though nothing was fixed: worth a warning and, with fail-on, the step. */
export function alertsMayClose(result: AuditResult, alertsUnreadable: string | undefined): boolean {
  return alertsUnreadable !== undefined && whoseAlertsMayClose(result) !== undefined;
}

/**
 * "the 2 accounts not assessed or skipped this run (…) and of any account outside this run's
 * selection": whose alerts may close, for the log (names left out) and the summary (names
 * escaped); undefined when nobody's may.
 */
export function whoseAlertsMayClose(result: AuditResult, names?: (text: string) => string): string | undefined {
  const { accounts, outsideSelection } = alertsAtRisk(result);
  if (accounts.length === 0 && !outsideSelection) return undefined;
  const listed = names
    ? ` (${accounts
        .slice(0, 50)
        .map((verdict) => `${names(verdict.accountName || verdict.accountId)} (${verdict.accountId})`)
        .join(", ")}${accounts.length > 50 ? `, and ${countOf(accounts.length - 50, "more")}` : ""})`
    : "";
  return [
    ...(accounts.length > 0
      ? [`the ${countOf(accounts.length, "account")} not assessed or skipped this run${listed}`]
      : []),
    ...(outsideSelection ? ["any account outside this run's selection"] : []),
  ].join(" and of ");
}

function alertsAtRiskMarkdown(result: AuditResult, reason: string): string {
  const whose = whoseAlertsMayClose(result, escapeMarkdown);
  if (!whose)
    return (
      `> [!NOTE]\n> The open code-scanning alerts could not be read: ${sentenceMarkdown(reason)}. Every account ` +
      "was assessed and is in this SARIF, so no alert will close unless its account was fixed; what changed " +
      "since the last run is unknown."
    );
  return (
    `> [!CAUTION]\n> The open code-scanning alerts could not be read: ${sentenceMarkdown(reason)}. Code ` +
    `scanning closes, as fixed, every open alert missing from an upload, so the open alerts of ${whose} may ` +
    "close although nothing was fixed."
  );
}

/** The job summary's chart: the last 30 days (the organization issue's has 90). */
const SUMMARY_CHART_DAYS = 30;

/** The job summary: a headline, the accounts that need work, and the compliant ones folded away. */
export function renderJobSummary(context: SummaryContext): string {
  const { result } = context;
  const { summary } = result;
  const budget = new ByteBudget(context.budgetBytes ?? SUMMARY_BUDGET_BYTES);
  const unitOfAccount = new Map(
    result.evaluation.verdicts.map((verdict) => [verdict.accountId, verdict.organizationalUnit]),
  );
  const fullList = context.reportFile
    ? `the JSON report (${inlineCode(context.reportFile)}) has the full list`
    : "set the report-file input for a JSON report with the full list";

  budget.add(
    [
      "## CloudTrail global service events",
      "",
      ...(stoppedEarlyNote(summary) ? [`> [!CAUTION]\n> ${sentenceMarkdown(stoppedEarlyNote(summary)!)}`, ""] : []),
      ...(context.failures ?? []).flatMap((failure) => [
        `> [!CAUTION]\n> ${sentenceMarkdown(`${capitalised(failure.output)} failed: ${failure.reason}`)} The step fails.`,
        "",
      ]),
      `${countOf(summary.accountsScanned, "account").replace(/^[\d,]+/, (count) => `**${count}**`)} scanned: ` +
        `**${formatNumber(summary.compliant)}** compliant, **${formatNumber(summary.noncompliant)}** non-compliant, ` +
        (summary.exceptedAccounts > 0
          ? `**${formatNumber(summary.exceptedAccounts)}** accepted by an exception, `
          : "") +
        `**${formatNumber(summary.notAssessed)}** not assessed; ${formatNumber(summary.skipped)} skipped (not ACTIVE). ` +
        `${countOf(summary.regionsRead, "Region")} ` +
        `read${summary.regionsFailed ? `, ${formatNumber(summary.regionsFailed)} failed` : ""}, ` +
        `${escapeMarkdown(describeScan(summary, result.inventory.generatedAt))}.`,
      "",
      `Findings: ${countOf(summary.findingsByLevel.error, "error")}, ` +
        `${countOf(summary.findingsByLevel.warning, "warning")}, ` +
        `${countOf(summary.findingsByLevel.note, "note")}.` +
        (summary.apiCalls > 0
          ? ` AWS API calls: ${formatNumber(summary.apiCalls)} (${countOf(summary.retries, "retry", "retries")}, ` +
            `${countOf(summary.throttles, "throttled attempt")}).`
          : "") +
        (result.inventory.shard
          ? ` This job scanned shard ${result.inventory.shard.index} of ${result.inventory.shard.count}.`
          : ""),
      ...(context.changes
        ? ["", "### Since the last run", "", ...changesMarkdown(context.changes, result.inventory.generatedAt)]
        : []),
      "",
      "### What to do",
      "",
      ...planMarkdown(result.plan, context.organizationIssue),
      ...(context.history
        ? [
            ...overdueMarkdown(context.history, context.owners ?? new Map(), (accountId) =>
              unitOfAccount.get(accountId),
            ),
            ...trendMarkdown(context.history, SUMMARY_CHART_DAYS),
            ...scorecardsMarkdown(context.history),
          ]
        : []),
      ...sideReadNotes(summary).flatMap((note) => ["", `> [!NOTE]\n> ${escapeMarkdown(note)}`]),
      ...(context.omittedSarifResults
        ? [
            "",
            `> [!WARNING]\n> ${context.omittedSarifResults} least severe results were left out of the SARIF to ` +
              `stay within GitHub's code-scanning limits; ${fullList}.`,
          ]
        : []),
      ...(context.carriedSarifResults
        ? [
            "",
            `> [!NOTE]\n> ${countOf(context.carriedSarifResults, "open code-scanning alert was", "open code-scanning alerts were")} ` +
              "carried over unchanged from accounts not assessed this run, so they stay open until those accounts " +
              "are assessed again.",
          ]
        : []),
      ...(context.alertsUnreadable ? ["", alertsAtRiskMarkdown(result, context.alertsUnreadable)] : []),
      "",
    ].join("\n"),
  );

  const byAccount = groupFindingsByAccount(result.evaluation.findings);
  const verdictOf = new Map(result.evaluation.verdicts.map((verdict) => [verdict.accountId, verdict]));
  const ageOf = (finding: Finding) => ageText(context.history?.ages.get(findingKey(finding)));
  // The issue column only where issues are kept: an empty column is noise.
  const withIssue = (cells: string[], accountId: string) =>
    context.issueLinks ? [cells[0]!, issueLinkText(context.issueLinks.get(accountId)), ...cells.slice(1)] : cells;
  const issueHeader = (header: string[]) => (context.issueLinks ? [header[0]!, "Issue", ...header.slice(1)] : header);
  // The OU column only where the scan walked the OU tree (an older saved scan did not).
  const withUnits = result.evaluation.verdicts.some((verdict) => verdict.organizationalUnit !== undefined);
  const unitHeader = withUnits ? ["OU"] : [];
  const unitCell = (accountId: string) =>
    withUnits ? [escapeMarkdown(verdictOf.get(accountId)?.organizationalUnit ?? "unknown")] : [];
  const findingRows = result.evaluation.findings
    .filter((finding) => finding.ruleId !== "cloudtrail/account-not-assessed")
    .map((finding) => {
      const verdict = verdictOf.get(finding.accountId);
      return withIssue(
        [
          accountCell(finding.accountName, finding.accountId),
          ...unitCell(finding.accountId),
          ownersCell(context.owners?.get(finding.accountId)),
          `${finding.level}: ${codeCell(finding.ruleId)}`,
          ...(context.history ? [ageOf(finding)] : []),
          finding.trails
            .map((trail) => `${escapeMarkdown(trail.name)} (${escapeMarkdown(trail.homeRegion)})`)
            .join("<br>") || "none",
          fixCell(finding, verdict),
        ],
        finding.accountId,
      );
    });
  budget.foldedTable(
    "### Findings",
    `${countOf(findingRows.length, "finding")} by account`,
    issueHeader(["Account", ...unitHeader, "Owner", "Rule", ...(context.history ? ["Open"] : []), "Trails", "Fix"]),
    findingRows,
    fullList,
  );

  const notAssessed = result.evaluation.verdicts.filter((verdict) => verdict.verdict === "not-assessed");
  budget.foldedTable(
    "### Not assessed",
    `${countOf(notAssessed.length, "account")} not assessed, with the reason`,
    issueHeader(["Account", ...unitHeader, "Owner", "Reason"]),
    notAssessed.map((verdict) =>
      withIssue(
        [
          accountCell(verdict.accountName, verdict.accountId),
          ...unitCell(verdict.accountId),
          ownersCell(context.owners?.get(verdict.accountId)),
          escapeMarkdown(verdict.reason ?? ""),
        ],
        verdict.accountId,
      ),
    ),
    fullList,
  );

  const exceptions = exceptionsMarkdown(result, context.exceptedAlerts);
  if (exceptions) {
    budget.foldedTable(exceptions.heading, exceptions.summary, exceptions.header, exceptions.rows, fullList);
    if (exceptions.rows.length === 0) budget.add(`\n${exceptions.heading}\n\n${escapeMarkdown(exceptions.summary)}.\n`);
    for (const note of exceptions.notes) budget.add(`\n${note}\n`);
  }

  if (context.issues) budget.add(renderIssueSection(context.issues));

  const compliant = result.evaluation.verdicts.filter((verdict) => verdict.verdict === "compliant");
  if (compliant.length > 0) {
    budget.add(`\n<details><summary>${formatNumber(compliant.length)} compliant accounts</summary>\n\n`);
    budget.table(
      "",
      ["Account", ...unitHeader, "Covered by"],
      compliant.map((verdict) => [
        accountCell(verdict.accountName, verdict.accountId),
        ...unitCell(verdict.accountId),
        verdict.coveredBy.map((arn) => escapeMarkdown(arn)).join("<br>") +
          (byAccount.has(verdict.accountId) ? " (see notes above)" : ""),
      ]),
      fullList,
    );
    budget.add("\n</details>\n", true);
  }
  const skipped = result.evaluation.verdicts.filter((verdict) => verdict.verdict === "skipped");
  if (skipped.length > 0) {
    budget.add(
      `\n${countOf(skipped.length, "account")} skipped because not ACTIVE: ${skipped
        .slice(0, 50)
        .map(
          (verdict) =>
            `${escapeMarkdown(verdict.accountName)} (${verdict.accountId}, ${escapeMarkdown(verdict.state)})`,
        )
        .join(", ")}${skipped.length > 50 ? `, and ${formatNumber(skipped.length - 50)} more` : ""}.\n`,
    );
  }
  return budget.text();
}

function renderIssueSection(issues: IssueSyncResult): string {
  const lines = ["", "### Remediation issues", ""];
  const verb = issues.dryRun ? "planned (dry run, nothing written)" : "done";
  lines.push(
    `Issues ${verb}: ${issues.opened} opened, ${issues.reopened} reopened, ${issues.updated} updated, ${issues.closed} closed; ${issues.unchanged} unchanged.`,
  );
  if (issues.failed.length > 0) {
    lines.push(
      "",
      `> [!WARNING]\n> GitHub refused ${countOf(issues.failed.length, "issue operation")}; the others went ahead, and this step fails so that it is seen:`,
      ...issues.failed.map(
        (failure) => `> - ${escapeMarkdown(failure.operation)}: ${sentenceMarkdown(failure.reason)}`,
      ),
    );
  }
  const byBudget = issues.deferred - issues.rateLimitedOperations.length;
  if (byBudget > 0) {
    lines.push(
      "",
      `${countOf(byBudget, "issue operation was", "issue operations were")} deferred by max-issue-operations; the next run continues.`,
    );
  }
  if (issues.rateLimited) {
    lines.push(
      "",
      `> [!WARNING]\n> GitHub kept refusing writes for its rate limit (${escapeMarkdown(issues.rateLimited)}), so ` +
        `${countOf(issues.rateLimitedOperations.length, "issue operation was", "issue operations were")} left for the next run:`,
      "",
      "<details><summary>Deferred issue operations</summary>",
      "",
      ...issues.rateLimitedOperations.slice(0, LISTED_OPERATIONS).map((operation) => `- ${escapeMarkdown(operation)}`),
      ...(issues.rateLimitedOperations.length > LISTED_OPERATIONS
        ? [`- and ${countOf(issues.rateLimitedOperations.length - LISTED_OPERATIONS, "more")}`]
        : []),
      "",
      "</details>",
    );
  }
  if (issues.unassignable.length > 0) {
    lines.push(
      "",
      `Not assignable in this repository, named in the issue without a mention: ${issues.unassignable.map((login) => inlineCode(login)).join(", ")}.`,
    );
  }
  if (issues.ownerWarnings.length > 0) {
    lines.push("", ...issues.ownerWarnings.map((warning) => `- ${escapeMarkdown(warning)}`));
  }
  return `${lines.join("\n")}\n`;
}

function accountCell(name: string, id: string): string {
  return name && name !== id ? `${escapeMarkdown(name)} (${id})` : id;
}

function ownersCell(owners: string[] | undefined): string {
  return owners && owners.length > 0 ? owners.map((login) => escapeMarkdown(`@${login}`)).join(", ") : "";
}

function fixCell(finding: Finding, verdict: AccountVerdict | undefined): string {
  const command = finding.fix.find((line) => !line.startsWith("#"));
  const failed =
    verdict && verdict.failedRegions.length > 0 ? ` (Regions not read: ${verdict.failedRegions.join(", ")})` : "";
  return command ? `${codeCell(command)}${failed}` : escapeMarkdown(finding.fix[0] ?? "") + failed;
}

/** Appends text while it fits; tables are cut row by row with a line saying how many were left out. */
class ByteBudget {
  private readonly parts: string[] = [];
  private used = 0;
  // Room kept for the cut-off lines and closing tags that must always fit.
  private static readonly RESERVE = 4 * 1024;

  constructor(private readonly limit: number) {}

  add(text: string, always = false): boolean {
    const size = Buffer.byteLength(text);
    if (!always && this.used + size > this.limit - ByteBudget.RESERVE) return false;
    this.parts.push(text);
    this.used += size;
    return true;
  }

  table(heading: string, header: string[], rows: string[][], fullList: string): void {
    if (rows.length === 0) return;
    if (heading) this.add(`\n${heading}\n\n`, true);
    this.add(`${markdownTable(header, [])}\n`, true);
    let shown = 0;
    for (const row of rows) {
      if (!this.add(`| ${row.join(" | ")} |\n`)) break;
      shown += 1;
    }
    if (shown < rows.length)
      this.add(
        `\n${formatNumber(rows.length - shown)} more rows were left out to keep the summary under GitHub's 1 MiB limit; ${fullList}.\n`,
        true,
      );
  }

  /** A table under its heading, folded into a details element when long. */
  foldedTable(heading: string, summary: string, header: string[], rows: string[][], fullList: string): void {
    if (rows.length <= FOLD_ROWS) {
      this.table(heading, header, rows, fullList);
      return;
    }
    // A blank line after </summary> ends the HTML block: without it CommonMark keeps the
    // whole table inside, and GitHub shows its rows as lines of pipes. Inside the HTML block
    // backslash escapes do nothing, so the summary's text is entity-encoded only.
    this.add(`\n${heading}\n\n<details><summary>${htmlText(summary)}</summary>\n\n`, true);
    this.table("", header, rows, fullList);
    this.add("\n</details>\n", true);
  }

  text(): string {
    return this.parts.join("");
  }
}
