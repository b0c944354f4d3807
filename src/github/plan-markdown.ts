import { daysBetween } from "../calendar.js";
import type { Changes } from "../changes.js";
import { countOf, formatNumber } from "../plural.js";
import { PLAN_EXAMPLES, type CauseGroup, type OrganizationFix, type RemediationPlan } from "../remediation-plan.js";
import { codeCell, escapeMarkdown, sentenceMarkdown } from "./markdown.js";

/** An issue to link to: "#12" pointing at its page. */
export interface IssueLink {
  number: number;
  url: string;
}

export function issueLinkText(link: IssueLink | undefined): string {
  return link ? `[#${link.number}](${link.url})` : "";
}

function accountList(accounts: { id: string; name: string }[], shown = PLAN_EXAMPLES): string {
  const names = accounts
    .slice(0, shown)
    .map((account) =>
      account.name && account.name !== account.id ? `${escapeMarkdown(account.name)} (${account.id})` : account.id,
    );
  return `${names.join(", ")}${accounts.length > shown ? `, and ${formatNumber(accounts.length - shown)} more` : ""}`;
}

/** The organization-level fix, as a few lines: what it covers, what it needs, what it costs. */
export function organizationFixMarkdown(fix: OrganizationFix, issue?: IssueLink): string[] {
  const where = `the management account ${fix.managementAccountId} (or the CloudTrail delegated administrator)`;
  const lines =
    fix.kind === "create"
      ? [
          `**Organization-level fix: one multi-Region organization trail** created from ${where} would cover ` +
            `**${countOf(fix.wouldCover, "account")}** that ${fix.wouldCover === 1 ? "records" : "record"} no global service events today.`,
          "It needs trusted access for CloudTrail in Organizations and a bucket policy that lets CloudTrail " +
            `write for the organization: ${codeCell("deploy/organization-trail.yaml")} creates the trail with ` +
            "its bucket (public access blocked, versioned, log file validation on, optional KMS key).",
          fix.secondCopies > 0
            ? `Cost: **${countOf(fix.secondCopies, "account")}** already ` +
              `record${fix.secondCopies === 1 ? "s" : ""} ${fix.secondCopies === 1 ? "its" : "their"} own copy of ` +
              "the management events and would pay for a second (the first copy per account and Region is free; " +
              "each further copy costs $2.00 per 100,000 management events); " +
              `${codeCell("global-events-duplicated")} then notes each. To avoid it, delete their own trails once ` +
              "the organization trail logs, or keep them for data events only."
            : "Cost: no account records its own copy of the management events today, so none would pay for a second.",
        ]
      : [
          "**Organization-level fix: repair the organization " +
            `${fix.recorder!.arn.includes(":eventdatastore/") ? "event data store" : "trail"}** ` +
            `${codeCell(fix.recorder!.name)} (home ${escapeMarkdown(fix.recorder!.homeRegion)}): ` +
            `${escapeMarkdown(fix.recorder!.problem)}. Fixing it from ${where} restores ` +
            `**${countOf(fix.wouldCover, "account")}**.`,
        ];
  if (issue) lines.push(`Tracked in ${issueLinkText(issue)}.`);
  return [...lines, "", "```sh", ...fix.commands, "```"];
}

/** "Root/Workloads (12)<br>Root/Sandbox (5)": where most of a group's accounts are. */
function unitList(group: CauseGroup): string {
  return (
    group.topUnits.map((unit) => `${escapeMarkdown(unit.path)} (${formatNumber(unit.accounts)})`).join("<br>") ||
    "unknown"
  );
}

/** The plan: the organization-level fix first, then one row per cause with its count, examples and the fix for the group. */
export function planMarkdown(plan: RemediationPlan, issue?: IssueLink): string[] {
  const lines: string[] = [];
  if (plan.noncompliant === 0 && plan.notAssessed.length === 0)
    return ["Nothing to do: every assessed account records its global service events."];
  if (plan.organizationFix) lines.push(...organizationFixMarkdown(plan.organizationFix, issue), "");
  if (plan.groups.length > 0) {
    // Triage by OU: only where the scan walked the OU tree.
    const withUnits = plan.groups.some((group) => group.topUnits.length > 0);
    lines.push(
      `${countOf(plan.noncompliant, "non-compliant account")}, by cause (each counted once, by its most severe finding):`,
      "",
      withUnits
        ? "| Cause | Accounts | Top OUs | For example | Fix for the group |"
        : "| Cause | Accounts | For example | Fix for the group |",
      withUnits ? "| --- | ---: | --- | --- | --- |" : "| --- | ---: | --- | --- |",
      ...plan.groups.map(
        (group) =>
          `| ${escapeMarkdown(group.title)} | ${formatNumber(group.accounts.length)} | ` +
          (withUnits ? `${unitList(group)} | ` : "") +
          `${accountList(group.accounts)} | ` +
          `${escapeMarkdown(group.fix)}${group.command ? `<br>${codeCell(group.command)}` : ""} |`,
      ),
    );
  }
  if (plan.notAssessed.length > 0) {
    const count = plan.notAssessed.reduce((sum, group) => sum + group.accounts.length, 0);
    lines.push(
      "",
      `${countOf(count, "account")} not assessed (whether they record global service events is unknown; their issues and alerts are kept):`,
      "",
      "| Why | Accounts | For example | Fix |",
      "| --- | ---: | --- | --- |",
      ...plan.notAssessed.map(
        (group) =>
          `| ${escapeMarkdown(group.title)} | ${formatNumber(group.accounts.length)} | ${accountList(group.accounts)} | ${escapeMarkdown(group.fix)} |`,
      ),
    );
  }
  return lines;
}

/** What changed since the last run, in two or three lines. */
export function changesMarkdown(changes: Changes, generatedAt: string): string[] {
  if (!changes.known) return [`What changed since the last run is unknown: ${sentenceMarkdown(changes.reason)}.`];
  const ages = changes.stillOpen.map(({ since }) => daysBetween(since, generatedAt));
  const oldest = ages.length > 0 ? Math.max(...ages) : 0;
  const overWeek = ages.filter((age) => age >= 7).length;
  const lines = [
    `**${countOf(changes.added.length, "new finding")}**, **${formatNumber(changes.resolved.length)} resolved**, ` +
      `${formatNumber(changes.stillOpen.length)} still open` +
      (changes.stillOpen.length > 0
        ? ` (the oldest for ${countOf(oldest, "day")}; ${overWeek} for a week or more)`
        : "") +
      ". " +
      `Compared with ${escapeMarkdown(changes.source)}.`,
  ];
  if (changes.added.length > 0) {
    const examples = changes.added
      .slice(0, PLAN_EXAMPLES)
      .map(
        (finding) =>
          `${escapeMarkdown(finding.accountName || finding.accountId)} (${finding.accountId}): ${codeCell(finding.ruleId)}`,
      );
    lines.push(
      `New: ${examples.join("; ")}${changes.added.length > PLAN_EXAMPLES ? `; and ${formatNumber(changes.added.length - PLAN_EXAMPLES)} more` : ""}.`,
    );
  }
  if (changes.newlyNotAssessed.length > 0) {
    lines.push(
      `Newly not assessed: ${accountList(changes.newlyNotAssessed.map((verdict) => ({ id: verdict.accountId, name: verdict.accountName })))}.`,
    );
  }
  return lines;
}
