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
