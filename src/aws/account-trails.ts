import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  paginateListTrails,
} from "@aws-sdk/client-cloudtrail";
import { DescribeRegionsCommand, EC2Client } from "@aws-sdk/client-ec2";
import type { AwsCredentialIdentity } from "@smithy/types";
import pLimit from "p-limit";
import type { EventDataStoreRecord, Failure, ReadPlan, RegionRead, TrailRecord } from "../inventory.js";
import { partitionOf } from "../partitions.js";
import { receivesGlobalEvents, trailScope } from "../trail-facts.js";
import { errorName, failureOf } from "../error-description.js";
import { createClient, type AwsTransport } from "./client-config.js";
import { readEventDataStores } from "./event-data-stores.js";
import { toSelectors, toTrailRecord, toTrailStatus } from "./trail-records.js";

export interface AccountTrailsRequest {
  accountId: string;
  credentials?: AwsCredentialIdentity;
  partition: string;
  globalEventsRegion: string;
  /** "enabled": ask the account; a list: exactly these (the global events Region is always added). */
  regions: "enabled" | string[];
  transport: AwsTransport;
  abortSignal?: AbortSignal;
  /**
   * Whose status and selectors to read: the account's own trails that can record global
   * events, except organization trails (read once per scan by the organization pass), or
   * only those organization trails. A trail owned by another account is never read here.
   */
  detailsFor?: "own-trails" | "organization-trails";
  /** Also read the account's own CloudTrail Lake event data stores in the global events Region. */
  eventDataStores?: boolean;
  /** "list-trails" (the default) or "per-region": see readAccountTrails. */
  plan?: ReadPlan;
}

export interface AccountTrails {
  regions: RegionRead[];
  trails: TrailRecord[];
  /** The plan that was carried out: "per-region" also when ListTrails failed. */
  plan: ReadPlan;
  /** Reads that failed but do not stop a verdict (ListTrails, the list of enabled Regions). */
  sideReadFailures: Failure[];
  eventDataStores?: EventDataStoreRecord[];
  eventDataStoresFailures?: Failure[];
}

/** Regions of one account read at once; CloudTrail's rate limits are per account and Region. */
export const REGION_CONCURRENCY = 24;

// A call into a Region the account has not enabled is refused with these: "not enabled", not a failure.
export const NOT_ENABLED_ERRORS = new Set(["UnrecognizedClientException", "InvalidClientTokenId"]);

/**
 * Reads every trail that applies to one account, in a number of calls that does not grow
 * with the Regions. Every trail that can record the account's global service events shows
 * in the global events Region's DescribeTrails (shadows included), so that one call carries
 * the verdict. Other Regions matter only for single-Region trails homed there (the flag
 * rule, and naming a trail to fix rather than "create a trail"): ListTrails, in the global
 * events Region, names each trail with its HomeRegion ("Lists trails that are in the
 * current account", CloudTrail API reference, ListTrails), and only the home Regions of
 * trails the global events Region did not show are described. No verdict depends on
 * ListTrails: the reference does not state its cross-Region scope (../shared/aws-facts.md).
 * If it fails or is denied (an audit role deployed before it needed cloudtrail:ListTrails),
 * the account is read per Region as before, and a warning says so.
 *
 * The calls are pipelined for the round-trip critical path: DescribeTrails, ListTrails and
 * the Lake read go out together, and a trail's status and selectors are read the moment a
 * Region shows it.
 */
export async function readAccountTrails(request: AccountTrailsRequest): Promise<AccountTrails> {
  const { accountId, credentials, transport, globalEventsRegion } = request;
  const options = request.abortSignal ? { abortSignal: request.abortSignal } : {};
  const limit = pLimit(REGION_CONCURRENCY);
  const clients = new Map<string, CloudTrailClient>();
  const cloudTrail = (region: string) => {
    let client = clients.get(region);
    if (!client) {
      client = createClient(CloudTrailClient, transport, region, credentials);
      clients.set(region, client);
    }
    return client;
  };

  const trails = new Map<string, TrailRecord>();
  const detailReads: Promise<void>[] = [];
  const sideReadFailures: Failure[] = [];

  const readDetails = async (record: TrailRecord) => {
    const client = cloudTrail(record.homeRegion);
    const [status, selectors] = await Promise.allSettled([
      client.send(new GetTrailStatusCommand({ Name: record.arn }), options),
      client.send(new GetEventSelectorsCommand({ TrailName: record.arn }), options),
    ]);
    if (status.status === "fulfilled") {
      record.status = toTrailStatus(status.value);
    } else {
      record.statusFailure = failureOf(status.reason, { call: "CloudTrail.GetTrailStatus", region: record.homeRegion });
    }
    if (selectors.status === "fulfilled") {
      record.selectors = toSelectors(selectors.value.EventSelectors, selectors.value.AdvancedEventSelectors);
    } else {
      record.selectorsFailure = failureOf(selectors.reason, {
        call: "CloudTrail.GetEventSelectors",
        region: record.homeRegion,
      });
    }
  };

  const describeRegion = async (region: string): Promise<RegionRead> => {
    try {
      const { trailList } = await limit(() =>
        cloudTrail(region).send(new DescribeTrailsCommand({ includeShadowTrails: true }), options),
      );
      for (const trail of trailList ?? []) {
        const record = toTrailRecord(trail, region);
        if (!record || trails.has(record.arn)) continue;
        trails.set(record.arn, record);
        // Only a trail of this account that can receive global events can matter for its verdict.
        const wanted =
          (request.detailsFor ?? "own-trails") === "organization-trails"
            ? record.isOrganizationTrail
            : !record.isOrganizationTrail;
        if (
          wanted &&
          record.ownerAccountId === accountId &&
          receivesGlobalEvents(trailScope(record), request.partition)
        ) {
          detailReads.push(limit(() => readDetails(record)));
        }
      }
      return { region, outcome: "read" };
    } catch (error) {
      if (NOT_ENABLED_ERRORS.has(errorName(error)) && region !== globalEventsRegion)
        return { region, outcome: "not-enabled" };
      return { region, outcome: "failed", failure: failureOf(error, { call: "CloudTrail.DescribeTrails", region }) };
    }
  };

  const globalRead = describeRegion(globalEventsRegion);
  const storesRead = request.eventDataStores
    ? readEventDataStores(cloudTrail, [globalEventsRegion], request.abortSignal)
    : undefined;
  const wanted = request.regions === "enabled" ? undefined : new Set(request.regions);

  let plan: ReadPlan = request.plan ?? "list-trails";
  let otherRegions: string[] = [];
  if (plan === "list-trails") {
    try {
      const listed: { arn: string; homeRegion: string }[] = [];
      const pages = paginateListTrails(
        { client: cloudTrail(globalEventsRegion) },
        {},
        ...(request.abortSignal ? [{ abortSignal: request.abortSignal }] : []),
      );
      for await (const page of pages) {
        for (const trail of page.Trails ?? [])
          if (trail.TrailARN && trail.HomeRegion) listed.push({ arn: trail.TrailARN, homeRegion: trail.HomeRegion });
      }
      // Known once the global events Region is described: its trails need no second look.
      await globalRead;
      otherRegions = [
        ...new Set(listed.filter((trail) => !trails.has(trail.arn)).map((trail) => trail.homeRegion)),
      ].filter(
        (region) =>
          region !== globalEventsRegion && partitionOf(region) === request.partition && (!wanted || wanted.has(region)),
      );
    } catch (error) {
      if (request.abortSignal?.aborted) throw error;
      sideReadFailures.push(failureOf(error, { call: "CloudTrail.ListTrails", region: globalEventsRegion }));
      plan = "per-region";
    }
  }
  if (plan === "per-region") {
    if (wanted) {
      otherRegions = [...wanted];
    } else {
      try {
        otherRegions = await listEnabledRegions(
          transport,
          globalEventsRegion,
          request.partition,
          credentials,
          request.abortSignal,
        );
      } catch (error) {
        // The global events Region alone shows every trail that can record global events.
        sideReadFailures.push(failureOf(error, { call: "EC2.DescribeRegions", region: globalEventsRegion }));
        otherRegions = [];
      }
    }
  }
  const reads = await Promise.all([
    globalRead,
    ...otherRegions.filter((region) => region !== globalEventsRegion).map(describeRegion),
  ]);
  // Details scheduled by the last Region read are only known once every DescribeTrails is back.
  await Promise.all(detailReads);
  const stores = await storesRead;

  return {
    ...(stores
      ? {
          eventDataStores: stores.stores.filter((store) => store.ownerAccountId === accountId),
          ...(stores.failures.length > 0 ? { eventDataStoresFailures: stores.failures } : {}),
        }
      : {}),
    regions: reads.sort((a, b) => a.region.localeCompare(b.region)),
    trails: [...trails.values()].sort((a, b) => a.arn.localeCompare(b.arn)),
    plan,
    sideReadFailures,
  };
}

const ENABLED_OPT_IN = new Set(["opt-in-not-required", "opted-in"]);

export async function listEnabledRegions(
  transport: AwsTransport,
  globalEventsRegion: string,
  partition: string,
  credentials?: AwsCredentialIdentity,
  abortSignal?: AbortSignal,
): Promise<string[]> {
  const ec2 = createClient(EC2Client, transport, globalEventsRegion, credentials);
  const { Regions } = await ec2.send(new DescribeRegionsCommand({}), abortSignal ? { abortSignal } : {});
  // AWS answers with the enabled Regions only; filtering by opt-in state and partition also
  // keeps stand-ins that list every Region honest.
  return (Regions ?? [])
    .filter((region) => region.RegionName && (!region.OptInStatus || ENABLED_OPT_IN.has(region.OptInStatus)))
    .map((region) => region.RegionName!)
    .filter((region) => partitionOf(region) === partition)
    .sort();
}
