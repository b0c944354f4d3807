/**
 * cloudtrail/account-not-assessed: An account the scan could not read enough of to decide: never
 * counted as compliant.
 * Its id, metadata, plan causes, message and fix live here; evaluate.ts decides when it applies.
 */
import type { AccountRecord, Failure } from "../inventory.js";
import type { Finding } from "../findings.js";
import { remediation } from "../remediation.js";
import { finding, label } from "./finding-wording.js";
import type { RuleDefinition } from "./rule.js";

export const definition: RuleDefinition = {
  id: "cloudtrail/account-not-assessed",
  name: "AccountNotAssessed",
  defaultLevel: "error",
  securitySeverity: 6.0,
  levels: "error",
  when:
    "The account could not be assessed (role refused, every Region failed, timeout, a trail's " +
    "status unreadable). Never counted as compliant.",
  shortDescription: "The account could not be assessed, so whether it records global service events is unknown.",
  fullDescription:
    "The scanner could not read enough of the account (its role was refused, every Region failed, a call " +
    "timed out, or a trail's status could not be read) to decide. It is never counted as compliant.",
  help: [
    "The message says why. Common causes:",
    "",
    "- AccessDenied on AssumeRole: the audit role (input role-name) is missing in the account or its " +
      "trust policy does not allow the scanning role. Invited accounts lack OrganizationAccountAccessRole; " +
      "deploy the audit role with a StackSet.",
    '- "never reached AWS" or "could not reach": a network or endpoint failure (connection refused, DNS, ' +
      "TLS, no answer in time); the message names the endpoint. Check the runner's network path to it, " +
      "not the role.",
    "- A Region failed: the account's SCPs may deny CloudTrail reads there; the message names the Region and error.",
    "- A trail's status or selectors could not be read: the audit role needs cloudtrail:GetTrailStatus and cloudtrail:GetEventSelectors.",
  ].join("\n"),
};

/** The finding of an account whose verdict is unknown, and what to do about the reason. */
export function notAssessedFinding(
  account: AccountRecord,
  reason: string,
  failedRegions: string[],
  failure: Failure | undefined,
): Finding {
  const failed = failedRegions.length > 0 ? ` Regions that failed: ${failedRegions.join(", ")}.` : "";
  return finding(definition, account, {
    cause: "not-assessed",
    trails: [],
    message:
      `Account ${label(account)} was not assessed: ${reason}.${failed} Whether it records global service ` +
      "events is unknown.",
    fix: notAssessedFix(failure, account.access),
  });
}

export function notAssessedFix(failure: Failure | undefined, access: string | undefined): string[] {
  const roleName = access?.split(":role/")[1]?.split("/").pop();
  if (roleName && failure?.kind === "access-denied" && failure.call === "STS.AssumeRole") {
    return [
      "# In the account, check that the audit role exists and that its trust policy allows the scanning role:",
      remediation.assumeRoleTrust(roleName),
    ];
  }
  if (failure?.kind === "unreachable" || failure?.kind === "not-aws" || failure?.kind === "stopped") {
    return [
      "# The call never reached AWS: check the network path from the runner to the endpoint named above " +
        "(proxy, firewall, DNS, VPC endpoint), then re-run the scan.",
    ];
  }
  return ["# Re-run the scan; if it fails again, the reason above names the call and Region to check."];
}
