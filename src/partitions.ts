import { partition as sdkPartition } from "@aws-sdk/core/client";

// The SDK's data carries more than its declared type: a listed Region's description and
// each partition's implicit global Region.
const partition = (region: string) =>
  sdkPartition(region) as ReturnType<typeof sdkPartition> & { description?: string; implicitGlobalRegion: string };

/**
 * Region and partition knowledge comes from the SDK's own endpoint data, so a Region AWS
 * adds reaches us with an SDK update instead of a hand-kept list. Where AWS records the
 * global services' events is not in that data: it is the table below.
 */

export function isKnownRegion(region: string): boolean {
  // The SDK answers every string with some partition; only a listed Region has a description.
  return partition(region).description !== undefined;
}

/**
 * Every Region the SDK lists, for "did you mean": AWS's Region codes are prefix-direction-number,
 * so every such code is tried against the SDK's data (its list itself is not exported).
 */
export function knownRegions(): string[] {
  knownRegionList ??= REGION_PREFIXES.flatMap((prefix) =>
    REGION_DIRECTIONS.flatMap((direction) =>
      Array.from({ length: 9 }, (_, index) => `${prefix}-${direction}-${index + 1}`),
    ),
  ).filter(isKnownRegion);
  return knownRegionList;
}

let knownRegionList: string[] | undefined;
const REGION_PREFIXES = [
  "us",
  "eu",
  "ap",
  "sa",
  "ca",
  "me",
  "af",
  "il",
  "mx",
  "cn",
  "us-gov",
  "us-iso",
  "us-isob",
  "us-isof",
  "eu-isoe",
];
const REGION_DIRECTIONS = [
  "east",
  "west",
  "north",
  "south",
  "central",
  "northeast",
  "southeast",
  "northwest",
  "southwest",
];

export function partitionOf(region: string): string {
  return partition(region).name;
}

/** The services whose events CloudTrail calls global service events. */
export const GLOBAL_SERVICES = ["iam", "sts", "cloudfront"] as const;
export type GlobalService = (typeof GLOBAL_SERVICES)[number];

export const GLOBAL_SERVICE_NAMES: Record<GlobalService, string> = { iam: "IAM", sts: "STS", cloudfront: "CloudFront" };

export interface GlobalEventRegions {
  /** Where each global service's events are recorded: a single-Region trail there (flag on) receives them. */
  byService?: Record<GlobalService, string>;
  /** Why single-Region trails cannot be judged here, when byService is absent. */
  unknownBecause?: string;
  /** Where the scan reads the trails that can carry global events (every multi-Region trail shows there too). */
  readRegion?: string;
}

/**
 * Where each partition records each global service's events: the one table of it.
 * A multi-Region trail receives them in every partition; this table decides only which
 * single-Region trails do.
 */
const GLOBAL_EVENT_REGIONS: Record<string, GlobalEventRegions> = {
  // Commercial: since 22 Nov 2021 IAM, STS (global endpoint) and CloudFront events are
  // recorded in us-east-1 only (CloudTrail User Guide, "CloudTrail concepts", global
  // service events; "update-trail" page). shared/aws-facts.md.
  aws: { byService: { iam: "us-east-1", sts: "us-east-1", cloudfront: "us-east-1" }, readRegion: "us-east-1" },
  // China: "Amazon CloudTrail - Getting Started with Amazon Web Services in China": since
  // 22 Nov 2021 CloudFront events are recorded in cn-northwest-1 (Ningxia), IAM and STS in
  // cn-north-1 (Beijing); AWS tells owners of single-Region trails to go multi-Region.
  "aws-cn": {
    byService: { iam: "cn-north-1", sts: "cn-north-1", cloudfront: "cn-northwest-1" },
    readRegion: "cn-north-1",
  },
  // GovCloud (US): no AWS page found that names the Region (AWS GovCloud User Guide,
  // CloudTrail page, is silent; searched Nov 2026). Do not guess.
  "aws-us-gov": {
    unknownBecause:
      "AWS does not document which GovCloud (US) Region records the global service events, so only a multi-Region trail is certain to record them",
    readRegion: "us-gov-west-1",
  },
};

/** Where global service events are recorded in a partition; an unknown partition counts only multi-Region trails. */
export function globalEventRegions(partitionName: string): GlobalEventRegions {
  return (
    GLOBAL_EVENT_REGIONS[partitionName] ?? {
      unknownBecause:
        `where partition ${partitionName} records the global service events is not documented, so only a ` +
        "multi-Region trail is certain to record them",
    }
  );
}

/**
 * The Region the scan reads, for the partition of the Region given, for the trails that
 * can record global events: where they are recorded (us-east-1 in aws), else the
 * partition's global Region in the SDK's endpoint data.
 */
export function globalEventsRegion(regionInPartition: string): string {
  return (
    globalEventRegions(partitionOf(regionInPartition)).readRegion ?? partition(regionInPartition).implicitGlobalRegion
  );
}

/** The Region the SDK's environment names, for calls that are not tied to a Region of their own. */
export function configuredRegion(): string {
  return process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || "us-east-1";
}
