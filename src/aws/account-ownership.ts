import { ListParentsCommand, OrganizationsClient, paginateListTagsForResource } from "@aws-sdk/client-organizations";
import pLimit from "p-limit";
import { configuredRegion, globalEventsRegion } from "../partitions.js";
import { createClient, createTransport, describeError } from "./client-config.js";

export interface AccountOwnership {
  tagValue?: string;
  /** Parents nearest first: OUs, then the root. */
  parents?: string[];
  error?: string;
}

// Organizations throttles early (TooManyRequestsException): few calls at once, each retried with backoff.
const ORGANIZATIONS_CONCURRENCY = 2;

/**
 * Reads the owner tag (and, when an owners-file names OUs, the parent chain) of the
 * accounts that need an issue, and of no others: Organizations is quick to throttle.
 */
export async function readAccountOwnership(
  accountIds: string[],
  options: { tagKey: string; withParents: boolean; region?: string },
): Promise<Map<string, AccountOwnership>> {
  const region = options.region ?? configuredRegion();
  const transport = createTransport();
  const client = createClient(OrganizationsClient, transport, globalEventsRegion(region));
  const limit = pLimit(ORGANIZATIONS_CONCURRENCY);
  const parentsOf = new Map<string, Promise<string | undefined>>();
  const parentOf = (childId: string) => {
    let parent = parentsOf.get(childId);
    if (!parent) {
      parent = limit(() => client.send(new ListParentsCommand({ ChildId: childId }))).then((answer) => answer.Parents?.[0]?.Id);
      parentsOf.set(childId, parent);
    }
    return parent;
  };
  try {
    const entries = await Promise.all(
      accountIds.map(async (accountId): Promise<[string, AccountOwnership]> => {
        try {
          let tagValue: string | undefined;
          await limit(async () => {
            for await (const page of paginateListTagsForResource({ client }, { ResourceId: accountId })) {
              tagValue ??= page.Tags?.find((tag) => tag.Key === options.tagKey)?.Value;
            }
          });
          const parents: string[] = [];
          if (options.withParents) {
            for (let child = accountId, parent = await parentOf(child); parent; child = parent, parent = await parentOf(child)) {
              parents.push(parent);
              if (parent.startsWith("r-")) break;
            }
          }
          return [accountId, { ...(tagValue ? { tagValue } : {}), ...(options.withParents ? { parents } : {}) }];
        } catch (error) {
          return [accountId, { error: describeError(error) }];
        }
      }),
    );
    return new Map(entries);
  } finally {
    transport.destroy();
  }
}

