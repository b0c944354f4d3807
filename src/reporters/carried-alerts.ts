import type { BaselineEntry } from "../changes.js";
import type { AlertRecord } from "../remediation-history.js";
import { isAssessed, type Evaluation } from "../findings.js";
import type { Inventory } from "../inventory.js";
import { RULE_IDS, RULES, type Level, type RuleId } from "../rules/catalog.js";
import { findingFingerprint, parseLocation, sarifCategories, type CarriedResult } from "./sarif.js";

/** An open code-scanning alert of this tool, as the alerts API gives it. */
export interface OpenAlert {
  number: number;
  ruleId: string;
  /** rule.severity: none, note, warning or error. */
  severity?: string | null;
  /** most_recent_instance.category. */
  category: string;
  /** most_recent_instance.location.path. */
  path: string;
  /** most_recent_instance.message.text. */
  message: string;
  htmlUrl?: string;
  /** created_at: when the alert was first reported. */
  createdAt?: string;
  /** open, fixed, dismissed (closed for alerts of tools that close them). */
  state?: string | null;
  /** fixed_at: when it was no longer found. */
  fixedAt?: string;
  /** dismissed_at: when it was dismissed. */
  dismissedAt?: string;
}

const CARRIED_PREFIX = "Carried over (";

/**
 * The finding an alert of this tool stands for: its rule and location (account, trail),
 * when the alert is in one of this run's categories and of a rule this version has.
 * Another tool's location, another shard's category or a retired rule: undefined.
 */
export function alertIdentity(
  alert: Pick<OpenAlert, "ruleId" | "path" | "category">,
  categories: Set<string>,
): { ruleId: RuleId; accountId: string; trailArn?: string } | undefined {
  const location = parseLocation(alert.path);
  if (!location || !categories.has(alert.category.replace(/\/+$/, ""))) return undefined;
  if (!(RULE_IDS as readonly string[]).includes(alert.ruleId)) return undefined;
  return { ruleId: alert.ruleId as RuleId, ...location };
}

/**
 * Every alert of this run's categories as the trend and the scorecards need it: account,
 * rule, level, and when it was open. An alert without its dates says nothing of history.
 */
export function alertRecords(alerts: OpenAlert[], inventory: Inventory): AlertRecord[] {
  const categories = new Set(sarifCategories(inventory.shard));
  return alerts.flatMap((alert) => {
    const identity = alertIdentity(alert, categories);
    if (!identity || !alert.createdAt) return [];
    const closedAt = alert.state === "open" ? undefined : (alert.fixedAt ?? alert.dismissedAt);
    const level = (["error", "warning", "note"] as const).find((item) => item === alert.severity);
    return [
      {
        accountId: identity.accountId,
        ruleId: identity.ruleId,
        level: level ?? RULES[identity.ruleId].defaultLevel,
        createdAt: alert.createdAt,
        ...(closedAt ? { closedAt } : {}),
        fixed: alert.state === "fixed",
      },
    ];
  });
}

/**
 * What was open at the last upload, for "what changed": this tool's open alerts in this
 * run's categories, identified as carried alerts are (rule, account, trail).
 */
export function baselineFromAlerts(alerts: OpenAlert[], inventory: Inventory): BaselineEntry[] {
  const categories = new Set(sarifCategories(inventory.shard));
  return alerts.flatMap((alert) => {
    const identity = alertIdentity(alert, categories);
    return identity ? [{ ...identity, since: alert.createdAt ?? inventory.generatedAt }] : [];
  });
}

/**
 * Code scanning closes, as fixed, every open alert of a category that the next upload
 * does not hold. An account that was not assessed this run (its audit role deleted, a
 * Region stalled, suspended, or outside this run's selection) has no results, so its open
 * alerts would close although nothing was fixed; deleting the audit role would be enough
 * to hide a finding. Those alerts are written again unchanged: same rule, same
 * fingerprint, their last message headed by the date and the reason. Pure: the caller
 * reads the alerts. The remediation issues follow the same rule (issue-plan.ts: only an
 * account assessed clean has its issue closed).
 */
export function planCarriedAlerts(
  alerts: OpenAlert[],
  inventory: Inventory,
  evaluation: Evaluation,
  date: string,
): CarriedResult[] {
  const categories = new Set(sarifCategories(inventory.shard));
  const verdicts = new Map(evaluation.verdicts.map((verdict) => [verdict.accountId, verdict]));
  const reported = new Set(evaluation.findings.map((finding) => findingFingerprint(finding)));
  const carried: CarriedResult[] = [];
  const seen = new Set<string>();
  for (const alert of alerts) {
    // Another tool's location, another shard's category, or a rule this version retired: not ours to keep.
    const identity = alertIdentity(alert, categories);
    if (!identity) continue;
    const { ruleId, accountId, trailArn } = identity;
    const verdict = verdicts.get(accountId);
    // An assessed account's missing result means it was fixed: that alert should close.
    if (verdict && isAssessed(verdict)) continue;
    const lastMessage = stripCarriedHeader(alert.message);
    const fingerprint = findingFingerprint({ ruleId, accountId, ...(trailArn ? { trailArn } : {}) });
    // Reported again this run (an account-not-assessed alert, say), or two alerts of one result.
    if (reported.has(fingerprint) || seen.has(fingerprint)) continue;
    seen.add(fingerprint);
    const why = verdict
      ? `${verdict.accountName ? `${verdict.accountName} (${accountId})` : accountId} was not assessed on ${date}${verdict.reason ? `: ${verdict.reason}` : ""}`
      : `${accountId} is not in the accounts this run scanned on ${date} (it left the organization or the ` +
        "inputs exclude it; dismiss the alert if it no longer applies)";
    carried.push({
      alertNumber: alert.number,
      ruleId,
      level: levelOf(alert.severity, ruleId),
      accountId,
      fingerprint,
      path: alert.path,
      ...(trailArn ? { trailArn } : {}),
      message: `${CARRIED_PREFIX}${date}): account ${why}. This alert stays open as last reported until the account is assessed again.\n\n${lastMessage}`,
    });
  }
  return carried;
}

function stripCarriedHeader(message: string): string {
  if (!message.startsWith(CARRIED_PREFIX)) return message;
  const body = message.indexOf("\n\n");
  return body === -1 ? message : message.slice(body + 2);
}

function levelOf(severity: string | null | undefined, ruleId: RuleId): Level {
  return severity === "error" || severity === "warning" || severity === "note" ? severity : RULES[ruleId].defaultLevel;
}
