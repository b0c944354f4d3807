import type { AccountVerdict, Finding } from "../findings.js";
import type { RemediationHistory } from "../remediation-history.js";
import type { RemediationPlan } from "../remediation-plan.js";
import { LEVEL_RANK } from "../rules/catalog.js";
import {
  accountKey,
  MAX_ASSIGNEES,
  ORGANIZATION_KEY,
  ownerKey,
  renderIssue,
  renderOrganizationIssue,
  renderOwnerIssue,
  type IssueContent,
  type IssueKey,
} from "./issue-content.js";
import { isTeam } from "./github-names.js";
import type { IssueLink } from "./plan-markdown.js";

export interface ExistingIssue {
  number: number;
  /** GitHub's id (not the number): what a close as duplicate names. */
  id?: number;
  url?: string;
  state: "open" | "closed";
  key: IssueKey;
  digest?: string;
  /** Who is assigned now, by anyone. */
  assignees?: string[];
  /** Who this action assigned (the marker's record): the only logins it may unassign. */
  assignedByAction?: string[];
  /** The accounts an owner issue lists. */
  accounts?: string[];
  /** Its labels now: the overdue label says the overdue comment was posted. */
  labels?: string[];
  /** GitHub's created_at and closed_at, and why it was closed (completed, not_planned, duplicate). */
  createdAt?: string;
  closedAt?: string;
  stateReason?: string;
}

/** Assignee changes made with GitHub's add and remove endpoints, never by replacing the list. */
export interface AssigneeChange {
  add: string[];
  remove: string[];
}

/**
 * Why an issue closes: its subject was assessed clean ("fixed"), its accounts are now
 * tracked by other issues ("moved", after a change of issue-grouping; closes only once those
 * exist), or what is left of it is accepted by the exceptions file ("excepted": not planned,
 * never completed; reopened when the exception expires).
 */
export type CloseReason =
  | { kind: "fixed"; comment: string }
  | { kind: "moved"; comment: string; to: IssueKey[] }
  | { kind: "excepted"; comment: string }
  /** A second open issue of the same key (a write retried by an older version, a copy): closed into the oldest. */
  | { kind: "duplicate"; comment: string; of: ExistingIssue };

export type IssueOperation =
  | { kind: "create"; content: IssueContent; assignees: string[]; teams?: string[] }
  | { kind: "update"; issue: ExistingIssue; content: IssueContent; assignees: AssigneeChange }
  | { kind: "reopen"; issue: ExistingIssue; content: IssueContent; assignees: AssigneeChange }
  | { kind: "close"; issue: ExistingIssue; reason: CloseReason };

/** An issue as this run wants it: its content, and whom to assign. */
export interface WantedIssue {
  content: IssueContent;
  assignees: string[];
  /** Owning teams ("org/team"), mentioned once, when the issue is opened: a team cannot be assigned. */
  teams?: string[];
}

export interface IssuePlanInput {
  /** The issues this run wants, in the order they should be written. */
  wanted: WantedIssue[];
  /** The issues that may close, and why. Every other issue is left as it is. */
  close: Map<IssueKey, CloseReason>;
  existing: ExistingIssue[];
}

/** One issue per key: the open one, lowest number first (a person may have copied one). */
export function currentIssues(existing: ExistingIssue[]): Map<IssueKey, ExistingIssue> {
  const current = new Map<IssueKey, ExistingIssue>();
  for (const issue of [...existing].sort(
    (a, b) => Number(a.state !== "open") - Number(b.state !== "open") || a.number - b.number,
  )) {
    if (!current.has(issue.key)) current.set(issue.key, issue);
  }
  return current;
}

/**
 * What to write so that the issues match this run. Pure: the caller lists the existing
 * issues and performs the operations. An account that was not assessed or is outside this
 * run's selection is in neither list, so its issue is never touched.
 */
export function planIssueOperations(input: IssuePlanInput): { operations: IssueOperation[]; unchanged: number } {
  const current = currentIssues(input.existing);
  const operations: IssueOperation[] = [];
  let unchanged = 0;
  for (const { content, assignees, teams } of input.wanted) {
    const issue = current.get(content.key);
    if (!issue) operations.push({ kind: "create", content, assignees, ...(teams?.length ? { teams } : {}) });
    else if (issue.state === "closed")
      operations.push({ kind: "reopen", issue, content, assignees: assigneeChange(issue, assignees) });
    else if (issue.digest !== content.digest)
      operations.push({ kind: "update", issue, content, assignees: assigneeChange(issue, assignees) });
    else unchanged += 1;
  }
  for (const [key, reason] of [...input.close.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const issue = current.get(key);
    if (issue?.state === "open") operations.push({ kind: "close", issue, reason });
  }
  // Two open issues for one key: the oldest stays (it is the one kept above), the others close as its duplicates.
  for (const issue of input.existing) {
    const kept = current.get(issue.key);
    if (issue.state !== "open" || !kept || kept === issue || kept.state !== "open") continue;
    operations.push({
      kind: "close",
      issue,
      reason: {
        kind: "duplicate",
        of: kept,
        comment: `Duplicate of #${kept.number}, which tracks the same ${issue.key.startsWith("account:") ? "account" : "subject"}. Closing this one.`,
      },
    });
  }
  return { operations, unchanged };
}

/**
 * New owners are added; owners this action assigned before and that are owners no longer
 * are removed; anyone a person assigned stays, whatever the owners say.
 */
function assigneeChange(issue: ExistingIssue, owners: string[]): AssigneeChange {
  const current = new Set((issue.assignees ?? []).map((login) => login.toLowerCase()));
  const wanted = new Set(owners.map((login) => login.toLowerCase()));
  return {
    add: owners.filter((login) => !current.has(login.toLowerCase())),
    remove: (issue.assignedByAction ?? []).filter(
      (login) => !wanted.has(login.toLowerCase()) && current.has(login.toLowerCase()),
    ),
  };
}

/** Writes an operation takes: the issue write, plus one per assignee endpoint it calls. */
export function writesOf(operation: IssueOperation): number {
  if (operation.kind === "close") return 2;
  if (operation.kind === "create") return 1;
  return 1 + (operation.assignees.add.length > 0 ? 1 : 0) + (operation.assignees.remove.length > 0 ? 1 : 0);
}

/** Accounts that need an issue this run: the verdict, its findings, the owners to assign. */
export interface AccountForIssue {
  verdict: AccountVerdict;
  findings: Finding[];
  owners: string[];
  /** When its oldest open finding was first seen (YYYY-MM-DD), where known: "broken since". */
  brokenSince?: string;
  /** Its oldest overdue finding's due date, when one is past remediation-days. */
  overdueSince?: string;
}

/** How accounts are gathered into issues: one per account, or one per owner listing all of theirs. */
export const ISSUE_GROUPINGS = ["account", "owner"] as const;
export type IssueGrouping = (typeof ISSUE_GROUPINGS)[number];

/**
 * Whether an account gets an issue: it is non-compliant with an error- or warning-level
 * finding, or it could not be read because its audit role refused the scanner, which only
 * its owners can fix (the role is missing, or its trust policy does not name the scanner).
 * Other failures to read it (the network, throttling, a scan that stopped) are the platform
 * team's, said in the job summary, and open nothing.
 */
export function needsIssue(verdict: AccountVerdict | undefined, findings: Finding[]): boolean {
  if (verdict?.verdict === "noncompliant")
    return findings.some((finding) => LEVEL_RANK[finding.level] >= LEVEL_RANK.warning);
  return (
    verdict?.verdict === "not-assessed" &&
    verdict.failure?.kind === "access-denied" &&
    verdict.failure.call === "STS.AssumeRole"
  );
}

/** Everything deciding the issues depends on: this run's findings and settings, and the issues as they are. */
export interface IssueDecisionInput {
  /** Accounts with an error- or warning-level finding, most severe first. */
  accounts: AccountForIssue[];
  /** Accounts assessed clean this run. */
  clean: Set<string>;
  /** Accounts whose every finding to act on an exception accepts, with the comment that says by which. */
  excepted: Map<string, string>;
  grouping: IssueGrouping;
  /** The tracked issues, one per key (currentIssues). */
  current: Map<IssueKey, ExistingIssue>;
  /** Logins GitHub lets this repository's issues be assigned to; the others are mentioned. */
  assignable: Set<string>;
  runUrl?: string;
  /** The plan with its organization-level fix, for the organization issue; absent when none applies. */
  organization?: {
    plan: RemediationPlan;
    assignees: string[];
    coveredAccounts: Set<string>;
    history?: RemediationHistory;
  };
  /** The organization issue may close: this run saw the whole organization and no organization-level fix applies. */
  organizationSettled: boolean;
  /** The organization issue as it is after it was written, for the links to it. */
  organizationIssue?: IssueLink;
}

/** Who is assigned (assignable, at most GitHub's 10), who is only named, and the teams (named, mentioned at creation). */
function people(input: IssueDecisionInput, owners: string[]) {
  const teams = owners.filter(isTeam);
  const logins = owners.filter((owner) => !isTeam(owner));
  const assignees = logins.filter((login) => input.assignable.has(login)).slice(0, MAX_ASSIGNEES);
  return { assignees, mentioned: owners.filter((owner) => !assignees.includes(owner)), teams };
}

/** The organization issue this run wants, when an organization-level fix applies. Pure. */
export function decideOrganizationIssue(input: IssueDecisionInput): WantedIssue | undefined {
  if (!input.organization) return undefined;
  const { assignees, mentioned } = people(input, input.organization.assignees);
  const content = renderOrganizationIssue({
    plan: input.organization.plan,
    ...(input.organization.history ? { history: input.organization.history } : {}),
    assignees,
    mentioned,
    ...(input.runUrl ? { runUrl: input.runUrl } : {}),
  });
  return { content, assignees };
}

/**
 * The account or owner issues this run wants, those that may close and why, and which issue
 * tracks each account. Pure: issue-sync.ts lists the issues, plans the operations
 * (planIssueOperations) and writes them. An account not assessed, or outside the run's
 * selection, is in no list, so its issue is never touched.
 */
export function decideIssues(input: IssueDecisionInput): {
  wanted: WantedIssue[];
  close: Map<IssueKey, CloseReason>;
  trackedBy: Map<string, IssueKey>;
} {
  const runUrl = input.runUrl ? { runUrl: input.runUrl } : {};
  const coveredByOrganization = input.organization?.coveredAccounts ?? new Set<string>();

  const wanted: WantedIssue[] = [];
  const close = new Map<IssueKey, CloseReason>();
  const wantedAccounts = new Set(input.accounts.map((account) => account.verdict.accountId));
  const cleanComment = (what: string) =>
    `${what} assessed clean${input.runUrl ? ` by [this run](${input.runUrl})` : ""}: CloudTrail records its global service events. Closing.`;
  const trackedBy = new Map<string, IssueKey>();

  // Whatever the grouping, an account assessed clean has its own issue closed, as fixed; one
  // accepted by an exception, as not planned, with the exception's terms.
  const { excepted, current, grouping, organizationIssue } = input;
  for (const accountId of input.clean)
    close.set(accountKey(accountId), { kind: "fixed", comment: cleanComment(`Account ${accountId} was`) });
  for (const [accountId, comment] of excepted) close.set(accountKey(accountId), { kind: "excepted", comment });
  if (grouping === "account") {
    for (const account of input.accounts) {
      const { assignees, mentioned, teams } = people(input, account.owners);
      const link =
        organizationIssue && coveredByOrganization.has(account.verdict.accountId) ? { organizationIssue } : {};
      wanted.push({
        content: renderIssue({
          verdict: account.verdict,
          findings: account.findings,
          ...(account.brokenSince ? { brokenSince: account.brokenSince } : {}),
          assignees,
          mentioned,
          ...runUrl,
          ...link,
        }),
        assignees,
        teams,
      });
      trackedBy.set(account.verdict.accountId, accountKey(account.verdict.accountId));
    }
  } else {
    const byOwner = new Map<IssueKey, AccountForIssue[]>();
    for (const account of input.accounts) {
      const key = ownerKey(account.owners);
      byOwner.set(key, [...(byOwner.get(key) ?? []), account]);
      trackedBy.set(account.verdict.accountId, key);
    }
    for (const [key, accounts] of byOwner) {
      const { assignees, mentioned, teams } = people(input, accounts[0]!.owners);
      // Listed before, and neither judged clean nor listed elsewhere now: not assessed this run, so kept.
      const kept = (current.get(key)?.state === "open" ? (current.get(key)!.accounts ?? []) : []).filter(
        (id) => !wantedAccounts.has(id) && !input.clean.has(id) && !excepted.has(id),
      );
      const content = renderOwnerIssue({
        owners: accounts[0]!.owners,
        assignees,
        mentioned,
        accounts,
        kept,
        ...runUrl,
        ...(organizationIssue ? { organizationIssue } : {}),
        coveredByOrganizationFix: coveredByOrganization,
      });
      wanted.push({ content, assignees, teams });
    }
    for (const accountId of wantedAccounts) {
      const to = trackedBy.get(accountId)!;
      close.set(accountKey(accountId), {
        kind: "moved",
        to: [to],
        comment: `Account ${accountId} is now tracked with the other accounts of its owners (issue-grouping: owner) in`,
      });
    }
  }
  // Issues of the other grouping, or of owners with nothing left: closed once every account they list is clean or tracked by another issue.
  for (const [key, issue] of current) {
    if (issue.state !== "open" || !key.startsWith("owner:") || wanted.some((item) => item.content.key === key))
      continue;
    const accounts = issue.accounts ?? [];
    if (!accounts.every((id) => input.clean.has(id) || trackedBy.has(id) || excepted.has(id))) continue;
    const to = [...new Set(accounts.flatMap((id) => (trackedBy.has(id) ? [trackedBy.get(id)!] : [])))];
    const acceptedHere = accounts.filter((id) => excepted.has(id));
    if (to.length > 0) {
      const now =
        grouping === "account"
          ? "These accounts are now tracked one issue per account (issue-grouping: account)"
          : "These accounts are now tracked with their current owners";
      close.set(key, { kind: "moved", to, comment: `${now}; the ones not fixed are in` });
    } else if (acceptedHere.length > 0) {
      close.set(key, { kind: "excepted", comment: acceptedHere.map((id) => excepted.get(id)!).join("\n\n") });
    } else {
      close.set(key, {
        kind: "fixed",
        comment: cleanComment(`Every account listed here (${accounts.join(", ")}) was`),
      });
    }
  }
  if (!input.organization && input.organizationSettled) {
    close.set(ORGANIZATION_KEY, {
      kind: "fixed",
      comment:
        `No organization-level fix applies any more${input.runUrl ? ` ([this run](${input.runUrl}))` : ""}: ` +
        "every account that an organization trail would cover records its global service events, or an " +
        "organization trail does. Closing.",
    });
  }
  return { wanted, close, trackedBy };
}
