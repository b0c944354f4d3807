import { partition as sdkPartition } from "@aws-sdk/core/client";

// The SDK's data carries more than its declared type: a listed Region's description and
// each partition's implicit global Region.
const partition = (region: string) =>
  sdkPartition(region) as ReturnType<typeof sdkPartition> & { description?: string; implicitGlobalRegion: string };

/**
 * Region and partition knowledge comes from the SDK's own endpoint data, so a Region AWS
 * adds reaches us with an SDK update instead of a hand-kept list.
 */

export function isKnownRegion(region: string): boolean {
  // The SDK answers every string with some partition; only a listed Region has a description.
  return partition(region).description !== undefined;
}

export function partitionOf(region: string): string {
  return partition(region).name;
}

/**
 * The Region that receives the global service events (IAM, STS, CloudFront) in a
 * partition. Since 22 Nov 2021 that is us-east-1 in the commercial partition; for the
 * other partitions we use the SDK's notion of the partition's global Region.
 */
export function globalEventsRegion(partitionName: string): string {
  if (partitionName === "aws") return "us-east-1";
  const sample = SAMPLE_REGION_BY_PARTITION[partitionName];
  return sample ? partition(sample).implicitGlobalRegion : "us-east-1";
}

const SAMPLE_REGION_BY_PARTITION: Record<string, string> = {
  "aws-us-gov": "us-gov-west-1",
  "aws-cn": "cn-north-1",
};

/** The Region the SDK's environment names, for calls that are not tied to a Region of their own. */
export function configuredRegion(): string {
  return process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || "us-east-1";
}
