import { ConfigurationError } from "../configuration-error.js";
import type { AccountVerdict, Finding } from "../findings.js";
import { MAX_ASSIGNEES, readMarker, renderIssue } from "./issue-content.js";
import { planIssueOperations, writesOf, type AssigneeChange, type ExistingIssue, type IssueOperation } from "./issue-plan.js";
import type { Octokit } from "./octokit.js";

export interface AccountForIssue {
  verdict: AccountVerdict;
  findings: Finding[];
  owners: string[];
}

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
  log: (message: string) => void;
  /** Injected by tests; real time otherwise. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** GitHub asks for at least a second between requests that create content ("Best practices for using the REST API"). */
export const WRITE_INTERVAL_MS = 1_000;

export interface IssueSyncResult {
  dryRun: boolean;
  opened: number;
  reopened: number;
  updated: number;
  closed: number;
  unchanged: number;
  /** Operations left for a later run by max-issue-operations. */
  deferred: number;
  unassignable: string[];
  ownerWarnings: string[];
  /** One line per operation planned, for logs and dry runs. */
  planned: string[];
  /** Operations GitHub refused, each with its reason: the others went ahead, and the step fails at the end. */
  failed: { operation: string; reason: string }[];
}

/** Raised when the token may not write issues: the fix is a permission in the workflow. */
export class IssuesPermissionError extends ConfigurationError {}

export async function syncIssues(request: IssueSyncRequest): Promise<IssueSyncResult> {
  const { octokit, owner, repo } = request;
  const existing = await guard(() => listTrackedIssues(request), "list issues (needs issues: read)");

  const owners = [...new Set(request.wanted.flatMap((account) => account.owners))];
  const assignable = new Map<string, boolean>();
  for (const login of owners) assignable.set(login, await guard(() => canBeAssigned(octokit, owner, repo, login), "check assignees"));
  const unassignable = owners.filter((login) => !assignable.get(login));

  const wanted = request.wanted.map((account) => {
    const assignees = account.owners.filter((login) => assignable.get(login)).slice(0, MAX_ASSIGNEES);
    const mentioned = account.owners.filter((login) => !assignees.includes(login));
    const content = renderIssue({ verdict: account.verdict, findings: account.findings, assignees, mentioned, ...(request.runUrl ? { runUrl: request.runUrl } : {}) });
    return { content, assignees };
  });
  const { operations, unchanged } = planIssueOperations({ wanted, clean: request.clean, existing });
  const result: IssueSyncResult = {
    dryRun: request.dryRun,
    opened: 0,
    reopened: 0,
    updated: 0,
    closed: 0,
    unchanged,
    deferred: 0,
    unassignable,
    ownerWarnings: [],
    planned: operations.map(describeOperation),
    failed: [],
  };
  if (request.dryRun) {
    for (const line of result.planned) request.log(`dry run, would ${line}`);
    for (const operation of operations) count(result, operation);
    return result;
  }

  const paced = pacedWrites(request);
  let writesLeft = request.maxOperations;
  if (operations.some((operation) => operation.kind === "create" || operation.kind === "reopen")) {
    writesLeft -= await guard(() => ensureLabels(request, paced), "create labels");
  }
  for (const [index, operation] of operations.entries()) {
    const writes = writesOf(operation);
    if (writes > writesLeft) {
      result.deferred = operations.length - index;
      request.log(`max-issue-operations reached: ${result.deferred} issue operations deferred to the next run.`);
      break;
    }
    writesLeft -= writes;
    try {
      await guard(() => perform(request, operation, paced), describeOperation(operation));
    } catch (error) {
      // A permission problem ends the sync: every other write would fail the same way.
      if (error instanceof IssuesPermissionError) throw error;
      // Anything else concerns this issue alone: report it, go on with the rest.
      const failure = { operation: describeOperation(operation), reason: describeGitHubError(error) };
      result.failed.push(failure);
      request.log(`could not ${failure.operation}: ${failure.reason}`);
      continue;
    }
    count(result, operation);
    request.log(describeOperation(operation));
  }
  return result;
}

/** Runs each write at least WRITE_INTERVAL_MS after the previous one started. */
type PacedWrite = <T>(write: () => Promise<T>) => Promise<T>;

function pacedWrites(request: IssueSyncRequest): PacedWrite {
  const sleep = request.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = request.now ?? Date.now;
  let last: number | undefined;
  return async (write) => {
    if (last !== undefined) {
      const wait = last + WRITE_INTERVAL_MS - now();
      if (wait > 0) await sleep(wait);
    }
    last = now();
    return write();
  };
}

/** What GitHub said, told apart by cause: "HTTP 422: body is too long (maximum is 65536 characters)". */
export function describeGitHubError(error: unknown): string {
  const status = statusOf(error);
  const details = validationErrors(error)
    .map((detail) => detail.message ?? [detail.resource, detail.field, detail.code].filter(Boolean).join(" "))
    .filter(Boolean);
  const message = (error as { response?: { data?: { message?: string } } }).response?.data?.message ?? (error as Error).message ?? String(error);
  return `${status ? `HTTP ${status}: ` : ""}${message}${details.length > 0 ? ` (${details.join("; ")})` : ""}`;
}

interface ValidationError {
  resource?: string;
  field?: string;
  code?: string;
  message?: string;
}

function validationErrors(error: unknown): ValidationError[] {
  const errors = (error as { response?: { data?: { errors?: unknown } } }).response?.data?.errors;
  return Array.isArray(errors) ? errors.filter((item): item is ValidationError => typeof item === "object" && item !== null) : [];
}

/** A 422 about the assignees (a login that lost access since it was checked), not about the issue. */
function isAssigneeRefusal(error: unknown): boolean {
  return statusOf(error) === 422 && validationErrors(error).some((detail) => detail.field === "assignees");
}

/** Another job (a shard, an overlapping run) created the label first. */
function isAlreadyExists(error: unknown): boolean {
  return statusOf(error) === 422 && validationErrors(error).some((detail) => detail.code === "already_exists");
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
      return `open an issue for account ${operation.content.accountId}${operation.assignees.length ? `, assigned to ${operation.assignees.join(", ")}` : ""}: ${operation.content.title}`;
    case "reopen":
      return `reopen issue #${operation.issue.number} for account ${operation.content.accountId}: ${operation.content.title}`;
    case "update":
      return `update issue #${operation.issue.number} for account ${operation.content.accountId}: ${operation.content.title}`;
    case "close":
      return `close issue #${operation.issue.number}: account ${operation.accountId} is assessed clean`;
  }
}

/** The tracked issues, found by label (state all) and marker; not the search API, whose index lags. */
async function listTrackedIssues(request: IssueSyncRequest): Promise<ExistingIssue[]> {
  const issues = await request.octokit.paginate(request.octokit.rest.issues.listForRepo, {
    owner: request.owner,
    repo: request.repo,
    labels: request.labels[0]!,
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
        state: issue.state === "closed" ? "closed" : "open",
        accountId: marker.accountId,
        ...(marker.digest ? { digest: marker.digest } : {}),
        assignees: (issue.assignees ?? []).map((assignee) => assignee.login),
        assignedByAction: marker.assigned,
      } satisfies ExistingIssue,
    ];
  });
}

async function canBeAssigned(octokit: Octokit, owner: string, repo: string, login: string): Promise<boolean> {
  try {
    await octokit.rest.issues.checkUserCanBeAssigned({ owner, repo, assignee: login });
    return true;
  } catch (error) {
    if (statusOf(error) === 404) return false;
    throw error;
  }
}

/** Creates the labels that do not exist yet; returns how many writes that took. */
async function ensureLabels(request: IssueSyncRequest, paced: PacedWrite): Promise<number> {
  let writes = 0;
  for (const name of request.labels) {
    try {
      await request.octokit.rest.issues.getLabel({ owner: request.owner, repo: request.repo, name });
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
      writes += 1;
      try {
        await paced(() => request.octokit.rest.issues.createLabel({ owner: request.owner, repo: request.repo, name, color: "d93f0b" }));
      } catch (createError) {
        if (!isAlreadyExists(createError)) throw createError;
      }
    }
  }
  return writes;
}

async function perform(request: IssueSyncRequest, operation: IssueOperation, paced: PacedWrite): Promise<void> {
  const { octokit, owner, repo } = request;
  switch (operation.kind) {
    case "create": {
      const create = (assignees: string[]) =>
        paced(() => octokit.rest.issues.create({ owner, repo, title: operation.content.title, body: operation.content.body, labels: request.labels, assignees }));
      try {
        await create(operation.assignees);
      } catch (error) {
        // An owner who lost access since the check: the issue matters more than the assignment.
        if (!isAssigneeRefusal(error) || operation.assignees.length === 0) throw error;
        await create([]);
      }
      return;
    }
    case "reopen":
      // No assignees here: the update endpoint replaces them, and would drop whoever a person assigned.
      await paced(() => octokit.rest.issues.update({ owner, repo, issue_number: operation.issue.number, state: "open", title: operation.content.title, body: operation.content.body }));
      await changeAssignees(request, operation.issue.number, operation.assignees, paced);
      return;
    case "update":
      await paced(() => octokit.rest.issues.update({ owner, repo, issue_number: operation.issue.number, title: operation.content.title, body: operation.content.body }));
      await changeAssignees(request, operation.issue.number, operation.assignees, paced);
      return;
    case "close":
      await paced(() => octokit.rest.issues.createComment({
        owner,
        repo,
        issue_number: operation.issue.number,
        body: `Account ${operation.accountId} was assessed clean${request.runUrl ? ` by [this run](${request.runUrl})` : ""}: CloudTrail records its global service events. Closing.`,
      }));
      await paced(() => octokit.rest.issues.update({ owner, repo, issue_number: operation.issue.number, state: "closed", state_reason: "completed" }));
      return;
  }
}

async function changeAssignees(request: IssueSyncRequest, issueNumber: number, change: AssigneeChange, paced: PacedWrite): Promise<void> {
  const { octokit, owner, repo } = request;
  if (change.add.length > 0) await paced(() => octokit.rest.issues.addAssignees({ owner, repo, issue_number: issueNumber, assignees: change.add }));
  if (change.remove.length > 0) await paced(() => octokit.rest.issues.removeAssignees({ owner, repo, issue_number: issueNumber, assignees: change.remove }));
}

async function guard<T>(action: () => Promise<T>, what: string): Promise<T> {
  try {
    return await action();
  } catch (error) {
    const status = statusOf(error);
    // A 403 that is a rate limit the throttling plugin gave up on is not a missing permission.
    const rateLimited = /rate limit/i.test((error as Error).message ?? "");
    if ((status === 403 && !rateLimited) || status === 401) {
      throw new IssuesPermissionError(
        `GitHub refused to ${what} (HTTP ${status}: ${(error as Error).message}). Give the job \`permissions: issues: write\` (and pass a token that has it as github-token), or set create-issues: false.`,
      );
    }
    throw error;
  }
}

function statusOf(error: unknown): number | undefined {
  return error && typeof error === "object" && "status" in error ? Number((error as { status: unknown }).status) : undefined;
}
