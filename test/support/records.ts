import type { AccountVerdict, Finding } from "../../src/findings.js";
import type { FakeIssue } from "./github-api.js";
import type { TrailRecord, TrailSelectors } from "../../src/inventory.js";

/** Trail records as the scanner writes them, for tests of the rules and the plan at the inventory level. */
export const SELECTORS: Record<"R" | "W" | "A", TrailSelectors> = {
  A: { eventSelectors: [{ readWriteType: "All" }], advancedEventSelectors: [] },
  R: { eventSelectors: [{ readWriteType: "ReadOnly" }], advancedEventSelectors: [] },
  W: { eventSelectors: [{ readWriteType: "WriteOnly" }], advancedEventSelectors: [] },
};

/** A logging multi-Region trail recording all management events, homed in us-east-1, unless the shape says otherwise. */
export function trail(owner: string, name: string, shape: Partial<TrailRecord> = {}, partition = "aws"): TrailRecord {
  const homeRegion = shape.homeRegion ?? "us-east-1";
  return {
    arn: `arn:${partition}:cloudtrail:${homeRegion}:${owner}:trail/${name}`,
    name,
    homeRegion,
    ownerAccountId: owner,
    isMultiRegionTrail: true,
    includeGlobalServiceEvents: true,
    isOrganizationTrail: false,
    s3BucketName: `bucket-${name}`,
    status: { isLogging: true },
    selectors: SELECTORS.A,
    ...shape,
  };
}

/** An account that needs an issue, as the issue tests give it: not covered, no trail. */
export function brokenVerdict(accountId: string): AccountVerdict {
  return {
    accountId,
    accountName: `acct-${accountId}`,
    state: "ACTIVE",
    verdict: "noncompliant",
    coveredBy: [],
    failedRegions: [],
  };
}

export function noTrailFinding(accountId: string): Finding {
  return {
    ruleId: "cloudtrail/global-events-not-recorded",
    level: "error",
    cause: "no-trail",
    accountId,
    accountName: `acct-${accountId}`,
    trails: [],
    message: "no trail",
    fix: ["aws cloudtrail start-logging --region us-east-1 --name arn"],
  };
}

/** An open issue the action made for an account, as GitHub lists it (its digest stale: the next run rewrites it). */
export function trackedIssue(number: number, accountId: string, extra: Partial<FakeIssue> = {}): FakeIssue {
  return {
    number,
    title: "t",
    body: `<!-- org-trail-audit:account=${accountId} digest=stale -->`,
    state: "open",
    state_reason: null,
    labels: ["cloudtrail", "security"],
    assignees: [],
    comments: [],
    ...extra,
  };
}
