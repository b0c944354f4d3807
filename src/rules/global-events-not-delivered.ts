/**
 * cloudtrail/global-events-not-delivered: A trail that logs but whose log files are not delivered.
 * Its id, metadata, plan causes, message and fix live here; evaluate.ts decides when it applies.
 */
import type { AccountRecord } from "../inventory.js";
import type { Finding } from "../findings.js";
import { remediation } from "../remediation.js";
import { describeTrail } from "../trail-facts.js";
import { finding, involved, label } from "./finding-wording.js";
import type { Recorder } from "./recorders.js";
import type { CausePlan, Level, RuleDefinition } from "./rule.js";

export const definition: RuleDefinition = {
  id: "cloudtrail/global-events-not-delivered",
  name: "GlobalEventsNotDelivered",
  defaultLevel: "error",
  securitySeverity: 8.0,
  levels: "error (warning when another trail still covers)",
  when:
    "A trail that would cover the account is logging, but its deliveries fail " +
    "(`LatestDeliveryError`: bucket deleted, bucket policy, KMS key) and none has succeeded since. " +
    "The message names the error, the last delivery and the likely cause.",
  shortDescription:
    "A trail that would record the account's global service events is logging, but its log files are not delivered.",
  fullDescription:
    "GetTrailStatus reports a delivery error (LatestDeliveryError: the S3 bucket was deleted, its policy " +
    "no longer lets CloudTrail write, or the KMS key is disabled) and no delivery has succeeded since: " +
    "the trail logs but stores nothing. An error when no other trail records the account's global " +
    "service events; a warning when another still does. An old error followed by a successful delivery, " +
    "and a new trail with no delivery yet and no error, are not failing.",
  help: [
    "The message names the error and the likely cause. Run the fix in the trail's home Region:",
    "",
    "- The bucket no longer exists: `aws cloudtrail update-trail --region HOME --name TRAIL_ARN " +
      "--s3-bucket-name BUCKET` with a bucket whose policy allows cloudtrail.amazonaws.com.",
    "- The bucket policy: `aws s3api get-bucket-policy --bucket BUCKET`; it must allow " +
      "cloudtrail.amazonaws.com s3:GetBucketAcl on the bucket and s3:PutObject on AWSLogs/ACCOUNT_ID/*.",
    "- The KMS key: `aws kms describe-key --key-id KEY_ARN --query KeyMetadata.KeyState`, then `aws kms " +
      "enable-key --key-id KEY_ARN`; its key policy must let cloudtrail.amazonaws.com use it.",
    "",
    "`aws cloudtrail get-trail-status --region HOME --name TRAIL_ARN` shows LatestDeliveryError and LatestDeliveryTime once fixed.",
  ].join("\n"),
};

/** The plan's group for each cause this rule gives (remediation-plan.ts). */
export const causes: Record<"delivery-failing", CausePlan> = {
  "delivery-failing": {
    title: "Log files not delivered (bucket deleted, bucket policy, or KMS key)",
    fix: "Each account's issue names the delivery error and its likely cause; fix the bucket, its policy or the key.",
    command: "aws cloudtrail get-trail-status --region HOME --name TRAIL_ARN",
    gap: true,
  },
};

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
    definition,
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
