import type { IssueContent, IssueKey } from "./issue-content.js";

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
  | { kind: "excepted"; comment: string };

export type IssueOperation =
  | { kind: "create"; content: IssueContent; assignees: string[] }
  | { kind: "update"; issue: ExistingIssue; content: IssueContent; assignees: AssigneeChange }
  | { kind: "reopen"; issue: ExistingIssue; content: IssueContent; assignees: AssigneeChange }
  | { kind: "close"; issue: ExistingIssue; reason: CloseReason };

export interface IssuePlanInput {
  /** The issues this run wants, in the order they should be written. */
  wanted: { content: IssueContent; assignees: string[] }[];
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
  for (const { content, assignees } of input.wanted) {
    const issue = current.get(content.key);
    if (!issue) operations.push({ kind: "create", content, assignees });
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
