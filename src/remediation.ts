import type { TrailRecord } from "./inventory.js";

/**
 * The fixes we recommend, as exact AWS CLI commands (shared/aws-facts.md). Each runs in
 * the trail's home Region and names the trail by ARN, which works for every trail. Every
 * value that comes from AWS or from a loaded inventory is shell-quoted: a fix block is
 * pasted into a shell, and a trail or bucket name is not to be trusted there.
 * Lines that start with "#" explain the line after them.
 */

/** One shell word: single-quoted unless it is plainly safe, with ' written as '\''. */
export function shellQuote(value: string): string {
  if (/^[\w@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A comment line: never more than one line, whatever the names in it hold. */
export function shellComment(text: string): string {
  return `# ${text.replace(/[\r\n\u2028\u2029]+/g, " ")}`;
}

function command(...words: string[]): string {
  return words.map(shellQuote).join(" ");
}

const MANAGEMENT_EVENTS_SELECTOR =
  '[{"Name":"Management events","FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]}]}]';

export const remediation = {
  trailStatus: (trail: TrailRecord) =>
    command("aws", "cloudtrail", "get-trail-status", "--region", trail.homeRegion, "--name", trail.arn),
  startLogging: (trail: TrailRecord) =>
    command("aws", "cloudtrail", "start-logging", "--region", trail.homeRegion, "--name", trail.arn),
  makeMultiRegion: (trail: TrailRecord) =>
    command(
      "aws",
      "cloudtrail",
      "update-trail",
      "--region",
      trail.homeRegion,
      "--name",
      trail.arn,
      "--is-multi-region-trail",
    ),
  includeGlobalEvents: (trail: TrailRecord) =>
    command(
      "aws",
      "cloudtrail",
      "update-trail",
      "--region",
      trail.homeRegion,
      "--name",
      trail.arn,
      "--include-global-service-events",
    ),
  excludeGlobalEvents: (trail: TrailRecord) =>
    command(
      "aws",
      "cloudtrail",
      "update-trail",
      "--region",
      trail.homeRegion,
      "--name",
      trail.arn,
      "--no-include-global-service-events",
    ),
  recordAllManagementEvents: (trail: TrailRecord) =>
    command(
      "aws",
      "cloudtrail",
      "put-event-selectors",
      "--region",
      trail.homeRegion,
      "--trail-name",
      trail.arn,
      "--advanced-event-selectors",
      MANAGEMENT_EVENTS_SELECTOR,
    ),
  createTrail: (globalEventsRegion: string) => [
    "# No trail can be fixed: create a multi-Region trail (its S3 bucket policy must allow cloudtrail.amazonaws.com to write).",
    "# Replace the bucket name with yours first.",
    command(
      "aws",
      "cloudtrail",
      "create-trail",
      "--region",
      globalEventsRegion,
      "--name",
      "org-trail-audit-global",
      "--s3-bucket-name",
      "YOUR-CLOUDTRAIL-BUCKET",
      "--is-multi-region-trail",
    ),
    command("aws", "cloudtrail", "start-logging", "--region", globalEventsRegion, "--name", "org-trail-audit-global"),
  ],
  deleteTrail: (trail: TrailRecord) =>
    command("aws", "cloudtrail", "delete-trail", "--region", trail.homeRegion, "--name", trail.arn),
  changeBucket: (trail: TrailRecord) =>
    command(
      "aws",
      "cloudtrail",
      "update-trail",
      "--region",
      trail.homeRegion,
      "--name",
      trail.arn,
      "--s3-bucket-name",
      "YOUR-CLOUDTRAIL-BUCKET",
    ),
  bucketPolicy: (bucket: string) =>
    command("aws", "s3api", "get-bucket-policy", "--bucket", bucket, "--query", "Policy", "--output", "text"),
  keyState: (keyId: string, trailRegion: string) =>
    command(
      "aws",
      "kms",
      "describe-key",
      "--region",
      keyRegion(keyId, trailRegion),
      "--key-id",
      keyId,
      "--query",
      "KeyMetadata.KeyState",
    ),
  enableKey: (keyId: string, trailRegion: string) =>
    command("aws", "kms", "enable-key", "--region", keyRegion(keyId, trailRegion), "--key-id", keyId),
  assumeRoleTrust: (roleName: string) =>
    command("aws", "iam", "get-role", "--role-name", roleName, "--query", "Role.AssumeRolePolicyDocument"),
};

/** A key ARN names its Region; a bare key id or alias lives in the trail's. */
function keyRegion(keyId: string, trailRegion: string): string {
  return keyId.startsWith("arn:") ? keyId.split(":")[3] || trailRegion : trailRegion;
}

export const SELECTORS_REPLACE_NOTE =
  "# put-event-selectors replaces the trail's selectors: add any data-event selectors it has to the list.";

export const storeRemediation = {
  /** API StartEventDataStoreIngestion, in the store's home Region. */
  startIngestion: (store: { arn: string; homeRegion: string }) =>
    command(
      "aws",
      "cloudtrail",
      "start-event-data-store-ingestion",
      "--region",
      store.homeRegion,
      "--event-data-store",
      store.arn,
    ),
  makeMultiRegion: (store: { arn: string; homeRegion: string }) =>
    command(
      "aws",
      "cloudtrail",
      "update-event-data-store",
      "--region",
      store.homeRegion,
      "--event-data-store",
      store.arn,
      "--multi-region-enabled",
    ),
};
