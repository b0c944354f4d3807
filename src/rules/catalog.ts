/**
 * The rules. Their ids are a public contract: they become code-scanning alert ids and
 * users filter on them, so an id never changes once released.
 */
export type Level = "error" | "warning" | "note";

export const LEVEL_RANK: Record<Level, number> = { note: 1, warning: 2, error: 3 };

export interface RuleDefinition {
  id: RuleId;
  /** PascalCase name, as SARIF reporting descriptors carry. */
  name: string;
  defaultLevel: Level;
  /** GitHub's 0.0-10.0 scale: 9+ critical, 7+ high, 4+ medium, above 0 low. */
  securitySeverity: number;
  shortDescription: string;
  fullDescription: string;
  help: string;
}

export const RULE_IDS = [
  "cloudtrail/global-events-not-recorded",
  "cloudtrail/global-events-flag-ineffective",
  "cloudtrail/global-events-duplicated",
  "cloudtrail/global-events-reads-not-recorded",
  "cloudtrail/account-not-assessed",
  "cloudtrail/global-events-not-delivered",
  "cloudtrail/global-events-single-region",
] as const;

export type RuleId = (typeof RULE_IDS)[number];

const NOV_2021 =
  "Since 22 November 2021 AWS records the events of its global services (IAM, STS through the global " +
  "endpoint, CloudFront) in us-east-1 only: a single-Region trail homed in any other Region receives " +
  "none of them, even with IncludeGlobalServiceEvents on.";

export const RULES: Record<RuleId, RuleDefinition> = {
  "cloudtrail/global-events-not-recorded": {
    id: "cloudtrail/global-events-not-recorded",
    name: "GlobalEventsNotRecorded",
    defaultLevel: "error",
    securitySeverity: 8.0,
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
  },
  "cloudtrail/global-events-flag-ineffective": {
    id: "cloudtrail/global-events-flag-ineffective",
    name: "GlobalEventsFlagIneffective",
    defaultLevel: "note",
    securitySeverity: 2.0,
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
  },
  "cloudtrail/global-events-duplicated": {
    id: "cloudtrail/global-events-duplicated",
    name: "GlobalEventsDuplicated",
    defaultLevel: "warning",
    securitySeverity: 3.0,
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
  },
  "cloudtrail/global-events-reads-not-recorded": {
    id: "cloudtrail/global-events-reads-not-recorded",
    name: "GlobalEventsReadsNotRecorded",
    defaultLevel: "note",
    securitySeverity: 2.0,
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
  },
  "cloudtrail/account-not-assessed": {
    id: "cloudtrail/account-not-assessed",
    name: "AccountNotAssessed",
    defaultLevel: "error",
    securitySeverity: 6.0,
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
  },
  "cloudtrail/global-events-not-delivered": {
    id: "cloudtrail/global-events-not-delivered",
    name: "GlobalEventsNotDelivered",
    defaultLevel: "error",
    securitySeverity: 8.0,
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
  },
  "cloudtrail/global-events-single-region": {
    id: "cloudtrail/global-events-single-region",
    name: "GlobalEventsSingleRegion",
    defaultLevel: "note",
    securitySeverity: 2.0,
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
  },
};
