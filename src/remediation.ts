import type { TrailRecord } from "./inventory.js";

/**
 * The fixes we recommend, as the exact AWS CLI commands (shared/aws-facts.md). Each runs
 * in the trail's home Region and names the trail by ARN, which works for every trail.
 * Lines that start with "#" explain the line after them.
 */
export const remediation = {
  startLogging: (trail: TrailRecord) => `aws cloudtrail start-logging --region ${trail.homeRegion} --name ${trail.arn}`,
  makeMultiRegion: (trail: TrailRecord) =>
    `aws cloudtrail update-trail --region ${trail.homeRegion} --name ${trail.arn} --is-multi-region-trail`,
  includeGlobalEvents: (trail: TrailRecord) =>
    `aws cloudtrail update-trail --region ${trail.homeRegion} --name ${trail.arn} --include-global-service-events`,
  excludeGlobalEvents: (trail: TrailRecord) =>
    `aws cloudtrail update-trail --region ${trail.homeRegion} --name ${trail.arn} --no-include-global-service-events`,
  recordAllManagementEvents: (trail: TrailRecord) =>
    `aws cloudtrail put-event-selectors --region ${trail.homeRegion} --trail-name ${trail.arn} --advanced-event-selectors '[{"Name":"Management events","FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]}]}]'`,
  createTrail: (globalEventsRegion: string) => [
    "# No trail can be fixed: create a multi-Region trail (its S3 bucket policy must allow cloudtrail.amazonaws.com to write).",
    `aws cloudtrail create-trail --region ${globalEventsRegion} --name org-trail-audit-global --s3-bucket-name <your-cloudtrail-bucket> --is-multi-region-trail`,
    `aws cloudtrail start-logging --region ${globalEventsRegion} --name org-trail-audit-global`,
  ],
  deleteTrail: (trail: TrailRecord) => `aws cloudtrail delete-trail --region ${trail.homeRegion} --name ${trail.arn}`,
};

export const SELECTORS_REPLACE_NOTE =
  "# put-event-selectors replaces the trail's selectors: add any data-event selectors it has to the list.";
