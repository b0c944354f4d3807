import { ConfigurationError } from "../configuration-error.js";
import {
  describeGitHubCall,
  describeGitHubError,
  githubMessageOf,
  githubValidationErrors,
  httpStatusOf,
} from "../error-description.js";
import type { RemediationPlan } from "../remediation-plan.js";
import { ORGANIZATION_KEY, readMarker, type IssueKey } from "./issue-content.js";
import {
  currentIssues,
  decideIssues,
  decideOrganizationIssue,
  planIssueOperations,
  writesOf,
  type AccountForIssue,
  type AssigneeChange,
  type ExistingIssue,
  type IssueDecisionInput,
  type IssueGrouping,
  type IssueOperation,
} from "./issue-plan.js";
import { isTeam } from "./github-names.js";
import type { Octokit } from "./octokit.js";
import type { IssueLink } from "./plan-markdown.js";

export interface IssueSyncRequest {
  octokit: Octokit;
  owner: string;
  repo: string;
  labels: string[];
  maxOperations: number;
  dryRun: boolean;
  runUrl?: string;
  /** Accounts with an error- or warning-level finding, most severe first. */
  wanted: AccountForIssue[];
  /** Accounts assessed clean this run. */
  clean: Set<string>;
  /** Accounts whose every finding to act on is accepted by an exception, with the comment that says by which. */
  excepted?: Map<string, string>;
  grouping?: IssueGrouping;
  /** The tracked issues, when the caller listed them already (for their dates): not listed again. */
  listed?: ExistingIssue[];
  /** The label an issue gets, with one comment, when one of its accounts becomes overdue. */
  overdueLabel?: string;
  /** The plan with its organization-level fix, for the organization issue; absent when none applies. */
  organization?: { plan: RemediationPlan; assignees: string[]; coveredAccounts: Set<string> };
  /** The organization issue may close: this run saw the whole organization and no organization-level fix applies. */
  organizationSettled?: boolean;
  log: (message: string) => void;
}

export interface IssueSyncResult {
  dryRun: boolean;
  opened: number;
  reopened: number;
  updated: number;
  closed: number;
  unchanged: number;
  /** Operations left for a later run: by max-issue-operations, or once GitHub kept refusing writes. */
  deferred: number;
  /** Set when GitHub kept refusing writes for its rate limit: what it said; the writes left are deferred. */
  rateLimited?: string;
  /** The operations deferred because of the rate limit, as logged. */
  rateLimitedOperations: string[];
  unassignable: string[];
  ownerWarnings: string[];
  /** One line per operation planned, for logs and dry runs. */
  planned: string[];
  /** Operations GitHub refused, each with its reason: the others went ahead, and the step fails at the end. */
  failed: { operation: string; reason: string }[];
  /** Issues that got the overdue label and comment this run. */
  markedOverdue?: number;
  /** The issue that tracks each account (its own, or its owner's), where one exists after this run. */
  links: Map<string, IssueLink>;
  organizationIssue?: IssueLink;
}

/** Raised when the token may not write issues: the fix is a permission in the workflow. */
export class IssuesPermissionError extends ConfigurationError {}

/** A GitHub call that failed for another reason (GitHub's own failure, the network): said in one line, never a stack. */
export class GitHubCallError extends Error {
  override readonly name = "GitHubCallError";
}

interface IssueRef extends IssueLink {
  id?: number;
}

export async function syncIssues(request: IssueSyncRequest): Promise<IssueSyncResult> {
  const { octokit, owner, repo } = request;
  const grouping = request.grouping ?? "account";
  const existing =
    request.listed ??
    (await guard(
      () => listTrackedIssues(octokit, owner, repo, request.labels[0]!),
      "list the tracked issues",
      "issues: read",
    ));
  const current = currentIssues(existing);
  const refs = new Map<IssueKey, IssueRef>();
  for (const [key, issue] of current)
    if (issue.state === "open")
      refs.set(key, {
        number: issue.number,
        url: issue.url ?? "",
        ...(issue.id !== undefined ? { id: issue.id } : {}),
      });

  // Teams are never assigned: only people are checked.
  const owners = [
    ...new Set([...request.wanted.flatMap((account) => account.owners), ...(request.organization?.assignees ?? [])]),
  ].filter((owner) => !isTeam(owner));
  const assignable = new Map<string, boolean>();
  for (const login of owners)
    assignable.set(
      login,
      await guard(() => canBeAssigned(octokit, owner, repo, login), `check that ${login} can be assigned`),
    );
  const unassignable = owners.filter((login) => !assignable.get(login));
  const result: IssueSyncResult = {
    dryRun: request.dryRun,
    opened: 0,
    reopened: 0,
    updated: 0,
    closed: 0,
    unchanged: 0,
    deferred: 0,
    rateLimitedOperations: [],
    unassignable,
    ownerWarnings: [],
    planned: [],
    failed: [],
    links: new Map(),
  };
  const run = runner(request, result, refs);
  const decision: IssueDecisionInput = {
    accounts: request.wanted,
    clean: request.clean,
    excepted: request.excepted ?? new Map(),
    grouping,
    current,
    assignable: new Set(owners.filter((login) => assignable.get(login))),
    ...(request.runUrl ? { runUrl: request.runUrl } : {}),
    ...(request.organization ? { organization: request.organization } : {}),
    organizationSettled: request.organizationSettled ?? false,
  };
  // The organization issue first: the account or owner issues link to the issue it becomes.
  const organizationWanted = decideOrganizationIssue(decision);
  if (organizationWanted) await run(planIssueOperations({ wanted: [organizationWanted], close: new Map(), existing }));
  const organizationIssue = request.organization ? refs.get(ORGANIZATION_KEY) : undefined;
  const { wanted, close, trackedBy } = decideIssues({
    ...decision,
    ...(organizationIssue
      ? { organizationIssue: { number: organizationIssue.number, url: organizationIssue.url } }
      : {}),
  });
  await run(planIssueOperations({ wanted, close, existing }));

  for (const [accountId, key] of trackedBy) {
    const ref = refs.get(key);
    if (ref) result.links.set(accountId, { number: ref.number, url: ref.url });
  }
  // Accounts not assessed keep the issue they had.
  for (const [key, ref] of refs) {
    if (key.startsWith("account:") && !result.links.has(key.slice(8)))
      result.links.set(key.slice(8), { number: ref.number, url: ref.url });
    if (key.startsWith("owner:"))
      for (const id of current.get(key)?.accounts ?? [])
        if (!result.links.has(id)) result.links.set(id, { number: ref.number, url: ref.url });
  }
  await markOverdue(request, result, refs, trackedBy, current);
  const organizationRef = refs.get(ORGANIZATION_KEY);
  if (request.organization && organizationRef)
    result.organizationIssue = { number: organizationRef.number, url: organizationRef.url };
  return result;
}

/** Performs planned operations in order within the run's write budget, recording the issues written. */
function runner(request: IssueSyncRequest, result: IssueSyncResult, refs: Map<IssueKey, IssueRef>) {
  let writesLeft = request.maxOperations;
  let labelsReady = false;
  const deferForRateLimit = (operation: IssueOperation) => {
    result.deferred += 1;
    result.rateLimitedOperations.push(describeOperation(operation));
  };
  return async ({ operations, unchanged }: { operations: IssueOperation[]; unchanged: number }): Promise<void> => {
    result.unchanged += unchanged;
    result.planned.push(...operations.map(describeOperation));
    if (request.dryRun) {
      for (const operation of operations) {
        request.log(`dry run, would ${describeOperation(operation)}`);
        count(result, operation);
      }
      return;
    }
    if (
      !labelsReady &&
      !result.rateLimited &&
      operations.some((operation) => operation.kind === "create" || operation.kind === "reopen")
    ) {
      try {
        writesLeft -= await guard(() => ensureLabels(request), "create the labels");
        labelsReady = true;
      } catch (error) {
        if (!isRateLimited(error)) throw error;
        result.rateLimited = describeGitHubError(error);
        request.log(
          `GitHub refuses writes for its rate limit (${result.rateLimited}): issue writes are left for the next run.`,
        );
      }
    }
    for (const [index, operation] of operations.entries()) {
      // GitHub kept refusing for its rate limit: hammering it would only prolong that.
      if (result.rateLimited) {
        deferForRateLimit(operation);
        continue;
      }
      const writes = writesOf(operation);
      // A moved issue closes only once the issues it points to exist: nothing may vanish.
      const targets =
        operation.kind === "close" && operation.reason.kind === "moved"
          ? operation.reason.to.map((key) => refs.get(key))
          : [];
      if (writes > writesLeft) {
        result.deferred += operations.length - index;
        request.log(
          `max-issue-operations reached: ${operations.length - index} issue operations deferred to the next run.`,
        );
        return;
      }
      if (targets.some((target) => target === undefined)) {
        result.deferred += 1;
        continue;
      }
      writesLeft -= writes;
      try {
        const written = await guard(
          () => perform(request, operation, targets as IssueRef[]),
          describeOperation(operation),
          "issues: write",
          true,
        );
        if (written) refs.set(written.key, written.ref);
        // A duplicate closes into the issue kept for its key: that one's ref stays.
        if (operation.kind === "close" && refs.get(operation.issue.key)?.number === operation.issue.number)
          refs.delete(operation.issue.key);
      } catch (error) {
        // A permission problem ends the sync: every other write would fail the same way.
        if (error instanceof IssuesPermissionError) throw error;
        if (isRateLimited(error)) {
          result.rateLimited = describeGitHubError(error);
          deferForRateLimit(operation);
          request.log(
            `GitHub still refuses writes for its rate limit after waiting (${result.rateLimited}): this and ` +
              "every further issue write is left for the next run.",
          );
          continue;
        }
        // Anything else concerns this issue alone: report it, go on with the rest.
        const failure = { operation: describeOperation(operation), reason: describeGitHubError(error) };
        result.failed.push(failure);
        request.log(`could not ${failure.operation}: ${failure.reason}`);
        continue;
      }
      count(result, operation);
      request.log(describeOperation(operation));
    }
  };
}

/** What GitHub said, told apart by cause: "HTTP 422: body is too long (maximum is 65536 characters)". */
/** A 422 about the assignees (a login that lost access since it was checked), not about the issue. */
function isAssigneeRefusal(error: unknown): boolean {
  return httpStatusOf(error) === 422 && githubValidationErrors(error).some((detail) => detail.field === "assignees");
}

/** GitHub refused for its primary or secondary rate limit, and the throttling plugin's retry did not get through. */
function isRateLimited(error: unknown): boolean {
  const status = httpStatusOf(error);
  // GitHub's own words tell a rate limit from a missing permission (both can be 403).
  return (status === 403 || status === 429) && /rate limit/i.test(githubMessageOf(error));
}

/** Another job (a shard, an overlapping run) created the label first. */
function isAlreadyExists(error: unknown): boolean {
  return (
    httpStatusOf(error) === 422 && githubValidationErrors(error).some((detail) => detail.code === "already_exists")
  );
}

function count(result: IssueSyncResult, operation: IssueOperation): void {
  if (operation.kind === "create") result.opened += 1;
  else if (operation.kind === "reopen") result.reopened += 1;
  else if (operation.kind === "update") result.updated += 1;
  else result.closed += 1;
}

function describeOperation(operation: IssueOperation): string {
  switch (operation.kind) {
    case "create":
      return (
        `open an issue for ${subject(operation.content.key)}${operation.assignees.length ? `, assigned to ${operation.assignees.join(", ")}` : ""}: ` +
        `${operation.content.title}`
      );
    case "reopen":
      return `reopen issue #${operation.issue.number} for ${subject(operation.content.key)}: ${operation.content.title}`;
    case "update":
      return `update issue #${operation.issue.number} for ${subject(operation.content.key)}: ${operation.content.title}`;
    case "close":
      if (operation.reason.kind === "fixed")
        return `close issue #${operation.issue.number}: ${subject(operation.issue.key)} is assessed clean`;
      if (operation.reason.kind === "excepted")
        return `close issue #${operation.issue.number}: ${subject(operation.issue.key)} is accepted by an exception`;
      if (operation.reason.kind === "duplicate")
        return `close issue #${operation.issue.number} as a duplicate of #${operation.reason.of.number} (${subject(operation.issue.key)})`;
      return (
        `close issue #${operation.issue.number} of ${subject(operation.issue.key)}: tracked in the issue of ` +
        `${operation.reason.to.map(subject).join(", ")} now`
      );
  }
}

/** "account 111122223333", "owners @alice, @bob", "the organization". */
function subject(key: IssueKey): string {
  if (key.startsWith("account:")) return `account ${key.slice(8)}`;
  if (key.startsWith("owner:"))
    return key === "owner:(none)"
      ? "accounts without an owner"
      : `owners ${key
          .slice(6)
          .split("+")
          .map((login) => `@${login}`)
          .join(", ")}`;
  return "the organization";
}

/**
 * An issue whose account (or one of whose accounts) became overdue gets the overdue label and
 * one comment saying since when. The label records that it was said: an issue that has it gets
 * no second comment, however many runs it stays overdue.
 */
async function markOverdue(
  request: IssueSyncRequest,
  result: IssueSyncResult,
  refs: Map<IssueKey, IssueRef>,
  trackedBy: Map<string, IssueKey>,
  current: Map<IssueKey, ExistingIssue>,
): Promise<void> {
  const label = request.overdueLabel;
  if (!label || result.rateLimited) return;
  const dueByKey = new Map<IssueKey, { since: string; accounts: string[] }>();
  for (const account of request.wanted) {
    const key = trackedBy.get(account.verdict.accountId);
    if (!key || !account.overdueSince) continue;
    const entry = dueByKey.get(key) ?? { since: account.overdueSince, accounts: [] };
    if (account.overdueSince < entry.since) entry.since = account.overdueSince;
    entry.accounts.push(account.verdict.accountId);
    dueByKey.set(key, entry);
  }
  for (const [key, due] of dueByKey) {
    const ref = refs.get(key);
    if (!ref || current.get(key)?.labels?.includes(label)) continue;
    const body =
      `Overdue: ${due.accounts.length === 1 ? `account ${due.accounts[0]} has` : `accounts ${due.accounts.join(", ")} have`} ` +
      `a finding open past the remediation deadline (remediation-days), due ${due.since}. This comment is made once; ` +
      `the ${label} label stays while it is open.`;
    const operation = `mark issue #${ref.number} overdue`;
    if (request.dryRun) {
      request.log(`dry run, would ${operation}`);
      result.planned.push(operation);
      continue;
    }
    try {
      await guard(
        async () => {
          await request.octokit.rest.issues.addLabels({
            owner: request.owner,
            repo: request.repo,
            issue_number: ref.number,
            labels: [label],
          });
          await writeOnce(
            async () => {
              await request.octokit.rest.issues.createComment({
                owner: request.owner,
                repo: request.repo,
                issue_number: ref.number,
                body,
                request: NOT_RETRIED,
              });
              return true;
            },
            () => findComment(request, ref.number, body),
          );
        },
        operation,
        "issues: write",
        true,
      );
      result.markedOverdue = (result.markedOverdue ?? 0) + 1;
      request.log(operation);
    } catch (error) {
      if (error instanceof IssuesPermissionError) throw error;
      if (isRateLimited(error)) {
        result.rateLimited = describeGitHubError(error);
        result.deferred += 1;
        result.rateLimitedOperations.push(operation);
        return;
      }
      result.failed.push({ operation, reason: describeGitHubError(error) });
    }
  }
}

/** The tracked issues, found by label (state all) and marker; not the search API, whose index lags. */
export async function listTrackedIssues(
  octokit: Octokit,
  owner: string,
  repo: string,
  label: string,
): Promise<ExistingIssue[]> {
  const issues = await octokit.paginate(octokit.rest.issues.listForRepo, {
    owner,
    repo,
    labels: label,
    state: "all",
    per_page: 100,
  });
  return issues.flatMap((issue) => {
    if (issue.pull_request) return [];
    const marker = readMarker(issue.body);
    if (!marker) return [];
    return [
      {
        number: issue.number,
        id: issue.id,
        url: issue.html_url,
        state: issue.state === "closed" ? "closed" : "open",
        key: marker.key,
        ...(marker.digest ? { digest: marker.digest } : {}),
        assignees: (issue.assignees ?? []).map((assignee) => assignee.login),
        assignedByAction: marker.assigned,
        ...(marker.accounts.length > 0 ? { accounts: marker.accounts } : {}),
        labels: issue.labels.map((item) => (typeof item === "string" ? item : (item.name ?? ""))),
        createdAt: issue.created_at,
        ...(issue.closed_at ? { closedAt: issue.closed_at } : {}),
        ...(issue.state_reason ? { stateReason: issue.state_reason } : {}),
      } satisfies ExistingIssue,
    ];
  });
}

async function canBeAssigned(octokit: Octokit, owner: string, repo: string, login: string): Promise<boolean> {
  try {
    await octokit.rest.issues.checkUserCanBeAssigned({ owner, repo, assignee: login });
    return true;
  } catch (error) {
    if (httpStatusOf(error) === 404) return false;
    throw error;
  }
}

/** Creates the labels that do not exist yet; returns how many writes that took. */
async function ensureLabels(request: IssueSyncRequest): Promise<number> {
  let writes = 0;
  for (const name of request.labels) {
    try {
      await request.octokit.rest.issues.getLabel({ owner: request.owner, repo: request.repo, name });
    } catch (error) {
      if (httpStatusOf(error) !== 404) throw error;
      writes += 1;
      try {
        await request.octokit.rest.issues.createLabel({
          owner: request.owner,
          repo: request.repo,
          name,
          color: "d93f0b",
        });
      } catch (createError) {
        if (!isAlreadyExists(createError)) throw createError;
      }
    }
  }
  return writes;
}

/** Writes one operation; returns the issue it created or kept open, for links. */
async function perform(
  request: IssueSyncRequest,
  operation: IssueOperation,
  targets: IssueRef[],
): Promise<{ key: IssueKey; ref: IssueRef } | undefined> {
  const { octokit, owner, repo } = request;
  switch (operation.kind) {
    case "create": {
      const create = (assignees: string[]) =>
        writeOnce(
          async (): Promise<IssueRef> => {
            const { data } = await octokit.rest.issues.create({
              owner,
              repo,
              title: operation.content.title,
              body: withTeamMention(operation.content.body, operation.teams),
              labels: request.labels,
              assignees,
              request: NOT_RETRIED,
            });
            return { number: data.number, url: data.html_url, id: data.id };
          },
          () => findCreatedIssue(request, operation.content.key),
        );
      let created: IssueRef;
      try {
        created = await create(operation.assignees);
      } catch (error) {
        // An owner who lost access since the check: the issue matters more than the assignment.
        if (!isAssigneeRefusal(error) || operation.assignees.length === 0) throw error;
        created = await create([]);
      }
      return { key: operation.content.key, ref: created };
    }
    case "reopen":
      // No assignees here: the update endpoint replaces them, and would drop whoever a person assigned.
      await octokit.rest.issues.update({
        owner,
        repo,
        issue_number: operation.issue.number,
        state: "open",
        title: operation.content.title,
        body: operation.content.body,
      });
      await changeAssignees(request, operation.issue.number, operation.assignees);
      // The overdue label said "overdue" of the last time the account was broken: this time
      // earns its own comment when it is overdue again.
      if (request.overdueLabel && operation.issue.labels?.includes(request.overdueLabel)) {
        await octokit.rest.issues.removeLabel({
          owner,
          repo,
          issue_number: operation.issue.number,
          name: request.overdueLabel,
        });
        operation.issue.labels = operation.issue.labels.filter((label) => label !== request.overdueLabel);
      }
      return { key: operation.content.key, ref: refOf(operation.issue) };
    case "update":
      await octokit.rest.issues.update({
        owner,
        repo,
        issue_number: operation.issue.number,
        title: operation.content.title,
        body: operation.content.body,
      });
      await changeAssignees(request, operation.issue.number, operation.assignees);
      return { key: operation.content.key, ref: refOf(operation.issue) };
    case "close": {
      const { reason } = operation;
      const body =
        reason.kind === "moved"
          ? `${reason.comment} ${targets.map((target) => `#${target.number}`).join(", ")}. Closing this one.`
          : reason.comment;
      await writeOnce(
        async () => {
          await octokit.rest.issues.createComment({
            owner,
            repo,
            issue_number: operation.issue.number,
            body,
            request: NOT_RETRIED,
          });
          return true;
        },
        () => findComment(request, operation.issue.number, body),
      );
      // Moved to exactly one issue: closed as its duplicate, so GitHub links the two; never "completed", as nothing was fixed.
      const single =
        reason.kind === "duplicate"
          ? reason.of.id !== undefined
            ? refOf(reason.of)
            : undefined
          : reason.kind === "moved" && targets.length === 1 && targets[0]!.id !== undefined
            ? targets[0]!
            : undefined;
      await octokit.rest.issues.update({
        owner,
        repo,
        issue_number: operation.issue.number,
        state: "closed",
        ...(reason.kind === "fixed"
          ? { state_reason: "completed" as const }
          : single
            ? { state_reason: "duplicate" as const, duplicate_issue_id: single.id! }
            : { state_reason: "not_planned" as const }),
      });
      return undefined;
    }
  }
}

/**
 * The owning teams, mentioned once when the issue is opened (GitHub cannot assign a team);
 * later bodies name them in code, so an update notifies no one again. Below the content: its
 * marker and digest are unchanged.
 */
function withTeamMention(body: string, teams: string[] | undefined): string {
  if (!teams?.length) return body;
  return `${body}\n\ncc ${teams.map((team) => `@${team}`).join(" ")} (owning ${teams.length === 1 ? "team" : "teams"})`;
}

/** Writes that create something are not retried blindly (plugin-retry's default): writeOnce looks first. */
const NOT_RETRIED = { retries: 0 };

/** At most this many tries of one creating write, each after looking for what the last may have made. */
const CREATE_ATTEMPTS = 3;

/**
 * A write that creates something (an issue, a comment), which GitHub may have made though it
 * answered with a server error or not at all: before it is sent again, look for it. A retried
 * POST had made a second issue for the same account, open for good once the first closed.
 */
async function writeOnce<T>(write: () => Promise<T>, find: () => Promise<T | undefined>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await write();
    } catch (error) {
      const status = httpStatusOf(error);
      // A refusal (4xx) made nothing; a 5xx, or no answer (Octokit says 500), may have.
      const uncertain = status === undefined || status >= 500;
      if (!uncertain || attempt >= CREATE_ATTEMPTS) throw error;
      const found = await find();
      if (found !== undefined) return found;
    }
  }
}

/** The open issue with this marker among the newest of the label (GitHub lists the newest first). */
async function findCreatedIssue(request: IssueSyncRequest, key: IssueKey): Promise<IssueRef | undefined> {
  const { data } = await request.octokit.rest.issues.listForRepo({
    owner: request.owner,
    repo: request.repo,
    labels: request.labels[0]!,
    state: "open",
    sort: "created",
    direction: "desc",
    per_page: 30,
  });
  const found = data.find((issue) => !issue.pull_request && readMarker(issue.body)?.key === key);
  return found ? { number: found.number, url: found.html_url, id: found.id } : undefined;
}

/** Whether the issue already has this exact comment. */
async function findComment(request: IssueSyncRequest, issueNumber: number, body: string): Promise<true | undefined> {
  const comments = await request.octokit.paginate(request.octokit.rest.issues.listComments, {
    owner: request.owner,
    repo: request.repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  return comments.some((comment) => comment.body === body) ? true : undefined;
}

function refOf(issue: ExistingIssue): IssueRef {
  return { number: issue.number, url: issue.url ?? "", ...(issue.id !== undefined ? { id: issue.id } : {}) };
}

async function changeAssignees(request: IssueSyncRequest, issueNumber: number, change: AssigneeChange): Promise<void> {
  const { octokit, owner, repo } = request;
  if (change.add.length > 0)
    await octokit.rest.issues.addAssignees({ owner, repo, issue_number: issueNumber, assignees: change.add });
  if (change.remove.length > 0)
    await octokit.rest.issues.removeAssignees({ owner, repo, issue_number: issueNumber, assignees: change.remove });
}

/**
 * A GitHub call of the issue sync, failing as one line that names it, GitHub's status and
 * the likely cause (describeGitHubCall). A refused token or a missing permission ends the
 * sync as an input problem (IssuesPermissionError); a rate limit is the runner's to defer.
 */
async function guard<T>(
  action: () => Promise<T>,
  what: string,
  permission = "issues: write",
  /** One issue's write: its other failures are that issue's alone, reported by the runner as GitHub gave them. */
  oneIssue = false,
): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (isRateLimited(error)) throw error;
    const status = httpStatusOf(error);
    if (status === 403 || status === 401)
      throw new IssuesPermissionError(
        `Could not ${what}: ${describeGitHubCall(error, what, permission)}. Or set create-issues: false.`,
      );
    if (oneIssue || isAlreadyExists(error)) throw error;
    throw new GitHubCallError(`Could not ${what}: ${describeGitHubCall(error, what, permission)}.`, { cause: error });
  }
}
