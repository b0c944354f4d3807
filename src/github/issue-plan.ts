import type { IssueContent } from "./issue-content.js";

export interface ExistingIssue {
  number: number;
  state: "open" | "closed";
  accountId: string;
  digest?: string;
  /** Who is assigned now, by anyone. */
  assignees?: string[];
  /** Who this action assigned (the marker's record): the only logins it may unassign. */
  assignedByAction?: string[];
}

/** Assignee changes made with GitHub's add and remove endpoints, never by replacing the list. */
export interface AssigneeChange {
  add: string[];
  remove: string[];
}

export type IssueOperation =
  | { kind: "create"; content: IssueContent; assignees: string[] }
  | { kind: "update"; issue: ExistingIssue; content: IssueContent; assignees: AssigneeChange }
  | { kind: "reopen"; issue: ExistingIssue; content: IssueContent; assignees: AssigneeChange }
  | { kind: "close"; issue: ExistingIssue; accountId: string };

export interface IssuePlanInput {
  /** Accounts with an error- or warning-level finding, in the order they should be written. */
  wanted: { content: IssueContent; assignees: string[] }[];
  /** Accounts assessed clean this run. Every other account keeps its issue untouched. */
  clean: Set<string>;
  existing: ExistingIssue[];
}

/**
 * What to write so that each account's issue matches this run. Pure: the caller lists the
 * existing issues and performs the operations. An account that was not assessed or is
 * outside this run's selection is in neither list, so its issue is never touched.
 */
export function planIssueOperations(input: IssuePlanInput): { operations: IssueOperation[]; unchanged: number } {
  const current = new Map<string, ExistingIssue>();
  // Several issues for one account (a person copied one): keep to the open one, lowest number.
  for (const issue of [...input.existing].sort((a, b) => Number(a.state !== "open") - Number(b.state !== "open") || a.number - b.number)) {
    if (!current.has(issue.accountId)) current.set(issue.accountId, issue);
  }
  const operations: IssueOperation[] = [];
  let unchanged = 0;
  for (const { content, assignees } of input.wanted) {
    const issue = current.get(content.accountId);
    if (!issue) operations.push({ kind: "create", content, assignees });
    else if (issue.state === "closed") operations.push({ kind: "reopen", issue, content, assignees: assigneeChange(issue, assignees) });
    else if (issue.digest !== content.digest) operations.push({ kind: "update", issue, content, assignees: assigneeChange(issue, assignees) });
    else unchanged += 1;
  }
  for (const accountId of [...input.clean].sort()) {
    const issue = current.get(accountId);
    if (issue?.state === "open") operations.push({ kind: "close", issue, accountId });
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
    remove: (issue.assignedByAction ?? []).filter((login) => !wanted.has(login.toLowerCase()) && current.has(login.toLowerCase())),
  };
}

/** Writes an operation takes: the issue write, plus one per assignee endpoint it calls. */
export function writesOf(operation: IssueOperation): number {
  if (operation.kind === "close") return 2;
  if (operation.kind === "create") return 1;
  return 1 + (operation.assignees.add.length > 0 ? 1 : 0) + (operation.assignees.remove.length > 0 ? 1 : 0);
}
