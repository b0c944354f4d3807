import { findingKey } from "../changes.js";
import { describeGitHubError, httpStatusOf } from "../error-description.js";
import { exceptionTerms } from "../exceptions.js";
import type { Finding } from "../findings.js";
import type { Inventory } from "../inventory.js";
import { alertIdentity, type OpenAlert } from "../reporters/carried-alerts.js";
import { sarifCategories } from "../reporters/sarif.js";
import type { AuditResult } from "../audit-result.js";
import { readDismissedAlerts, type DismissedAlert, type OpenAlertsRead } from "./code-scanning-alerts.js";
import { createOctokit, GITHUB_PACING, githubApiUrl, type GitHubPacing, type Octokit } from "./octokit.js";

/**
 * Code scanning shows an excepted finding as dismissed ("won't fix", the exception in the
 * comment), never as fixed and never as open. GitHub does not act on SARIF suppressions, so
 * the action dismisses the alert through the API (PATCH code-scanning/alerts/{number}, as
 * advanced-security/dismiss-alerts does) and reopens it when the exception expires. Only
 * alerts it dismissed itself (the comment's prefix) are ever reopened: a person's dismissal
 * stands.
 */
export const DISMISSAL_PREFIX = "org-trail-audit exception:";
/** GitHub's limit on dismissed_comment (REST API, "Update a code scanning alert"). */
export const DISMISSED_COMMENT_MAX = 280;

export type AlertChange =
  | { kind: "dismiss"; alert: OpenAlert; finding: Finding; comment: string }
  | { kind: "reopen"; alert: DismissedAlert; finding: Finding };

export interface AlertDismissalPlan {
  changes: AlertChange[];
  /** Excepted findings with no alert yet (first reported by this run's upload): dismissed by the next run. */
  withoutAlert: Finding[];
}

/** The dismissal comment: the exception's terms and where its entry is, cut to GitHub's limit. */
export function dismissalComment(finding: Finding, file: string): string {
  const text = `${DISMISSAL_PREFIX} ${exceptionTerms(finding.exception!)}; ${file}, ${finding.exception!.name}`;
  return text.length <= DISMISSED_COMMENT_MAX ? text : `${text.slice(0, DISMISSED_COMMENT_MAX - 1)}…`;
}

/** Pure: which alerts to dismiss (excepted findings' open alerts) and reopen (ours, whose finding counts again). */
export function planAlertDismissals(input: {
  open: OpenAlert[];
  dismissed: DismissedAlert[];
  excepted: Finding[];
  counted: Finding[];
  inventory: Inventory;
  file: string;
}): AlertDismissalPlan {
  const categories = new Set(sarifCategories(input.inventory.shard));
  const keyOf = (alert: OpenAlert) => {
    const identity = alertIdentity(alert, categories);
    return identity ? findingKey(identity) : undefined;
  };
  const excepted = new Map(input.excepted.map((finding) => [findingKey(finding), finding]));
  const counted = new Map(input.counted.map((finding) => [findingKey(finding), finding]));
  const changes: AlertChange[] = [];
  const withAlert = new Set<string>();
  for (const alert of input.open) {
    const key = keyOf(alert);
    if (!key) continue;
    const finding = excepted.get(key);
    if (!finding) continue;
    withAlert.add(key);
    changes.push({ kind: "dismiss", alert, finding, comment: dismissalComment(finding, input.file) });
  }
  for (const alert of input.dismissed) {
    const key = keyOf(alert);
    if (!key) continue;
    withAlert.add(key);
    const finding = counted.get(key);
    if (finding && alert.dismissedComment?.startsWith(DISMISSAL_PREFIX))
      changes.push({ kind: "reopen", alert, finding });
  }
  return {
    changes,
    withoutAlert: input.excepted.filter((finding) => !withAlert.has(findingKey(finding))),
  };
}

export interface AlertDismissalResult {
  dismissed: number;
  reopened: number;
  /** Changes GitHub refused, each with why: those alerts stay as they were. */
  failed: { change: AlertChange; reason: string }[];
  withoutAlert: Finding[];
}

/** Performs the plan; a refusal leaves that alert as it was and is reported, the others go on. */
export async function applyAlertDismissals(
  octokit: Octokit,
  repository: string,
  plan: AlertDismissalPlan,
): Promise<AlertDismissalResult> {
  const [owner = "", repo = ""] = repository.split("/");
  const result: AlertDismissalResult = { dismissed: 0, reopened: 0, failed: [], withoutAlert: plan.withoutAlert };
  for (const change of plan.changes) {
    try {
      await octokit.request("PATCH /repos/{owner}/{repo}/code-scanning/alerts/{alert_number}", {
        owner,
        repo,
        alert_number: change.alert.number,
        ...(change.kind === "dismiss"
          ? { state: "dismissed", dismissed_reason: "won't fix", dismissed_comment: change.comment }
          : { state: "open" }),
      });
      if (change.kind === "dismiss") result.dismissed += 1;
      else result.reopened += 1;
    } catch (error) {
      const status = httpStatusOf(error);
      const fix =
        status === 403 || status === 401
          ? "; the job needs `permissions: security-events: write` to dismiss and reopen alerts"
          : "";
      result.failed.push({ change, reason: `${describeGitHubError(error)}${fix}` });
    }
  }
  return result;
}

export type ExceptedAlerts =
  | { kind: "synced"; result: AlertDismissalResult }
  /** The alerts could not be dismissed or reopened at all: why, for the summary. */
  | { kind: "unavailable"; reason: string; findings: number };

/**
 * The action's step for the alerts of excepted findings, given the open alerts it read.
 * Without readable alerts nothing is dismissed, and the summary says which stay open.
 */
export async function syncExceptedAlerts(
  audit: AuditResult,
  alerts: OpenAlertsRead,
  token: string,
  log: (message: string) => void,
  repository = process.env.GITHUB_REPOSITORY ?? "",
  baseUrl = githubApiUrl(),
  pacing: GitHubPacing = GITHUB_PACING,
): Promise<ExceptedAlerts | undefined> {
  if (!audit.exceptions) return undefined;
  if (alerts.kind === "none") {
    // The first analysis: its upload creates the alerts, the next run dismisses them. Code
    // scanning off, or not in a repository: there is no alert to dismiss.
    return alerts.firstAnalysis
      ? { kind: "synced", result: { dismissed: 0, reopened: 0, failed: [], withoutAlert: audit.excepted } }
      : undefined;
  }
  if (alerts.kind !== "read") return { kind: "unavailable", reason: alerts.reason, findings: audit.excepted.length };
  let dismissed: DismissedAlert[];
  try {
    dismissed = await readDismissedAlerts(token, log, repository, baseUrl, pacing);
  } catch (error) {
    return {
      kind: "unavailable",
      reason: `the dismissed alerts could not be read (${describeGitHubError(error)})`,
      findings: audit.excepted.length,
    };
  }
  const plan = planAlertDismissals({
    open: alerts.alerts,
    dismissed,
    excepted: audit.excepted,
    counted: audit.evaluation.findings,
    inventory: audit.inventory,
    file: audit.exceptions.path,
  });
  return {
    kind: "synced",
    result: await applyAlertDismissals(createOctokit(token, log, baseUrl, pacing), repository, plan),
  };
}

/** One line when alerts of excepted findings stay open (or dismissed alerts stay dismissed), with why; else undefined. */
export function exceptedAlertsLeftOpen(alerts: ExceptedAlerts | undefined): string | undefined {
  if (!alerts) return undefined;
  if (alerts.kind === "unavailable") {
    return alerts.findings > 0
      ? `The alerts of ${alerts.findings} excepted finding${alerts.findings === 1 ? "" : "s"} were not dismissed and stay ` +
          `open: ${alerts.reason}.`
      : undefined;
  }
  const { failed } = alerts.result;
  if (failed.length === 0) return undefined;
  const numbers = failed.map(({ change }) => `#${change.alert.number}`).join(", ");
  return `GitHub refused to change ${failed.length} alert${failed.length === 1 ? "" : "s"} of exceptions (${numbers}): ${failed[0]!.reason}.`;
}
