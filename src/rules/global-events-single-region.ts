/**
 * cloudtrail/global-events-single-region: Global service events recorded by single-Region trails
 * only.
 * Its id, metadata, plan causes, message and fix live here; evaluate.ts decides when it applies.
 */
import type { AccountRecord } from "../inventory.js";
import type { Finding } from "../findings.js";
import { remediation, storeRemediation } from "../remediation.js";
import { finding, involved, label, names } from "./finding-wording.js";
import type { Recorder } from "./recorders.js";
import type { CausePlan, RuleDefinition } from "./rule.js";

export const definition: RuleDefinition = {
  id: "cloudtrail/global-events-single-region",
  name: "GlobalEventsSingleRegion",
  defaultLevel: "note",
  securitySeverity: 2.0,
  levels: "note",
  when:
    "Only single-Region trails (us-east-1, IncludeGlobalServiceEvents) cover the account: STS calls " +
    "to regional endpoints and some console sign-in events are recorded in other Regions.",
  shortDescription: "Only single-Region trails record the account's global service events.",
  fullDescription:
    "A single-Region trail in us-east-1 with IncludeGlobalServiceEvents records the global endpoint's " +
    "IAM, STS and CloudFront events, but STS calls to regional endpoints are recorded in the Region " +
    'called, and AWS records some console sign-in events in other Regions (IAM User Guide, "Logging IAM ' +
    'and AWS STS API calls with AWS CloudTrail"). Only a multi-Region trail records them all.',
  help: [
    "Make the covering trail multi-Region (run in its home Region):",
    "",
    "`aws cloudtrail update-trail --region HOME --name TRAIL_ARN --is-multi-region-trail`",
  ].join("\n"),
};

/** The plan's group for each cause this rule gives (remediation-plan.ts). */
export const causes: Record<"single-region-only", CausePlan> = {
  "single-region-only": {
    title: "Covered by single-Region trails only",
    fix: "Make the covering trail multi-Region.",
    gap: false,
  },
};

export function singleRegionOnly(account: AccountRecord, writers: Recorder[]): Finding {
  const first = writers[0]!;
  const fix = first.foreign ? ["# The organization trail or store is changed from the management account:"] : [];
  fix.push(first.trail ? remediation.makeMultiRegion(first.trail) : storeRemediation.makeMultiRegion(first));
  return finding(definition, account, {
    cause: "single-region-only",
    region: first.homeRegion,
    trailArn: first.arn,
    trails: writers.map((recorder) =>
      involved(recorder, "single-Region: records the global service events of its own Region only"),
    ),
    message:
      `Account ${label(account)}: its global service events are recorded only by single-Region ` +
      `${names(writers)}. That misses STS calls to regional endpoints (recorded in the Region called) and ` +
      "console sign-in events AWS records in other Regions; only a multi-Region trail records them all.",
    fix,
  });
}
