import { createHash } from "node:crypto";
import type { AccountVerdict, Finding } from "../findings.js";
import { RULES } from "../rules/catalog.js";
import { escapeMarkdown, inlineCode, markdownTable } from "./markdown.js";

/**
 * One remediation issue per account, identified by a hidden marker in its body. The
 * marker also carries a digest of everything but the run link, so an unchanged account
 * is recognised without rewriting its issue.
 */
// Any digest value is accepted: a hand-edited digest must not hide the issue (that would open a duplicate).
// "assigned" lists the logins this action assigned, the only ones it may later unassign.
const MARKER = /<!--\s*org-trail-audit:account=(\d{12})(?:\s+digest=(\S*?))?(?:\s+assigned=(\S*?))?\s*-->/;

export function readMarker(body: string | null | undefined): { accountId: string; digest?: string; assigned: string[] } | undefined {
  const match = MARKER.exec(body ?? "");
  if (!match) return undefined;
  return { accountId: match[1]!, ...(match[2] ? { digest: match[2] } : {}), assigned: (match[3] ?? "").split(",").filter(Boolean) };
}

/** GitHub assigns at most 10 people to an issue ("Add assignees to an issue"); further owners are mentioned. */
export const MAX_ASSIGNEES = 10;

export interface IssueContent {
  accountId: string;
  title: string;
  body: string;
  digest: string;
}

export interface IssueContentInput {
  verdict: AccountVerdict;
  findings: Finding[];
  /** Logins that can be assigned. */
  assignees: string[];
  /** Owners who cannot be assigned in this repository: mentioned instead. */
  mentioned: string[];
  runUrl?: string;
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
  let shape: BodyShape = { findings: input.findings.length, trails: Number.POSITIVE_INFINITY, fixBlocks: input.findings.length };
  for (;;) {
    const content = renderShaped(input, shape);
    if (content.body.length <= ISSUE_BODY_LIMIT || (shape.findings <= 1 && shape.trails <= 1 && shape.fixBlocks <= 1)) return content;
    const trails = Math.min(shape.trails, uniqueTrails(input.findings).length);
    shape = { findings: Math.max(1, Math.floor(shape.findings / 2)), trails: Math.max(1, Math.floor(trails / 2)), fixBlocks: Math.max(1, Math.floor(shape.fixBlocks / 2)) };
  }
}

const ELSEWHERE = "the job summary, the code-scanning alerts and the JSON report (report-file) list them all";

function renderShaped(input: IssueContentInput, shape: BodyShape): IssueContent {
  const { verdict, findings } = input;
  const account = verdict.accountName && verdict.accountName !== verdict.accountId ? `${verdict.accountName} (${verdict.accountId})` : verdict.accountId;
  const title = `${account}: ${HEADLINES[findings[0]!.ruleId] ?? RULES[findings[0]!.ruleId].shortDescription}`;

  const sections: string[] = [
    `## ${escapeMarkdown(account)}: CloudTrail global service events`,
    "",
    "Since 22 November 2021 AWS records global service events (IAM, STS, CloudFront) in us-east-1 only. This account needs a change so that they are recorded once, by a trail that is logging.",
    "",
  ];
  if (input.assignees.length > 0 || input.mentioned.length > 0) {
    sections.push(`Owners: ${[...input.assignees, ...input.mentioned].map((login) => `@${login}`).join(", ")}`);
    if (input.mentioned.length > 0) sections.push(`(${input.mentioned.map((login) => `@${login}`).join(", ")} could not be assigned in this repository.)`);
    sections.push("");
  }
  sections.push("### What is wrong", "");
  for (const finding of findings.slice(0, shape.findings)) {
    sections.push(`- **${finding.level}** ${inlineCode(finding.ruleId)}: ${escapeMarkdown(finding.message)}`);
  }
  if (findings.length > shape.findings) sections.push(`- … and ${findings.length - shape.findings} more findings, left out to stay within GitHub's issue size: ${ELSEWHERE}.`);
  const trails = uniqueTrails(findings);
  if (trails.length > 0) {
    const shown = trails.slice(0, shape.trails);
    sections.push(
      "",
      markdownTable(
        ["Trail", "Home Region", "What it lacks"],
        shown.map((trail) => [escapeMarkdown(trail.name), escapeMarkdown(trail.homeRegion), escapeMarkdown(trail.problem)]),
      ),
    );
    if (trails.length > shown.length) sections.push("", `${trails.length - shown.length} more trails are not listed here, to stay within GitHub's issue size: ${ELSEWHERE}.`);
  }
  if (verdict.failedRegions.length > 0) sections.push("", `Regions that could not be read this run: ${verdict.failedRegions.join(", ")}.`);
  sections.push("", "### How to fix", "", "Run with credentials for this account (an organization trail: from the management account). One block per finding, in the order above; lines starting with # explain the next line, or hold a command to run only after the check before it.");
  // One block per finding, never merged; a command an earlier block already holds is not
  // shown again (running it twice helps nobody), only pointed at.
  const shownIn = new Map<string, number>();
  findings.slice(0, shape.fixBlocks).forEach((finding, index) => {
    if (finding.fix.length === 0) return;
    const lines = finding.fix.map((line) => {
      const earlier = line.startsWith("#") ? undefined : shownIn.get(line);
      if (earlier !== undefined) return `# Already in block ${earlier} above: ${line.split(" ").slice(0, 3).join(" ")} …`;
      if (!line.startsWith("#")) shownIn.set(line, index + 1);
      return line;
    });
    sections.push("", `#### ${index + 1}. ${inlineCode(finding.ruleId)} (${finding.level})`, "", ...fencedBlock("sh", lines));
  });
  if (findings.length > shape.fixBlocks) sections.push("", `The fixes of findings ${shape.fixBlocks + 1} to ${findings.length} are left out to stay within GitHub's issue size: ${ELSEWHERE}.`);
  sections.push("");
  sections.push("This issue is kept up to date by org-trail-audit: it is updated when the findings change and closed when the account is assessed clean.");

  const stable = `${title}\n${sections.join("\n")}\n${input.assignees.join(",")}`;
  const digest = createHash("sha256").update(stable).digest("hex").slice(0, 16);
  const runLine = input.runUrl ? `\n\nLast changed by [this workflow run](${input.runUrl}).` : "";
  const assigned = input.assignees.length > 0 ? ` assigned=${input.assignees.join(",")}` : "";
  const body = `<!-- org-trail-audit:account=${verdict.accountId} digest=${digest}${assigned} -->\n${sections.join("\n")}${runLine}\n`;
  return { accountId: verdict.accountId, title, body, digest };
}

/** A fenced block whose fence is longer than any run of backticks inside it, so nothing can close it early. */
function fencedBlock(language: string, lines: string[]): string[] {
  const longest = Math.max(0, ...lines.flatMap((line) => (line.match(/`+/g) ?? []).map((run) => run.length)));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return [`${fence}${language}`, ...lines, fence];
}

function uniqueTrails(findings: Finding[]) {
  const byArn = new Map<string, Finding["trails"][number]>();
  for (const finding of findings) for (const trail of finding.trails) if (!byArn.has(trail.arn)) byArn.set(trail.arn, trail);
  return [...byArn.values()];
}
