import type { AccountRecord } from "../inventory.js";
import type { Finding, InvolvedTrail } from "../findings.js";
import type { Level, RuleDefinition } from "./rule.js";
import { describeRecorder, type Recorder } from "./recorders.js";

/**
 * What every rule's wording shares: an account's label, a finding's shape, the trails
 * involved. Each rule's own message and fix are in its module.
 */
export function label(account: AccountRecord): string {
  return account.name && account.name !== account.id ? `${account.name} (${account.id})` : account.id;
}

export function finding(
  rule: RuleDefinition,
  account: AccountRecord,
  details: Omit<Finding, "ruleId" | "level" | "accountId" | "accountName">,
  level?: Level,
): Finding {
  return {
    ruleId: rule.id,
    level: level ?? rule.defaultLevel,
    accountId: account.id,
    accountName: account.name,
    ...details,
  };
}

export function involved(
  recorder: Recorder,
  problem = recorder.problem ?? "records global service events",
): InvolvedTrail {
  return { arn: recorder.arn, name: recorder.name, homeRegion: recorder.homeRegion, problem };
}

export function names(recorders: Recorder[]): string {
  return recorders.map(describeRecorder).join(", ");
}
