import { ConfigurationError } from "../configuration-error.js";
import type { AccountVerdict, Finding } from "../findings.js";
import { readMarker, renderIssue } from "./issue-content.js";
import { planIssueOperations, type ExistingIssue, type IssueOperation } from "./issue-plan.js";
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
}

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
    const assignees = account.owners.filter((login) => assignable.get(login));
    const mentioned = account.owners.filter((login) => !assignable.get(login));
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
  };
  if (request.dryRun) {
    for (const line of result.planned) request.log(`dry run, would ${line}`);
    for (const operation of operations) count(result, operation);
    return result;
  }

  let writesLeft = request.maxOperations;
  if (operations.some((operation) => operation.kind === "create" || operation.kind === "reopen")) {
    writesLeft -= await guard(() => ensureLabels(request), "create labels");
  }
  for (const [index, operation] of operations.entries()) {
    const writes = operation.kind === "close" ? 2 : 1;
    if (writes > writesLeft) {
      result.deferred = operations.length - index;
      request.log(`max-issue-operations reached: ${result.deferred} issue operations deferred to the next run.`);
      break;
    }
    await guard(() => perform(request, operation), describeOperation(operation));
    writesLeft -= writes;
    count(result, operation);
    request.log(describeOperation(operation));
  }
  return result;
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
    return [{ number: issue.number, state: issue.state === "closed" ? "closed" : "open", accountId: marker.accountId, ...(marker.digest ? { digest: marker.digest } : {}) } satisfies ExistingIssue];
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
async function ensureLabels(request: IssueSyncRequest): Promise<number> {
  let writes = 0;
  for (const name of request.labels) {
    try {
      await request.octokit.rest.issues.getLabel({ owner: request.owner, repo: request.repo, name });
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
      await request.octokit.rest.issues.createLabel({ owner: request.owner, repo: request.repo, name, color: "d93f0b" });
      writes += 1;
    }
  }
  return writes;
}

async function perform(request: IssueSyncRequest, operation: IssueOperation): Promise<void> {
  const { octokit, owner, repo } = request;
  switch (operation.kind) {
    case "create": {
      const create = (assignees: string[]) =>
        octokit.rest.issues.create({ owner, repo, title: operation.content.title, body: operation.content.body, labels: request.labels, assignees });
      try {
        await create(operation.assignees);
      } catch (error) {
        // An owner who lost access since the check: the issue matters more than the assignment.
        if (statusOf(error) !== 422 || operation.assignees.length === 0) throw error;
        await create([]);
      }
      return;
    }
    case "reopen":
      await octokit.rest.issues.update({ owner, repo, issue_number: operation.issue.number, state: "open", title: operation.content.title, body: operation.content.body, assignees: operation.assignees });
      return;
    case "update":
      await octokit.rest.issues.update({ owner, repo, issue_number: operation.issue.number, title: operation.content.title, body: operation.content.body });
      return;
    case "close":
      await octokit.rest.issues.createComment({
        owner,
        repo,
        issue_number: operation.issue.number,
        body: `Account ${operation.accountId} was assessed clean${request.runUrl ? ` by [this run](${request.runUrl})` : ""}: CloudTrail records its global service events. Closing.`,
      });
      await octokit.rest.issues.update({ owner, repo, issue_number: operation.issue.number, state: "closed", state_reason: "completed" });
      return;
  }
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
