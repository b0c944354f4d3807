import { createHash } from "node:crypto";
import type { AccountVerdict, Finding } from "../findings.js";
import { RULES } from "../rules/catalog.js";
import { countOf } from "../plural.js";
import { escapeMarkdown, inlineCode, markdownTable, namedLogin } from "./markdown.js";
import { isTeam } from "./github-names.js";
import { issueLinkText, planMarkdown, type IssueLink } from "./plan-markdown.js";
import { TREND_DAYS, trendLine, type RemediationHistory } from "../remediation-history.js";
import type { RemediationPlan } from "../remediation-plan.js";
import { trendChart } from "./history-markdown.js";

/**
 * The remediation issues, each identified by a hidden marker in its body: one per account
 * (`account=ID`), or one per owner (`owner=LOGINS`, with the accounts it lists), and one for
 * the organization-level fix (`organization=ID`). The marker also carries a digest of
 * everything but the run link, so an unchanged issue is recognised without rewriting it.
 */
// Any digest value is accepted: a hand-edited digest must not hide the issue (that would open a duplicate).
// "assigned" lists the logins this action assigned, the only ones it may later unassign.
const MARKER =
  /<!--\s*org-trail-audit:(?:account=(\d{12})|owner=(\S+?)|organization=(\S+?))(?:\s+digest=(\S*?))?(?:\s+assigned=(\S*?))?(?:\s+accounts=(\S*?))?\s*-->/;

/** What an issue is about: "account:ID", "owner:LOGIN+LOGIN" (or "owner:(none)"), "organization". */
export type IssueKey = string;

export const ORGANIZATION_KEY: IssueKey = "organization";
export const accountKey = (accountId: string): IssueKey => `account:${accountId}`;
/** Owners joined by "+", which no GitHub login holds; "(none)" for accounts nobody owns. */
export const ownerKey = (owners: string[]): IssueKey =>
  `owner:${
    owners.length > 0
      ? [...owners]
          .map((login) => login.toLowerCase())
          .sort()
          .join("+")
      : "(none)"
  }`;

export interface IssueMarker {
  key: IssueKey;
  digest?: string;
  assigned: string[];
  /** The accounts an owner issue lists. */
  accounts: string[];
}

export function readMarker(body: string | null | undefined): IssueMarker | undefined {
  const match = MARKER.exec(body ?? "");
  if (!match) return undefined;
  const key = match[1] ? accountKey(match[1]) : match[2] ? `owner:${match[2]}` : ORGANIZATION_KEY;
  const list = (text: string | undefined) => (text ?? "").split(",").filter(Boolean);
  return { key, ...(match[4] ? { digest: match[4] } : {}), assigned: list(match[5]), accounts: list(match[6]) };
}

/** The marker line and the digest over what a reader sees, so that a change of any of it rewrites the issue. */
function sealed(
  key: IssueKey,
  title: string,
  sections: string[],
  assignees: string[],
  runUrl: string | undefined,
  accounts?: string[],
): IssueContent {
  const stable = `${title}\n${sections.join("\n")}\n${assignees.join(",")}`;
  const digest = createHash("sha256").update(stable).digest("hex").slice(0, 16);
  const runLine = runUrl ? `\n\nLast changed by [this workflow run](${runUrl}).` : "";
  const assigned = assignees.length > 0 ? ` assigned=${assignees.join(",")}` : "";
  const listed = accounts && accounts.length > 0 ? ` accounts=${accounts.join(",")}` : "";
  const subject = key.startsWith("account:")
    ? `account=${key.slice(8)}`
    : key.startsWith("owner:")
      ? `owner=${key.slice(6)}`
      : `organization=${key}`;
  const body = `<!-- org-trail-audit:${subject} digest=${digest}${assigned}${listed} -->\n${sections.join("\n")}${runLine}\n`;
  return { key, title, body, digest };
}

/** GitHub assigns at most 10 people to an issue ("Add assignees to an issue"); further owners are mentioned. */
export const MAX_ASSIGNEES = 10;

export interface IssueContent {
  key: IssueKey;
  title: string;
  body: string;
  digest: string;
}

export interface IssueContentInput {
  verdict: AccountVerdict;
  findings: Finding[];
  /** When its oldest open finding was first seen (YYYY-MM-DD), where known. A date, not an age: the body stays the same from day to day. */
  brokenSince?: string;
  /** Logins that can be assigned. */
  assignees: string[];
  /** Owners who cannot be assigned in this repository (or past GitHub's 10): named, never mentioned. */
  mentioned: string[];
  runUrl?: string;
  /** The organization issue, when its fix would cover this account too. */
  organizationIssue?: IssueLink;
}

const HEADLINES: Partial<Record<Finding["ruleId"], string>> = {
  "cloudtrail/global-events-not-recorded": "CloudTrail does not record global service events",
  "cloudtrail/global-events-flag-ineffective": "a CloudTrail trail's global-events flag has no effect",
  "cloudtrail/global-events-duplicated": "CloudTrail records global service events more than once",
  "cloudtrail/global-events-not-delivered": "a CloudTrail trail logs global service events but delivers nothing",
};

/**
 * GitHub refuses an issue body over 65,536 characters (HTTP 422, "body is too long"); the
 * margin covers the marker and the run link. An account with dozens of trails can pass it.
 */
export const ISSUE_BODY_LIMIT = 60_000;

/** How much of the lists a body shows; halved until the body fits. */
interface BodyShape {
  findings: number;
  trails: number;
  fixBlocks: number;
}

/**
 * The issue for one account, under GitHub's body limit: when the whole text would not fit,
 * the findings, the trail table and the fix blocks are shortened to their first entries,
 * whole lines and whole blocks only, with a count of what was left out and where it is.
 */
export function renderIssue(input: IssueContentInput): IssueContent {
  let shape: BodyShape = {
    findings: input.findings.length,
    trails: Number.POSITIVE_INFINITY,
    fixBlocks: input.findings.length,
  };
  for (;;) {
    const content = renderShaped(input, shape);
    if (content.body.length <= ISSUE_BODY_LIMIT || (shape.findings <= 1 && shape.trails <= 1 && shape.fixBlocks <= 1))
      return content;
    const trails = Math.min(shape.trails, uniqueTrails(input.findings).length);
    shape = {
      findings: Math.max(1, Math.floor(shape.findings / 2)),
      trails: Math.max(1, Math.floor(trails / 2)),
      fixBlocks: Math.max(1, Math.floor(shape.fixBlocks / 2)),
    };
  }
}

const ELSEWHERE = "the job summary, the code-scanning alerts and the JSON report (report-file) list them all";

function renderShaped(input: IssueContentInput, shape: BodyShape): IssueContent {
  const { verdict, findings } = input;
  const account =
    verdict.accountName && verdict.accountName !== verdict.accountId
      ? `${verdict.accountName} (${verdict.accountId})`
      : verdict.accountId;
  const title = `${account}: ${HEADLINES[findings[0]!.ruleId] ?? RULES[findings[0]!.ruleId].shortDescription}`;

  const sections: string[] = [
    `## ${escapeMarkdown(account)}: CloudTrail global service events`,
    "",
    "Since 22 November 2021 AWS records global service events (IAM, STS, CloudFront) in us-east-1 only. " +
      "This account needs a change so that they are recorded once, by a trail that is logging.",
    "",
    ...(verdict.organizationalUnit ? [`Organizational unit: ${escapeMarkdown(verdict.organizationalUnit)}`, ""] : []),
    ...(input.brokenSince ? [`Broken since ${input.brokenSince}.`, ""] : []),
  ];
  sections.push(...ownersLines(input.assignees, input.mentioned));
  if (input.organizationIssue)
    sections.push(
      `The organization-level fix in ${issueLinkText(input.organizationIssue)} would cover this account too.`,
      "",
    );
  sections.push("### What is wrong", "");
  for (const finding of findings.slice(0, shape.findings)) {
    sections.push(`- **${finding.level}** ${inlineCode(finding.ruleId)}: ${escapeMarkdown(finding.message)}`);
  }
  if (findings.length > shape.findings)
    sections.push(
      `- … and ${findings.length - shape.findings} more findings, left out to stay within GitHub's issue size: ${ELSEWHERE}.`,
    );
  const trails = uniqueTrails(findings);
  if (trails.length > 0) {
    const shown = trails.slice(0, shape.trails);
    sections.push(
      "",
      markdownTable(
        ["Trail", "Home Region", "What it lacks"],
        shown.map((trail) => [
          escapeMarkdown(trail.name),
          escapeMarkdown(trail.homeRegion),
          escapeMarkdown(trail.problem),
        ]),
      ),
    );
    if (trails.length > shown.length)
      sections.push(
        "",
        `${trails.length - shown.length} more trails are not listed here, to stay within GitHub's issue size: ${ELSEWHERE}.`,
      );
  }
  if (verdict.failedRegions.length > 0)
    sections.push("", `Regions that could not be read this run: ${verdict.failedRegions.join(", ")}.`);
  sections.push(
    "",
    "### How to fix",
    "",
    "Run with credentials for this account (an organization trail: from the management account). One " +
      "block per finding, in the order above; lines starting with # explain the next line, or hold a " +
      "command to run only after the check before it.",
  );
  // One block per finding, never merged; a command an earlier block holds is pointed at, not repeated.
  const blocks = withoutRepeats(findings.slice(0, shape.fixBlocks).map((finding) => finding.fix));
  findings.slice(0, shape.fixBlocks).forEach((finding, index) => {
    if (finding.fix.length === 0) return;
    sections.push(
      "",
      `#### ${index + 1}. ${inlineCode(finding.ruleId)} (${finding.level})`,
      "",
      ...fencedBlock("sh", blocks[index]!),
    );
  });
  if (findings.length > shape.fixBlocks)
    sections.push(
      "",
      `The fixes of findings ${shape.fixBlocks + 1} to ${findings.length} are left out to stay within GitHub's issue size: ${ELSEWHERE}.`,
    );
  sections.push("");
  sections.push(
    "This issue is kept up to date by org-trail-audit: it is updated when the findings change and closed when the account is assessed clean.",
  );

  return sealed(accountKey(verdict.accountId), title, sections, input.assignees, input.runUrl);
}

/**
 * The owners: those assigned are mentioned (they are notified anyway); the others are named
 * in code, never mentioned, as anyone who can tag an account could name anyone.
 */
function ownersLines(assignees: string[], mentioned: string[]): string[] {
  if (assignees.length === 0 && mentioned.length === 0) return [];
  const lines = [`Owners: ${[...assignees.map((login) => `@${login}`), ...mentioned.map(namedLogin)].join(", ")}`];
  const people = mentioned.filter((owner) => !isTeam(owner));
  const teams = mentioned.filter(isTeam);
  if (people.length > 0)
    lines.push(
      `(${people.map(namedLogin).join(", ")} could not be assigned in this repository, or exceed GitHub's ` +
        `${MAX_ASSIGNEES} assignees: named, not mentioned.)`,
    );
  if (teams.length > 0)
    lines.push(
      `(${teams.map(namedLogin).join(", ")}: GitHub assigns people, not teams; mentioned when the issue was opened.)`,
    );
  return [...lines, ""];
}

/**
 * Fix blocks in which a command already shown in an earlier block is replaced by a comment
 * pointing at it: an issue never shows the same command twice.
 */
export function withoutRepeats(blocks: string[][]): string[][] {
  const shownIn = new Map<string, number>();
  return blocks.map((lines, index) =>
    lines.map((line) => {
      if (line.startsWith("#")) return line;
      const earlier = shownIn.get(line);
      if (earlier !== undefined) return `# The same command as in block ${earlier} above.`;
      shownIn.set(line, index + 1);
      return line;
    }),
  );
}

export interface OwnerIssueInput {
  owners: string[];
  assignees: string[];
  mentioned: string[];
  /** The owner's accounts that need work, most severe first. */
  accounts: { verdict: AccountVerdict; findings: Finding[]; brokenSince?: string }[];
  /** Accounts this issue listed before that were not assessed this run: kept until they are. */
  kept: string[];
  runUrl?: string;
  organizationIssue?: IssueLink;
  /** Accounts the organization-level fix would cover. */
  coveredByOrganizationFix?: Set<string>;
}

/**
 * One issue per owner listing every account of theirs that needs work, each with its
 * cause and fix. Accounts whose fixes are the same are named together over one block.
 * Under GitHub's body limit, the account table and the fix blocks are shortened by whole
 * rows and blocks, saying how many were left out.
 */
export function renderOwnerIssue(input: OwnerIssueInput): IssueContent {
  let shown = input.accounts.length;
  for (;;) {
    const content = renderOwnerShaped(input, shown);
    if (content.body.length <= ISSUE_BODY_LIMIT || shown <= 1) return content;
    shown = Math.max(1, Math.floor(shown / 2));
  }
}

function accountLabel(verdict: AccountVerdict): string {
  return verdict.accountName && verdict.accountName !== verdict.accountId
    ? `${verdict.accountName} (${verdict.accountId})`
    : verdict.accountId;
}

function renderOwnerShaped(input: OwnerIssueInput, shown: number): IssueContent {
  const who = input.owners.length > 0 ? input.owners.map((login) => `@${login}`).join(", ") : "no owner";
  const count = input.accounts.length;
  // Accounts kept from earlier runs were not assessed this one: the count is a floor, and says so.
  const kept = input.kept.length;
  const title =
    `CloudTrail global service events: ${kept > 0 ? "at least " : ""}${countOf(count, "account")} of ${who} ` +
    `${count === 1 ? "needs" : "need"} work${kept > 0 ? ` (${kept.toLocaleString("en-US")} more not assessed this run)` : ""}`;
  const sections: string[] = [
    `## ${escapeMarkdown(who)}: CloudTrail global service events`,
    "",
    "Since 22 November 2021 AWS records global service events (IAM, STS, CloudFront) in us-east-1 only. " +
      "These accounts need a change so that they are recorded once, by a trail that is logging.",
    "",
    ...ownersLines(input.assignees, input.mentioned),
  ];
  const covered = input.accounts.filter((account) =>
    input.coveredByOrganizationFix?.has(account.verdict.accountId),
  ).length;
  if (input.organizationIssue && covered > 0)
    sections.push(
      `The organization-level fix in ${issueLinkText(input.organizationIssue)} would cover ${covered} of these accounts.`,
      "",
    );
  const listed = input.accounts.slice(0, shown);
  sections.push(
    "### Accounts",
    "",
    markdownTable(
      ["Account", "OU", "Broken since", "Finding", "What is wrong"],
      listed.map(({ verdict, findings, brokenSince }) => [
        escapeMarkdown(accountLabel(verdict)),
        escapeMarkdown(verdict.organizationalUnit ?? "unknown"),
        brokenSince ?? "unknown",
        `${findings[0]!.level}: ${inlineCode(findings[0]!.ruleId)}${findings.length > 1 ? ` (+${findings.length - 1})` : ""}`,
        escapeMarkdown(findings[0]!.message),
      ]),
    ),
  );
  if (count > shown)
    sections.push(
      "",
      `${countOf(count - shown, "more account is", "more accounts are")} not listed, to stay within GitHub's issue size: ${ELSEWHERE}.`,
    );
  if (input.kept.length > 0)
    sections.push("", `Not assessed this run, kept here until they are: ${input.kept.join(", ")}.`);

  // Accounts whose fixes are the same text (the same placeholder commands) share one block.
  const byFix = new Map<string, { labels: string[]; lines: string[] }>();
  for (const { verdict, findings } of listed) {
    const lines = withoutRepeats(findings.map((finding) => finding.fix)).flat();
    const text = lines.join("\n");
    const group = byFix.get(text);
    if (group) group.labels.push(accountLabel(verdict));
    else byFix.set(text, { labels: [accountLabel(verdict)], lines });
  }
  const groups = [...byFix.values()].filter((group) => group.lines.length > 0);
  const blocks = withoutRepeats(groups.map((group) => group.lines));
  sections.push(
    "",
    "### How to fix",
    "",
    "Run each block with credentials for the account it names (an organization trail: from the management account).",
  );
  for (const [index, group] of groups.entries()) {
    sections.push(
      "",
      `#### ${index + 1}. ${escapeMarkdown(group.labels.join(", "))}`,
      "",
      ...fencedBlock("sh", blocks[index]!),
    );
  }
  sections.push(
    "",
    "This issue is kept up to date by org-trail-audit: accounts leave it when they are assessed clean, and it is closed when none is left.",
  );
  const accounts = [...input.accounts.map((account) => account.verdict.accountId), ...input.kept];
  return sealed(ownerKey(input.owners), title, sections, input.assignees, input.runUrl, accounts);
}

export interface OrganizationIssueInput {
  plan: RemediationPlan;
  /** The last 90 days as a chart, and the change over 7 and 30 days: the organization issue is where a lead watches the trend. */
  history?: RemediationHistory;
  assignees: string[];
  mentioned: string[];
  runUrl?: string;
}

/** The organization-level fix, with the plan it belongs to: one issue, kept up to date, closed when it no longer applies. */
export function renderOrganizationIssue(input: OrganizationIssueInput): IssueContent {
  const fix = input.plan.organizationFix!;
  // From a scan that did not assess every account the count is a floor: it says so, rather than seeming to fall.
  const notAssessed = input.plan.notAssessed.reduce((sum, group) => sum + group.accounts.length, 0);
  const atLeast = notAssessed > 0 ? "at least " : "";
  const partial = notAssessed > 0 ? ` (${countOf(notAssessed, "account")} not assessed)` : "";
  const title =
    fix.kind === "create"
      ? `Organization ${fix.organizationId}: one organization trail would record global service events for ` +
        `${atLeast}${countOf(fix.wouldCover, "more account")}${partial}`
      : `Organization ${fix.organizationId}: repair the organization trail to restore ${atLeast}` +
        `${countOf(fix.wouldCover, "account")}${partial}`;
  const sections = [
    `## Organization ${escapeMarkdown(fix.organizationId)}: CloudTrail global service events`,
    "",
    ...ownersLines(input.assignees, input.mentioned),
    ...planMarkdown(input.plan),
    ...(input.history
      ? [
          "",
          "### Trend",
          "",
          escapeMarkdown(trendLine(input.history)),
          "",
          ...trendChart(input.history.trend, TREND_DAYS),
        ]
      : []),
    "",
    "Each account (or owner) issue has the exact commands for its accounts and links here. This issue is " +
      "kept up to date by org-trail-audit and closed when no organization-level fix applies any more.",
  ];
  return sealed(ORGANIZATION_KEY, title, sections, input.assignees, input.runUrl);
}

/** A fenced block whose fence is longer than any run of backticks inside it, so nothing can close it early. */
function fencedBlock(language: string, lines: string[]): string[] {
  const longest = Math.max(0, ...lines.flatMap((line) => (line.match(/`+/g) ?? []).map((run) => run.length)));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return [`${fence}${language}`, ...lines, fence];
}

function uniqueTrails(findings: Finding[]) {
  const byArn = new Map<string, Finding["trails"][number]>();
  for (const finding of findings)
    for (const trail of finding.trails) if (!byArn.has(trail.arn)) byArn.set(trail.arn, trail);
  return [...byArn.values()];
}
