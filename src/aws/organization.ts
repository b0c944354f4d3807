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
import { ancestorsOf, type UnitTree } from "../organizational-units.js";
import type { Settings } from "../settings.js";

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

/** The organization's roots and OUs, and the parent of each account, as the listing walked them. */
export interface OrganizationStructure {
  /** Roots and OUs by id: each one's name, and its parent (none for a root). */
  units: UnitTree;
  /** Each account's parent: the OU or root that holds it directly. */
  parents: Record<string, string>;
}

export interface AccountListing {
  notInOrganization: string[];
  /** Absent when the OU tree could not be walked (structureFailure says why): OU paths are then unknown. */
  structure?: OrganizationStructure;
  structureFailure?: unknown;
}

/**
 * Hands over the accounts to scan as the listing pages arrive, so that scanning starts at
 * once and overlaps the listing: everything (no selection), or the union of the listed
 * accounts and those beneath the listed OUs, less the exclusions. Returns the listed ids
 * the organization does not hold, and the OU tree. Needs the management account or a
 * delegated administrator.
 *
 * The OU tree is always walked to the end (ListRoots, then ListAccountsForParent and
 * ListOrganizationalUnitsForParent for every OU at once): it gives every account its OU
 * path, and the accounts beneath a selected OU. ListAccounts is one sequential chain of
 * 20-account pages (500 round trips at 10,000 accounts), so it runs beside the walk only to
 * hand over accounts early and to list everything if the walk is refused; it stops at its
 * next page once the walk is done.
 */
export async function streamSelectedAccounts(
  client: OrganizationsClient,
  settings: Settings,
  onAccount: (account: OrganizationAccount) => void,
): Promise<AccountListing> {
  const excluded = new Set(settings.excludeAccounts);
  const emitted = new Set<string>();
  const everything = settings.accounts.length === 0 && settings.organizationalUnits.length === 0;
  const listed = new Set(settings.accounts);
  const selectedUnits = new Set(settings.organizationalUnits);
  const seen = new Set<string>();
  const structure: OrganizationStructure = { units: {}, parents: {} };
  const emit = (raw: Account) => {
    const account = toAccount(raw);
    if (!account || excluded.has(account.id) || emitted.has(account.id)) return;
    emitted.add(account.id);
    onAccount(account);
  };
  const beneathSelected = (parentId: string): boolean =>
    ancestorsOf(structure.units, parentId).some((unit) => selectedUnits.has(unit));
  const fromChain = (raw: Account) => {
    if (!raw.Id) return;
    seen.add(raw.Id);
    if (everything || listed.has(raw.Id)) emit(raw);
  };
  const fromWalk = (raw: Account, parentId: string) => {
    if (!raw.Id) return;
    seen.add(raw.Id);
    structure.parents[raw.Id] = parentId;
    if (everything || listed.has(raw.Id) || beneathSelected(parentId)) emit(raw);
  };
  const lister = new PageLister(client);
  const walkDone: ListingControl = { finished: false };
  // Only a complete walk has everything: a refused one leaves the chain to list on.
  const walk = lister.walkOrganization(fromWalk, structure).then(() => {
    walkDone.finished = true;
  });
  const chain = everything || listed.size > 0 ? lister.listAccounts(fromChain, walkDone) : undefined;
  const [walked, chained] = await Promise.allSettled([walk, chain]);
  if (walked.status === "rejected") {
    // Without the tree no OU can be selected; the chain still lists everything else.
    if (selectedUnits.size > 0 || !chain) throw walked.reason;
    if (chained.status === "rejected") throw chained.reason;
    return {
      notInOrganization: [...listed].filter((id) => !seen.has(id) && !excluded.has(id)).sort(),
      structureFailure: walked.reason,
    };
  }
  const unknownUnit = [...selectedUnits].find((unit) => !structure.units[unit]);
  if (unknownUnit !== undefined) {
    throw new ConfigurationError(
      `Input "organizational-units" names ${unknownUnit}, which this organization does not hold. ` +
        "Give OU ids (ou-...) or the root id (r-...) of this organization.",
    );
  }
  return { notInOrganization: [...listed].filter((id) => !seen.has(id) && !excluded.has(id)).sort(), structure };
}

interface ListingControl {
  /** Set when the listing is complete: whoever still pages stops at its next page. */
  finished: boolean;
}

type AccountsPage = { Accounts?: Account[]; NextToken?: string };

/** Organizations List calls, a page at a time, a bounded number in flight. */
class PageLister {
  private readonly limit: LimitFunction = pLimit(LISTING_CONCURRENCY);

  constructor(private readonly client: OrganizationsClient) {}

  page<Output>(call: (client: OrganizationsClient) => Promise<Output>): Promise<Output> {
    return this.limit(() => call(this.client));
  }

  /** The ListAccounts chain, page after page, until its end or until `control` says the listing is complete. */
  listAccounts(onAccount: (account: Account) => void, control: ListingControl): Promise<void> {
    return this.pages<AccountsPage>(
      (client, token) =>
        client.send(
          new ListAccountsCommand({ MaxResults: ORGANIZATIONS_PAGE_SIZE, ...(token ? { NextToken: token } : {}) }),
        ),
      (page) => page.Accounts?.forEach(onAccount),
      control,
    );
  }

  async walkOrganization(
    onAccount: (account: Account, parentId: string) => void,
    structure: OrganizationStructure,
  ): Promise<void> {
    const { Roots } = await this.page((client) => client.send(new ListRootsCommand({})));
    for (const root of Roots ?? []) if (root.Id) structure.units[root.Id] = { name: root.Name ?? "Root" };
    await Promise.all(
      (Roots ?? []).filter((root) => root.Id).map((root) => this.walkUnit(root.Id!, onAccount, structure)),
    );
  }

  /** Every account beneath a root or OU, recursively, the children's pages all in flight together. */
  async walkUnit(
    parentId: string,
    onAccount: (account: Account, parentId: string) => void,
    structure: OrganizationStructure,
  ): Promise<void> {
    const children: Promise<void>[] = [];
    const toEnd: ListingControl = { finished: false };
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
        (page) => {
          for (const account of page.Accounts ?? []) onAccount(account, parentId);
        },
        toEnd,
      ),
      this.pages<{ OrganizationalUnits?: { Id?: string; Name?: string }[]; NextToken?: string }>(
        (client, token) =>
          client.send(
            new ListOrganizationalUnitsForParentCommand({
              ParentId: parentId,
              MaxResults: ORGANIZATIONS_PAGE_SIZE,
              ...(token ? { NextToken: token } : {}),
            }),
          ),
        (page) => {
          for (const unit of page.OrganizationalUnits ?? []) {
            if (!unit.Id) continue;
            // Known before its accounts are: an account's path is complete when it is listed.
            structure.units[unit.Id] = { name: unit.Name ?? unit.Id, parentId };
            children.push(this.walkUnit(unit.Id, onAccount, structure));
          }
        },
        toEnd,
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
