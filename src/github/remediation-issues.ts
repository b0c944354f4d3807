import { context } from "@actions/github";
import type { AuditResult } from "../audit-result.js";
import { findUnknownParents, readAccountOwnership } from "../aws/account-ownership.js";
import { ConfigurationError } from "../configuration-error.js";
import { findingKey } from "../changes.js";
import { describeGitHubError } from "../error-description.js";
import { groupFindingsByAccount } from "../findings.js";
import type { FindingAge, RemediationHistory } from "../remediation-history.js";
import { countOf } from "../plural.js";
import { inShard } from "../shard.js";
import type { IssueSettings } from "./issue-settings.js";
import type { AccountForIssue, ExistingIssue } from "./issue-plan.js";
import { listTrackedIssues, syncIssues, type IssueSyncResult } from "./issue-sync.js";
import { needsIssue } from "./issue-plan.js";
import { createOctokit, GITHUB_PACING, type GitHubPacing } from "./octokit.js";
import { escapeMarkdown } from "./markdown.js";
import { resolveOwners } from "./owners.js";

export interface RemediationIssuesOutcome {
  result: IssueSyncResult;
  owners: Map<string, string[]>;
}

/**
 * findings → one issue per account that needs work, assigned to its owners. Owner tags
 * are read from Organizations only for those accounts, and not at all when evaluating a
 * saved inventory (no AWS then).
 */
export async function syncRemediationIssues(
  audit: AuditResult,
  settings: IssueSettings,
  options: {
    offline: boolean;
    log: (message: string) => void;
    pacing?: GitHubPacing;
    /** The tracked issues, listed before the outputs for their dates (readTrackedIssues). */
    listed?: ExistingIssue[];
    /** Each finding's age and due date (remediation-history.ts): "broken since", and the overdue label. */
    ages?: Map<string, FindingAge>;
    /** The trend, for the organization issue's chart. */
    history?: RemediationHistory;
  },
): Promise<RemediationIssuesOutcome> {
  if (!process.env.GITHUB_REPOSITORY) {
    throw new ConfigurationError(
      'create-issues needs GITHUB_REPOSITORY ("owner/name"), which GitHub Actions sets for every job.',
    );
  }
  const { owner, repo } = context.repo;
  const findingsByAccount = groupFindingsByAccount(audit.evaluation.findings);
  const verdictOf = new Map(audit.evaluation.verdicts.map((verdict) => [verdict.accountId, verdict]));
  // Findings are most severe first, so this order puts the most urgent issues first.
  const needing = [...findingsByAccount.keys()].filter((accountId) =>
    needsIssue(verdictOf.get(accountId), findingsByAccount.get(accountId)!),
  );
  const clean = new Set(
    audit.evaluation.verdicts.filter((verdict) => verdict.verdict === "compliant").map((verdict) => verdict.accountId),
  );
  const excepted = exceptedComments(audit);

  const ownerWarnings: string[] = [];
  const withParents = [...settings.ownersByKey.keys()].some((key) => !/^\d{12}$/.test(key));
  const ownership =
    options.offline || needing.length === 0
      ? new Map()
      : await readAccountOwnership(needing, { tagKey: settings.ownerTag, withParents });
  if (options.offline && needing.length > 0)
    ownerWarnings.push(
      `Owner tags were not read: the scan was loaded from inventory-file, so owners come from owners-file and default-assignees.`,
    );

  ownerWarnings.push(...(await unknownOwnerKeys(audit, settings, options.offline)));

  const owners = new Map<string, string[]>();
  const wanted: AccountForIssue[] = needing.map((accountId) => {
    const found = ownership.get(accountId);
    if (found?.error) ownerWarnings.push(`Owner tag of account ${accountId} could not be read (${found.error}).`);
    const resolved = resolveOwners(accountId, {
      ...(found?.tagValue ? { tagValue: found.tagValue } : {}),
      ...(found?.parents ? { parents: found.parents } : {}),
      ownersByKey: settings.ownersByKey,
      defaultAssignees: settings.defaultAssignees,
    });
    if (resolved.ignored.length > 0)
      ownerWarnings.push(
        `Account ${accountId}: tag ${settings.ownerTag} holds values that are not GitHub logins: ${resolved.ignored.join(", ")}.`,
      );
    owners.set(accountId, resolved.logins);
    const findings = findingsByAccount.get(accountId)!;
    const known = findings.map((finding) => options.ages?.get(findingKey(finding))).filter((age) => age !== undefined);
    const brokenSince = known.map((age) => age.firstSeen.slice(0, 10)).sort()[0];
    const overdueSince = known
      .filter((age) => age.overdueDays !== undefined)
      .map((age) => age.dueOn!)
      .sort()[0];
    return {
      verdict: verdictOf.get(accountId)!,
      findings,
      owners: resolved.logins,
      ...(brokenSince ? { brokenSince } : {}),
      ...(overdueSince ? { overdueSince } : {}),
    };
  });

  const fix = audit.plan.organizationFix;
  const server = process.env.GITHUB_SERVER_URL ?? "https://github.com";
  const runUrl = process.env.GITHUB_RUN_ID
    ? `${server}/${owner}/${repo}/actions/runs/${process.env.GITHUB_RUN_ID}`
    : undefined;
  const result = await syncIssues({
    octokit: createOctokit(settings.token, options.log, undefined, options.pacing ?? GITHUB_PACING),
    owner,
    repo,
    labels: settings.labels,
    maxOperations: settings.maxIssueOperations,
    dryRun: settings.dryRun,
    ...(runUrl ? { runUrl } : {}),
    wanted,
    clean,
    excepted,
    grouping: settings.grouping,
    ...(options.listed ? { listed: options.listed } : {}),
    overdueLabel: OVERDUE_LABEL,
    // A shard or a selection sees part of the organization: the organization issue is a whole run's.
    ...(fix && !audit.inventory.shard && !audit.inventory.selection
      ? {
          organization: {
            plan: audit.plan,
            assignees: settings.defaultAssignees,
            coveredAccounts: new Set(fix.accountIds),
            ...(options.history ? { history: options.history } : {}),
          },
        }
      : {}),
    organizationSettled:
      !fix &&
      !audit.inventory.shard &&
      // A selection saw part of the organization: the organization issue is not its to close.
      !audit.inventory.selection &&
      audit.inventory.organization !== undefined &&
      !audit.inventory.organizationTrailsFailure &&
      audit.summary.notAssessed === 0 &&
      // Accepted gaps are gaps still: the organization issue does not close over them.
      audit.summary.exceptedAccounts === 0,
    log: options.log,
  });
  result.ownerWarnings.push(...ownerWarnings);
  return { result, owners };
}

/** The label of an issue whose account is past remediation-days. */
export const OVERDUE_LABEL = "overdue";

export type TrackedIssuesRead =
  | { kind: "read"; issues: ExistingIssue[] }
  /**
   * Not read: no token, not in a repository, or GitHub refused (the sync then says why itself).
   * `expected`: the run keeps issues, so their missing history is worth saying.
   */
  | { kind: "unread"; reason: string; expected: boolean };

/**
 * This tool's issues (state all), read once before the outputs: their opening and closing
 * dates are history (first seen, median days to fix), and the sync is given them instead of
 * listing again. A failure is only noted here; the sync reports it in its own terms.
 */
export async function readTrackedIssues(
  settings: IssueSettings,
  options: { log: (message: string) => void; pacing?: GitHubPacing },
): Promise<TrackedIssuesRead> {
  if (!settings.createIssues) return { kind: "unread", reason: "create-issues is false", expected: false };
  if (!process.env.GITHUB_REPOSITORY)
    return { kind: "unread", reason: "not running in a GitHub repository", expected: true };
  const { owner, repo } = context.repo;
  try {
    const octokit = createOctokit(settings.token, options.log, undefined, options.pacing ?? GITHUB_PACING);
    return { kind: "read", issues: await listTrackedIssues(octokit, owner, repo, settings.labels[0]!) };
  } catch (error) {
    return {
      kind: "unread",
      reason: `the issues could not be listed (${describeGitHubError(error)})`,
      expected: true,
    };
  }
}

/** How many ids a warning lists before it counts the rest: a summary line stays readable. */
const LISTED_IDS = 20;

function firstOf(ids: string[]): string {
  const shown = ids.slice(0, LISTED_IDS).join(", ");
  return ids.length > LISTED_IDS ? `${shown}, and ${(ids.length - LISTED_IDS).toLocaleString("en-US")} more` : shown;
}

/**
 * owners-file keys that match nothing: account ids that are not in this scan (within this
 * shard's slice, as other shards hold the rest) and OU or root ids the organization does
 * not hold. A mistyped key otherwise leaves its accounts' issues unassigned, silently.
 */
async function unknownOwnerKeys(audit: AuditResult, settings: IssueSettings, offline: boolean): Promise<string[]> {
  const keys = [...settings.ownersByKey.keys()];
  const scanned = new Set(audit.inventory.accounts.map((account) => account.id));
  const shard = audit.inventory.shard;
  const strayAccounts = keys.filter((key) => /^\d{12}$/.test(key) && !scanned.has(key) && inShard(key, shard));
  const warnings =
    strayAccounts.length > 0
      ? [
          `owners-file names ${strayAccounts.length === 1 ? "an account" : `${countOf(strayAccounts.length, "account")}`} this scan did not ` +
            `include: ${firstOf(strayAccounts)}. Check for a typo, or remove ` +
            `${strayAccounts.length === 1 ? "it" : "them"}.`,
        ]
      : [];
  const parentKeys = keys.filter((key) => !/^\d{12}$/.test(key));
  if (offline || parentKeys.length === 0) return warnings;
  const checked = await findUnknownParents(parentKeys);
  if (checked.error) warnings.push(`owners-file OU and root ids could not be checked (${checked.error}).`);
  if (checked.unknown.length > 0)
    warnings.push(
      `owners-file names OU or root ids this organization does not hold: ${firstOf(checked.unknown)}. Check for a typo.`,
    );
  return warnings;
}

/**
 * The closing comment of each account whose every finding to act on an exception accepts:
 * the entry's reason, approver and expiry, quoted, so the issue says why it closed and when
 * it comes back.
 */
function exceptedComments(audit: AuditResult): Map<string, string> {
  const comments = new Map<string, string>();
  const file = audit.exceptions?.path ?? "the exceptions file";
  for (const verdict of audit.evaluation.verdicts) {
    if (!verdict.excepted) continue;
    const entries = new Map(
      audit.excepted
        .filter((finding) => finding.accountId === verdict.accountId && finding.exception)
        .map((finding) => [finding.exception!.entry, finding.exception!]),
    );
    const quoted = [...entries.values()].map(
      (exception) =>
        // The file's own words, escaped: a reason must not mention people or render as markup.
        `> ${escapeMarkdown(exception.reason)}\n>\n> ` +
        `${exception.approvedBy ? `Approved by ${escapeMarkdown(exception.approvedBy)}; e` : "E"}xpires ` +
        `${exception.expires} (${escapeMarkdown(file)}, ${escapeMarkdown(exception.name)}).`,
    );
    comments.set(
      verdict.accountId,
      `Account ${verdict.accountId}: its findings are accepted by an exception, so they no longer count:\n\n` +
        `${quoted.join("\n\n")}\n\nThey are still reported (JSON report, code scanning as dismissed). This ` +
        "issue reopens if the exception expires or is removed while they remain. Closing as not planned.",
    );
  }
  return comments;
}
