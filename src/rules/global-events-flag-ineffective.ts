/**
 * cloudtrail/global-events-flag-ineffective: A single-Region trail outside us-east-1 with
 * IncludeGlobalServiceEvents on, where another trail covers the account.
 * Its id, metadata, plan causes, message and fix live here; evaluate.ts decides when it applies.
 */
import type { AccountRecord, Inventory, TrailRecord } from "../inventory.js";
import type { Finding } from "../findings.js";
import { globalEventRegions } from "../partitions.js";
import { remediation } from "../remediation.js";
import { finding, label, names } from "./finding-wording.js";
import type { Recorder } from "./recorders.js";
import { NOV_2021, type CausePlan, type RuleDefinition } from "./rule.js";

export const definition: RuleDefinition = {
  id: "cloudtrail/global-events-flag-ineffective",
  name: "GlobalEventsFlagIneffective",
  defaultLevel: "note",
  securitySeverity: 2.0,
  levels: "note",
  when:
    "A single-Region trail homed outside us-east-1 has IncludeGlobalServiceEvents on, while another " +
    "trail covers the account: the flag misleads but leaves no gap. Where nothing covers the " +
    "account, the flag is not a finding of its own: the account's one `global-events-not-recorded` " +
    "finding names the trail, its flag and the fix (one cause, one alert).",
  shortDescription:
    "A single-Region trail outside us-east-1 has IncludeGlobalServiceEvents on, but receives no global service events.",
  fullDescription:
    `${NOV_2021} The flag on such a trail suggests coverage that does not exist. A note (no gap, a ` +
    "misleading flag) where another trail records the account's global service events. Where none does, " +
    "this is not a finding of its own: the account's one global-events-not-recorded finding names the " +
    "trail, its flag and the fix, so that one cause gives one alert.",
  help: [
    "Make the trail multi-Region, which records the global service events:",
    "",
    "`aws cloudtrail update-trail --region HOME --name TRAIL_ARN --is-multi-region-trail`",
    "",
    "or, when another trail already records them, turn the misleading flag off:",
    "",
    "`aws cloudtrail update-trail --region HOME --name TRAIL_ARN --no-include-global-service-events`",
  ].join("\n"),
};

/** The plan's group for each cause this rule gives (remediation-plan.ts). */
export const causes: Record<"misleading-flag", CausePlan> = {
  "misleading-flag": { title: "A global-events flag with no effect", fix: "Turn the misleading flag off.", gap: false },
};

export function ineffectiveFlag(
  account: AccountRecord,
  trail: TrailRecord,
  inventory: Inventory,
  coveredBy: Recorder[],
): Finding {
  const { byService } = globalEventRegions(inventory.partition);
  const where = [...new Set(Object.values(byService ?? {}))].join(" and ");
  const problem =
    `single-Region in ${trail.homeRegion} with IncludeGlobalServiceEvents on: receives no global service ` +
    `events since Nov 2021 (only ${where} does)`;
  const common = {
    region: trail.homeRegion,
    trailArn: trail.arn,
    trails: [{ arn: trail.arn, name: trail.name, homeRegion: trail.homeRegion, problem }],
  };
  // The events are recorded elsewhere: a misleading flag, not a gap. A note never opens an issue.
  return finding(
    definition,
    account,
    {
      ...common,
      cause: "misleading-flag",
      message:
        `Account ${label(account)}: trail "${trail.name}" is ${problem}. The account's global service events ` +
        `are recorded by ${names(coveredBy)}, so the flag misleads but leaves no gap.`,
      fix: [
        "# Another trail records the global service events: turn the misleading flag off:",
        remediation.excludeGlobalEvents(trail),
      ],
    },
    "note",
  );
}
