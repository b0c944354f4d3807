/**
 * cloudtrail/global-events-reads-not-recorded: The covering trail records management writes only.
 * Its id, metadata, plan causes, message and fix live here; evaluate.ts decides when it applies.
 */
import type { AccountRecord } from "../inventory.js";
import type { Finding } from "../findings.js";
import { remediation, SELECTORS_REPLACE_NOTE } from "../remediation.js";
import { finding, involved, label, names } from "./finding-wording.js";
import type { Recorder } from "./recorders.js";
import type { CausePlan, RuleDefinition } from "./rule.js";

export const definition: RuleDefinition = {
  id: "cloudtrail/global-events-reads-not-recorded",
  name: "GlobalEventsReadsNotRecorded",
  defaultLevel: "note",
  securitySeverity: 2.0,
  levels: "note",
  when: "The covering trails record management writes only.",
  shortDescription: "The trail that records the account's global service events records management writes only.",
  fullDescription:
    "Changes to IAM are recorded, but reads (GetRole, ListAccessKeys, STS GetCallerIdentity and others) are not: reconnaissance leaves no record.",
  help: [
    "Record read and write management events on the covering trail:",
    "",
    "`aws cloudtrail put-event-selectors --region HOME --trail-name TRAIL_ARN --advanced-event-selectors " +
      '\'[{"Name":"Management events","FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]}]}]\'`',
    "",
    "put-event-selectors replaces the trail's selectors: add any data-event selectors it has to the list.",
  ].join("\n"),
};

/** The plan's group for each cause this rule gives (remediation-plan.ts). */
export const causes: Record<"writes-only", CausePlan> = {
  "writes-only": {
    title: "Management reads not recorded",
    fix: "Select all management events on the covering trail.",
    gap: false,
  },
};

export function readsNotRecorded(account: AccountRecord, writers: Recorder[]): Finding {
  const first = writers[0]!;
  const fix = first.trail
    ? [
        ...(first.foreign ? ["# The organization trail must be changed from the management account:"] : []),
        SELECTORS_REPLACE_NOTE,
        remediation.recordAllManagementEvents(first.trail),
      ]
    : [
        "# Add a management-events selector without readOnly to the event data store (aws cloudtrail update-event-data-store --advanced-event-selectors).",
      ];
  return finding(definition, account, {
    cause: "writes-only",
    region: first.homeRegion,
    trailArn: first.arn,
    trails: writers.map((recorder) => involved(recorder, "records management writes only")),
    message: `Account ${label(account)}: ${names(writers)} records global service events but management writes only; reads of IAM and STS are not recorded.`,
    fix,
  });
}
