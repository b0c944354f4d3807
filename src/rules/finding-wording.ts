import { countOf } from "../plural.js";
import type { AccountRecord, Failure, Inventory, TrailRecord } from "../inventory.js";
import type { Cause, Finding, InvolvedTrail } from "../findings.js";
import { globalEventRegions } from "../partitions.js";
import { remediation, SELECTORS_REPLACE_NOTE, shellComment, storeRemediation } from "../remediation.js";
import { RULES, type Level, type RuleId } from "./catalog.js";
import { describeRecorder, type Recorder } from "./recorders.js";
import { describeTrail } from "../trail-facts.js";

/**
 * The words of each finding: its message and its fix, from what evaluate.ts decided. A
 * change of wording is made here and cannot change a verdict.
 */
export function label(account: AccountRecord): string {
  return account.name && account.name !== account.id ? `${account.name} (${account.id})` : account.id;
}

export function finding(
  ruleId: RuleId,
  account: AccountRecord,
  details: Omit<Finding, "ruleId" | "level" | "accountId" | "accountName">,
  level?: Level,
): Finding {
  return {
    ruleId,
    level: level ?? RULES[ruleId].defaultLevel,
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

/** The finding of an account whose verdict is unknown, and what to do about the reason. */
export function notAssessedFinding(
  account: AccountRecord,
  reason: string,
  failedRegions: string[],
  failure: Failure | undefined,
): Finding {
  const failed = failedRegions.length > 0 ? ` Regions that failed: ${failedRegions.join(", ")}.` : "";
  return finding("cloudtrail/account-not-assessed", account, {
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
  return finding("cloudtrail/global-events-not-recorded", account, {
    cause,
    trails,
    message: `Account ${label(account)}: ${headline}${seen}${orgNote}`,
    fix,
  });
}

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
    "cloudtrail/global-events-flag-ineffective",
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
  return finding("cloudtrail/global-events-reads-not-recorded", account, {
    cause: "writes-only",
    region: first.homeRegion,
    trailArn: first.arn,
    trails: writers.map((recorder) => involved(recorder, "records management writes only")),
    message: `Account ${label(account)}: ${names(writers)} records global service events but management writes only; reads of IAM and STS are not recorded.`,
    fix,
  });
}

/** Likely cause of a delivery error, from the S3 or KMS error text CloudTrail reports. */
export function deliveryCause(error: string): "bucket-missing" | "kms-key" | "bucket-policy" | "unknown" {
  if (/NoSuchBucket/i.test(error)) return "bucket-missing";
  if (/KMS|kms/.test(error)) return "kms-key";
  if (/AccessDenied|InsufficientS3BucketPolicy|Forbidden|not authorized/i.test(error)) return "bucket-policy";
  return "unknown";
}

export function notDelivered(account: AccountRecord, recorder: Recorder, level: Level): Finding {
  const trail = recorder.trail!;
  const failure = recorder.delivery!;
  const since = failure.lastDelivered
    ? `the last successful delivery was at ${failure.lastDelivered}`
    : "no successful delivery is recorded";
  const cause = deliveryCause(failure.error);
  const bucket = trail.s3BucketName ?? "YOUR-CLOUDTRAIL-BUCKET";
  const causeText = {
    "bucket-missing": `the S3 bucket "${bucket}" no longer exists`,
    "kms-key": `the KMS key ${trail.kmsKeyId ? `"${trail.kmsKeyId}" ` : ""}is disabled, deleted or no longer lets CloudTrail use it`,
    "bucket-policy": `the policy of bucket "${bucket}" no longer lets cloudtrail.amazonaws.com write`,
    unknown: "see the error text",
  }[cause];
  const fix: string[] = recorder.foreign ? ["# The organization trail is fixed from the management account:"] : [];
  if (cause === "bucket-missing") {
    fix.push(
      "# Point the trail at a bucket whose policy allows cloudtrail.amazonaws.com (replace the name):",
      remediation.changeBucket(trail),
    );
  } else if (cause === "kms-key" && trail.kmsKeyId) {
    fix.push(
      "# Check the key's state; enable it if it is Disabled, and check its policy allows cloudtrail.amazonaws.com:",
      remediation.keyState(trail.kmsKeyId, trail.homeRegion),
      `# ${remediation.enableKey(trail.kmsKeyId, trail.homeRegion)}`,
    );
  } else if (cause === "bucket-policy" && trail.s3BucketName) {
    fix.push(
      "# Check that the bucket policy allows cloudtrail.amazonaws.com s3:GetBucketAcl and s3:PutObject for this account:",
      remediation.bucketPolicy(trail.s3BucketName),
    );
  } else {
    fix.push("# Read the trail's delivery status and error:", remediation.trailStatus(trail));
  }
  const others =
    level === "warning"
      ? " Another trail still records the account's global service events."
      : " No other trail records them: the account's global service events are not stored.";
  return finding(
    "cloudtrail/global-events-not-delivered",
    account,
    {
      cause: recorder.foreign ? "organization-trail" : "delivery-failing",
      region: trail.homeRegion,
      trailArn: trail.arn,
      trails: [involved(recorder, `logging, but delivery fails: ${failure.error}`)],
      message:
        `Account ${label(account)}: ${describeTrail(trail)} is logging but its log files are not delivered: ` +
        `"${failure.error}"; ${since}. Likely cause: ${causeText}.${others}`,
      fix,
    },
    level,
  );
}

export function singleRegionOnly(account: AccountRecord, writers: Recorder[]): Finding {
  const first = writers[0]!;
  const fix = first.foreign ? ["# The organization trail or store is changed from the management account:"] : [];
  fix.push(first.trail ? remediation.makeMultiRegion(first.trail) : storeRemediation.makeMultiRegion(first));
  return finding("cloudtrail/global-events-single-region", account, {
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
    "cloudtrail/global-events-duplicated",
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
