/**
 * cloudtrail/global-events-not-recorded: An account whose global service events no trail (or
 * event data store) records: one finding, for its real cause.
 * Its id, metadata, plan causes, wording and fix live here (README.md, "Development").
 */
import { countOf } from "../plural.js";
import type { AccountRecord, Inventory } from "../inventory.js";
import type { Cause, Finding } from "../findings.js";
import { globalEventRegions } from "../partitions.js";
import { remediation, SELECTORS_REPLACE_NOTE, shellComment, storeRemediation } from "../remediation.js";
import { describeTrail } from "../trail-facts.js";
import { finding, involved, label, names } from "./finding-wording.js";
import type { Recorder } from "./recorders.js";
import { NOV_2021, type CausePlan, type RuleDefinition } from "./rule.js";

export const definition: RuleDefinition = {
  id: "cloudtrail/global-events-not-recorded",
  name: "GlobalEventsNotRecorded",
  defaultLevel: "error",
  securitySeverity: 8.0,
  levels: "error",
  when:
    "No trail or Lake event data store that applies to the account (its own, or the organization's) " +
    "records its global management writes: receives global service events, is logging, is " +
    "delivering, records writes. Coverage is the union of the trails: a ReadOnly trail and a " +
    "WriteOnly trail together cover. The message says what is recorded (e.g. reads only).",
  shortDescription: "No CloudTrail trail records the account's global service events (IAM, STS, CloudFront).",
  fullDescription:
    "An account's global management writes are recorded when at least one trail that applies to it (its " +
    "own, or an organization trail) receives global service events, is logging, is delivering its log " +
    "files and records management writes; reads likewise, possibly by another trail. A CloudTrail Lake " +
    "event data store that is ingesting, organization-wide or the account's own, multi-Region and " +
    `selects management events counts as such a trail. ${NOV_2021} In aws-cn IAM and STS events are ` +
    "recorded in cn-north-1 and CloudFront events in cn-northwest-1, so only a multi-Region trail " +
    "records them all; where AWS does not document the Region (GovCloud), only multi-Region trails " +
    "count. Without the writes, changes to IAM users, roles and policies and STS sessions leave no audit " +
    "record.",
  help: [
    "Make one trail record the global service events. Run the command that fits the trail in its home Region:",
    "",
    "- A stopped trail: `aws cloudtrail start-logging --region HOME --name TRAIL_ARN`",
    "- Any trail, made multi-Region (turns global events on with it): `aws cloudtrail update-trail --region HOME --name TRAIL_ARN --is-multi-region-trail`",
    "- A single-Region trail homed in us-east-1: `aws cloudtrail update-trail --region us-east-1 --name TRAIL_ARN --include-global-service-events`",
    "- A trail that records no management writes: `aws cloudtrail put-event-selectors --region HOME " +
      '--trail-name TRAIL_ARN --advanced-event-selectors \'[{"Name":"Management ' +
      'events","FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]}]}]\'`',
    "- No trail at all: `aws cloudtrail create-trail --region us-east-1 --name NAME --s3-bucket-name " +
      "BUCKET --is-multi-region-trail`, then `aws cloudtrail start-logging --region us-east-1 --name NAME` " +
      "(the bucket policy must allow cloudtrail.amazonaws.com).",
    "",
    "An organization trail can be changed only from the management account or a delegated administrator, in its home Region.",
  ].join("\n"),
};

/** The plan's group for each cause this rule gives (remediation-plan.ts). */
export const causes: Record<
  | "store-stopped"
  | "organization-trail"
  | "no-trail"
  | "single-region-elsewhere"
  | "global-events-excluded"
  | "stopped"
  | "management-events",
  CausePlan
> = {
  "organization-trail": {
    title: "The organization trail or event data store is stopped, failing delivery, or records no management writes",
    fix: "Repair it from the management account (organization-level fix above): that restores every account of this group at once.",
    gap: true,
  },
  "no-trail": {
    title: "No trail at all",
    fix: "One organization trail covers them all (organization-level fix above); otherwise create a multi-Region trail in each account.",
    command:
      "aws cloudtrail create-trail --region us-east-1 --name NAME --s3-bucket-name BUCKET " +
      "--is-multi-region-trail && aws cloudtrail start-logging --region us-east-1 --name NAME",
    gap: true,
  },
  "single-region-elsewhere": {
    title:
      "Only single-Region trails outside us-east-1 (they receive no global service events since Nov 2021, whatever their flag says)",
    fix: "Make each account's trail multi-Region, in its home Region.",
    command: "aws cloudtrail update-trail --region HOME --name TRAIL_ARN --is-multi-region-trail",
    gap: true,
  },
  "global-events-excluded": {
    title: "A single-Region trail in us-east-1 with IncludeGlobalServiceEvents off",
    fix: "Make the trail multi-Region (that turns global service events on with it).",
    command: "aws cloudtrail update-trail --region us-east-1 --name TRAIL_ARN --is-multi-region-trail",
    gap: true,
  },
  "store-stopped": {
    title: "The account's CloudTrail Lake event data store stopped ingesting",
    fix: "Start ingestion again on each account's event data store, in its home Region.",
    command: "aws cloudtrail start-event-data-store-ingestion --region HOME --event-data-store STORE_ARN",
    gap: true,
  },
  stopped: {
    title: "Trails stopped (not logging)",
    fix: "Start logging on each account's trail, in its home Region.",
    command: "aws cloudtrail start-logging --region HOME --name TRAIL_ARN",
    gap: true,
  },
  "management-events": {
    title: "Management events not recorded, or reads only",
    fix: "Select all management events on each account's trail (put-event-selectors replaces the selectors: keep any data-event selectors).",
    command:
      "aws cloudtrail put-event-selectors --region HOME --trail-name TRAIL_ARN --advanced-event-selectors " +
      '\'[{"Name":"Management events","FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]}]}]\'',
    gap: true,
  },
};

export function notRecorded(
  account: AccountRecord,
  recorders: Recorder[],
  readers: Recorder[],
  inventory: Inventory,
  candidate: Recorder | undefined,
  cause: Cause,
): Finding {
  const trails = recorders.map((recorder) => involved(recorder));
  const fix: string[] = [];
  if (candidate?.trail) {
    const trail = candidate.trail;
    if (!candidate.receivesGlobal) {
      fix.push(
        shellComment(`Make ${describeTrail(trail)} multi-Region; that turns global service events on with it:`),
        remediation.makeMultiRegion(trail),
      );
    }
    if (candidate.management && !candidate.management.writes)
      fix.push(SELECTORS_REPLACE_NOTE, remediation.recordAllManagementEvents(trail));
    if (candidate.logging === false) {
      fix.push(remediation.startLogging(trail));
    } else if (candidate.logging === undefined) {
      fix.push(
        "# Its logging status was not read: check it, and only if IsLogging is false start it:",
        remediation.trailStatus(trail),
        `# ${remediation.startLogging(trail)}`,
      );
    }
  } else if (stoppedStore(recorders)) {
    // The account's own CloudTrail Lake store would record them, but ingestion was stopped:
    // start it again (API StartEventDataStoreIngestion), in its home Region. Lake takes no new
    // customers since 31 May 2026, so a store is never proposed, only repaired.
    const store = stoppedStore(recorders)!;
    fix.push(
      shellComment(`Start ingestion again on the event data store "${store.name}" (${store.homeRegion}):`),
      storeRemediation.startIngestion(store),
    );
  } else {
    fix.push(...remediation.createTrail(inventory.globalEventsRegion));
  }
  const seen =
    trails.length > 0
      ? ` Checked: ${trails.map((trail) => `"${trail.name}" (${trail.homeRegion}): ${trail.problem}`).join("; ")}.`
      : account.regions.some((read) => read.outcome === "failed")
        ? ` No trail was seen; ${countOf(account.regions.filter((read) => read.outcome === "failed").length, "Region")} ` +
          `could not be read, but ${inventory.globalEventsRegion}, where every trail that could record them ` +
          "shows, was read."
        : " The account has no trail.";
  const orgNote = recorders.some((recorder) => recorder.foreign)
    ? " An organization trail or store must be fixed from the management account."
    : "";
  const headline =
    readers.length > 0
      ? `global service events (IAM, STS, CloudFront) are recorded for reads only, by ${names(readers)}: no ` +
        "trail records the management writes, so changes to IAM users, roles and policies leave no record."
      : "no trail records global service events (IAM, STS, CloudFront): neither management reads nor writes are recorded.";
  return finding(definition, account, {
    cause,
    trails,
    message: `Account ${label(account)}: ${headline}${seen}${orgNote}`,
    fix,
  });
}

/**
 * The one cause of an uncovered account, for the plan. A broken organization trail or store
 * comes first: repairing it covers every account at once. Otherwise the first shortfall of
 * the trail the fix works on, in the order the fix addresses them.
 */
/** The account's own event data store that would record its global service events but whose ingestion was stopped. */
function stoppedStore(recorders: Recorder[]): Recorder | undefined {
  return recorders.find(
    (recorder) =>
      recorder.store !== undefined &&
      !recorder.foreign &&
      recorder.receivesGlobal &&
      recorder.store.status === "STOPPED_INGESTION" &&
      recorder.management?.writes,
  );
}

export function notRecordedCause(recorders: Recorder[], candidate: Recorder | undefined, inventory: Inventory): Cause {
  if (recorders.some((recorder) => recorder.foreign)) return "organization-trail";
  if (!candidate && stoppedStore(recorders)) return "store-stopped";
  const subject = candidate ?? recorders[0];
  if (!subject) return "no-trail";
  if (!subject.receivesGlobal) {
    const homes = Object.values(globalEventRegions(inventory.partition).byService ?? {});
    return subject.trail && !subject.trail.includeGlobalServiceEvents && homes.includes(subject.homeRegion)
      ? "global-events-excluded"
      : "single-region-elsewhere";
  }
  if (subject.logging === false) return "stopped";
  return "management-events";
}
