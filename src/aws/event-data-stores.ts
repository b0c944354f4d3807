import {
  GetEventDataStoreCommand,
  ListEventDataStoresCommand,
  type CloudTrailClient,
} from "@aws-sdk/client-cloudtrail";
import type { EventDataStoreRecord, Failure } from "../inventory.js";
import { failureOf } from "../error-description.js";
import { toEventDataStoreRecord } from "./trail-records.js";

export interface EventDataStoresRead {
  stores: EventDataStoreRecord[];
  /** Regions whose stores could not be read (one failure each): the verdict then rests on trails. */
  failures: Failure[];
}

/**
 * CloudTrail Lake event data stores of the credentials' account in the Regions given.
 * ListEventDataStores is regional and its summary fields are deprecated, so each store is
 * read with GetEventDataStore (API reference, ListEventDataStores and EventDataStore).
 * Lake stopped taking new customers on 31 May 2026: most accounts answer an empty list.
 */
export async function readEventDataStores(
  /** The caller's CloudTrail client for a Region, with the credentials of the account to read. */
  clientFor: (region: string) => CloudTrailClient,
  regions: string[],
  abortSignal?: AbortSignal,
): Promise<EventDataStoresRead> {
  const options = abortSignal ? { abortSignal } : {};
  const stores: EventDataStoreRecord[] = [];
  const failures: Failure[] = [];
  await Promise.all(
    regions.map(async (region) => {
      const client = clientFor(region);
      try {
        const arns: string[] = [];
        let nextToken: string | undefined;
        do {
          const page = await client.send(
            new ListEventDataStoresCommand(nextToken ? { NextToken: nextToken } : {}),
            options,
          );
          for (const store of page.EventDataStores ?? [])
            if (store.EventDataStoreArn) arns.push(store.EventDataStoreArn);
          nextToken = page.NextToken;
        } while (nextToken);
        for (const arn of arns) {
          const store = await client.send(new GetEventDataStoreCommand({ EventDataStore: arn }), options);
          stores.push(toEventDataStoreRecord(arn, store, region));
        }
      } catch (error) {
        failures.push(failureOf(error, { call: "CloudTrail.ListEventDataStores", region }));
      }
    }),
  );
  return {
    stores: stores.sort((a, b) => a.arn.localeCompare(b.arn)),
    failures: failures.sort((a, b) => (a.region ?? "").localeCompare(b.region ?? "")),
  };
}
