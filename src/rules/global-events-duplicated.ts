/**
 * cloudtrail/global-events-duplicated: Global service events stored more than once by trails
 * whose recorded events overlap.
 * Its id, metadata, plan causes, message and fix live here; evaluate.ts decides when it applies.
 */
import type { AccountRecord } from "../inventory.js";
import type { Finding } from "../findings.js";
import { remediation, shellComment } from "../remediation.js";
import { describeTrail } from "../trail-facts.js";
import { finding, involved, label, names } from "./finding-wording.js";
import { describeRecorder, type Recorder } from "./recorders.js";
import type { CausePlan, RuleDefinition } from "./rule.js";

export const definition: RuleDefinition = {
  id: "cloudtrail/global-events-duplicated",
  name: "GlobalEventsDuplicated",
  defaultLevel: "warning",
  securitySeverity: 3.0,
  levels: "warning (note when an organization trail is one of them)",
  when:
    "More than one trail records the same global events (both record writes, or both reads). " +
    "Stopped, undelivered and ineffective trails are not counted.",
  shortDescription:
    "More than one trail records the account's global service events, so each IAM, STS and CloudFront event is stored several times.",
  fullDescription:
    "Every trail that records global service events stores its own copy of them. Keep the flag on one " +
    "trail only (an organization trail, when there is one). Only trails whose recorded events overlap " +
    "count (both record management writes, or both reads): a ReadOnly trail and a WriteOnly trail store " +
    "disjoint events. Stopped trails, trails whose deliveries fail and single-Region trails outside " +
    "us-east-1 store none and are not counted. A note when one of them is an organization trail.",
  help: [
    "Keep one trail recording global service events. On a single-Region trail in us-east-1, turn the flag off:",
    "",
    "`aws cloudtrail update-trail --region us-east-1 --name TRAIL_ARN --no-include-global-service-events`",
    "",
    "A multi-Region trail cannot turn global events off: when an organization trail already records what " +
      "it records, delete it (`aws cloudtrail delete-trail --region HOME --name TRAIL_ARN`).",
  ].join("\n"),
};

/** The plan's group for each cause this rule gives (remediation-plan.ts). */
export const causes: Record<"duplicated", CausePlan> = {
  duplicated: {
    title: "Global service events recorded more than once (a cost, not a gap)",
    // No group command: AWS refuses --no-include-global-service-events on a multi-Region trail
    // (InvalidParameterCombinationException, ../shared/aws-facts.md), and a group can hold both kinds.
    fix:
      "Keep one trail recording global service events. On a redundant single-Region trail in us-east-1, turn " +
      "the flag off; a redundant multi-Region trail cannot turn it off and is deleted once the kept trail " +
      "records what it records. Each account's issue has the commands for its own trails.",
    gap: false,
  },
};

export function duplicated(account: AccountRecord, recording: Recorder[]): Finding {
  const organizationTrail = recording.find((recorder) => recorder.trail?.isOrganizationTrail);
  const keep = organizationTrail ?? recording.find((recorder) => recorder.multiRegion) ?? recording[0]!;
  const redundant = recording.filter((recorder) => recorder !== keep && !recorder.foreign);
  const fix: string[] = [
    shellComment(`Keep ${describeRecorder(keep)}; stop the others recording global service events:`),
  ];
  for (const recorder of redundant) {
    const trail = recorder.trail!;
    if (trail.isMultiRegionTrail) {
      fix.push(
        shellComment(
          `${describeTrail(trail)} is multi-Region and cannot turn global events off; delete it if the kept trail records what it records:`,
        ),
        `# ${remediation.deleteTrail(trail)}`,
      );
    } else {
      fix.push(remediation.excludeGlobalEvents(trail));
    }
  }
  return finding(
    definition,
    account,
    {
      cause: "duplicated",
      trails: recording.map((recorder) =>
        involved(
          recorder,
          recorder === keep ? "records global service events (keep)" : "records global service events again",
        ),
      ),
      message:
        `Account ${label(account)}: ${recording.length} trails record the same global service events, so ` +
        `each is stored ${recording.length} times: ${names(recording)}.`,
      fix,
    },
    // An organization trail is expected to overlap members' own trails: worth knowing, not a warning.
    organizationTrail ? "note" : "warning",
  );
}
