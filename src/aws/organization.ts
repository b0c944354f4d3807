import {
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  type OrganizationsClient,
  type Account,
} from "@aws-sdk/client-organizations";
import pLimit, { type LimitFunction } from "p-limit";
import { ConfigurationError } from "../configuration-error.js";
import type { Settings } from "../settings.js";
import { errorName } from "../error-description.js";

export interface OrganizationAccount {
  id: string;
  name: string;
  email?: string;
  /** ACTIVE, SUSPENDED, PENDING_CLOSURE, ... */
  state: string;
}

export interface OrganizationIdentity {
  id: string;
  managementAccountId: string;
}

export async function describeOrganization(client: OrganizationsClient): Promise<OrganizationIdentity> {
  const { Organization } = await client.send(new DescribeOrganizationCommand({}));
  return { id: Organization?.Id ?? "", managementAccountId: Organization?.MasterAccountId ?? "" };
}

/**
 * Organizations answers its List calls 20 items a page at most (API reference, ListAccounts
 * and ListAccountsForParent: MaxResults 1-20): ask for that, never the smaller default.
 */
export const ORGANIZATIONS_PAGE_SIZE = 20;

/**
 * Organizations calls of the listing in flight at once. Organizations throttles early
 * (TooManyRequestsException); throttled calls are retried with backoff.
 */
const LISTING_CONCURRENCY = 8;

/**
 * Hands over the accounts to scan as the listing pages arrive, so that scanning starts at
 * once and overlaps the listing: everything (no selection), or the union of the listed
 * accounts and those beneath the listed OUs, less the exclusions. Returns the listed ids
 * the organization does not hold. Needs the management account or a delegated administrator.
 *
 * ListAccounts is one sequential chain of 20-account pages: 500 round trips at 10,000
 * accounts, which would bound the whole scan. So once its first page shows there is more,
 * the OU tree is walked in parallel as well (ListRoots, then ListAccountsForParent and
 * ListOrganizationalUnitsForParent for every OU at once); the listing is complete when
 * either has seen everything, and the other stops at its next page.
 */
export async function streamSelectedAccounts(
  client: OrganizationsClient,
  settings: Settings,
  onAccount: (account: OrganizationAccount) => void,
): Promise<{ notInOrganization: string[] }> {
  const excluded = new Set(settings.excludeAccounts);
  const emitted = new Set<string>();
  const everything = settings.accounts.length === 0 && settings.organizationalUnits.length === 0;
  const listed = new Set(settings.accounts);
  const seen = new Set<string>();
  const emit = (raw: Account) => {
    const account = toAccount(raw);
    if (!account || excluded.has(account.id) || emitted.has(account.id)) return;
    emitted.add(account.id);
    onAccount(account);
  };
  const fromWholeOrganization = (raw: Account) => {
    if (!raw.Id) return;
    seen.add(raw.Id);
    if (everything || listed.has(raw.Id)) emit(raw);
  };
  const lister = new PageLister(client);

  await Promise.all([
    ...(everything || listed.size > 0 ? [listWholeOrganization(lister, fromWholeOrganization)] : []),
    ...settings.organizationalUnits.map((unit) =>
      lister.walkUnit(unit, emit, { finished: false }).catch((error: unknown) => {
        if (NOT_FOUND.has(errorName(error))) {
          throw new ConfigurationError(
            `Input "organizational-units" names ${unit}, which this organization does not hold ` +
              `(${errorName(error)}). Give OU ids (ou-...) or the root id (r-...) of this organization.`,
          );
        }
        throw error;
      }),
    ),
  ]);
  return { notInOrganization: [...listed].filter((id) => !seen.has(id) && !excluded.has(id)).sort() };
}

/**
 * The accounts beneath each OU or root, nested OUs included: for the OUs the exceptions file
 * names. An id the organization does not hold is left out (the exceptions report it); any
 * other failure is the caller's.
 */
export async function listAccountsBeneath(
  client: OrganizationsClient,
  units: string[],
): Promise<Record<string, string[]>> {
  const lister = new PageLister(client);
  const beneath: Record<string, string[]> = {};
  await Promise.all(
    units.map(async (unit) => {
      const ids = new Set<string>();
      try {
        await lister.walkUnit(unit, (account) => account.Id && ids.add(account.Id), { finished: false });
      } catch (error) {
        if (NOT_FOUND.has(errorName(error))) return;
        throw error;
      }
      beneath[unit] = [...ids].sort();
    }),
  );
  return beneath;
}

/** What Organizations answers for a parent id it does not hold. */
const NOT_FOUND = new Set([
  "ParentNotFoundException",
  "OrganizationalUnitNotFoundException",
  "TargetNotFoundException",
]);

interface ListingControl {
  /** Set when the listing is complete: whoever still pages stops at its next page. */
  finished: boolean;
}

/** Every account of the organization: the ListAccounts chain, raced by an OU walk once there is more than one page. */
function listWholeOrganization(lister: PageLister, onAccount: (account: Account) => void): Promise<void> {
  const control: ListingControl = { finished: false };
  return new Promise<void>((resolve, reject) => {
    let walk: Promise<void> | undefined;
    const chain = lister.pages<AccountsPage>(
      (client, token) =>
        client.send(
          new ListAccountsCommand({ MaxResults: ORGANIZATIONS_PAGE_SIZE, ...(token ? { NextToken: token } : {}) }),
        ),
      (page) => {
        page.Accounts?.forEach(onAccount);
        // A page may be empty and still have a NextToken: pages() follows it.
        if (page.NextToken && !walk) {
          walk = lister.walkOrganization(onAccount, control);
          walk.then(resolve, () => {
            // The chain still lists everything on its own.
          });
        }
      },
      control,
    );
    chain.then(resolve, (error: unknown) => {
      if (walk) walk.then(resolve, () => reject(error));
      else reject(error);
    });
  }).finally(() => {
    control.finished = true;
  });
}

type AccountsPage = { Accounts?: Account[]; NextToken?: string };

/** Organizations List calls, a page at a time, a bounded number in flight. */
class PageLister {
  private readonly limit: LimitFunction = pLimit(LISTING_CONCURRENCY);

  constructor(private readonly client: OrganizationsClient) {}

  page<Output>(call: (client: OrganizationsClient) => Promise<Output>): Promise<Output> {
    return this.limit(() => call(this.client));
  }

  async walkOrganization(onAccount: (account: Account) => void, control: ListingControl): Promise<void> {
    const { Roots } = await this.page((client) => client.send(new ListRootsCommand({})));
    await Promise.all(
      (Roots ?? []).filter((root) => root.Id).map((root) => this.walkUnit(root.Id!, onAccount, control)),
    );
  }

  /** Every account beneath a root or OU, recursively, the children's pages all in flight together. */
  async walkUnit(parentId: string, onAccount: (account: Account) => void, control: ListingControl): Promise<void> {
    const children: Promise<void>[] = [];
    await Promise.all([
      this.pages<AccountsPage>(
        (client, token) =>
          client.send(
            new ListAccountsForParentCommand({
              ParentId: parentId,
              MaxResults: ORGANIZATIONS_PAGE_SIZE,
              ...(token ? { NextToken: token } : {}),
            }),
          ),
        (page) => page.Accounts?.forEach(onAccount),
        control,
      ),
      this.pages<{ OrganizationalUnits?: { Id?: string }[]; NextToken?: string }>(
        (client, token) =>
          client.send(
            new ListOrganizationalUnitsForParentCommand({
              ParentId: parentId,
              MaxResults: ORGANIZATIONS_PAGE_SIZE,
              ...(token ? { NextToken: token } : {}),
            }),
          ),
        (page) => {
          for (const unit of page.OrganizationalUnits ?? [])
            if (unit.Id) children.push(this.walkUnit(unit.Id, onAccount, control));
        },
        control,
      ),
    ]);
    await Promise.all(children);
  }

  /** Follows NextToken page by page until the end, or until the listing is complete. */
  async pages<Output extends { NextToken?: string }>(
    call: (client: OrganizationsClient, token: string | undefined) => Promise<Output>,
    onPage: (page: Output) => void,
    control: ListingControl,
  ): Promise<void> {
    let token: string | undefined;
    do {
      if (control.finished) return;
      const next = token;
      const page: Output = await this.page((client) => call(client, next));
      onPage(page);
      token = page.NextToken;
    } while (token);
  }
}

function toAccount(account: Account): OrganizationAccount | undefined {
  if (!account.Id) return undefined;
  // Status was retired in Sep 2026; read it only where State is absent.
  const legacyStatus = (account as { Status?: string }).Status;
  return {
    id: account.Id,
    name: account.Name ?? account.Id,
    ...(account.Email ? { email: account.Email } : {}),
    state: account.State ?? legacyStatus ?? "UNKNOWN",
  };
}
