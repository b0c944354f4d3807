import {
  DescribeOrganizationalUnitCommand,
  ListParentsCommand,
  ListRootsCommand,
  OrganizationsClient,
  paginateListTagsForResource,
} from "@aws-sdk/client-organizations";
import pLimit from "p-limit";
import { configuredRegion, globalEventsRegion } from "../partitions.js";
import { describeError, errorName } from "../error-description.js";
import { createClient, createTransport } from "./client-config.js";

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
      parent = limit(() => client.send(new ListParentsCommand({ ChildId: childId }))).then(
        (answer) => answer.Parents?.[0]?.Id,
      );
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
            for (
              let child = accountId, parent = await parentOf(child);
              parent;
              child = parent, parent = await parentOf(child)
            ) {
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

/**
 * Which OU and root ids of an owners-file this organization does not hold, so that a
 * mistyped key is reported instead of silently matching nothing. One call per OU key.
 */
export async function findUnknownParents(
  ids: string[],
  options: { region?: string } = {},
): Promise<{ unknown: string[]; error?: string }> {
  if (ids.length === 0) return { unknown: [] };
  const transport = createTransport();
  const client = createClient(OrganizationsClient, transport, globalEventsRegion(options.region ?? configuredRegion()));
  const limit = pLimit(ORGANIZATIONS_CONCURRENCY);
  try {
    const roots = ids.some((id) => id.startsWith("r-"))
      ? new Set(((await client.send(new ListRootsCommand({}))).Roots ?? []).map((root) => root.Id))
      : new Set<string | undefined>();
    const unknown = await Promise.all(
      ids.map((id) =>
        id.startsWith("r-")
          ? Promise.resolve(roots.has(id) ? undefined : id)
          : limit(() => client.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: id }))).then(
              () => undefined,
              (error: unknown) => {
                if (errorName(error) === "OrganizationalUnitNotFoundException") return id;
                throw error;
              },
            ),
      ),
    );
    return { unknown: unknown.filter((id): id is string => id !== undefined) };
  } catch (error) {
    return { unknown: [], error: describeError(error) };
  } finally {
    transport.destroy();
  }
}
