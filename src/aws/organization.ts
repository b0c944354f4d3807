import {
  DescribeOrganizationCommand,
  OrganizationsClient,
  paginateListAccounts,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  type Account,
} from "@aws-sdk/client-organizations";
import { ConfigurationError } from "../configuration-error.js";
import type { Settings } from "../settings.js";
import { errorName } from "./client-config.js";

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
 * Hands over the accounts to scan as the listing pages arrive, so that scanning overlaps
 * the sequential paging of large organizations: everything (no selection), or the union
 * of the listed accounts and those beneath the listed OUs, less the exclusions. Returns
 * the listed ids the organization does not hold. Needs the management account or a
 * delegated administrator.
 */
export async function streamSelectedAccounts(
  client: OrganizationsClient,
  settings: Settings,
  onAccount: (account: OrganizationAccount) => void,
): Promise<{ notInOrganization: string[] }> {
  const excluded = new Set(settings.excludeAccounts);
  const emitted = new Set<string>();
  const emit = (raw: Account) => {
    const account = toAccount(raw);
    if (!account || excluded.has(account.id) || emitted.has(account.id)) return;
    emitted.add(account.id);
    onAccount(account);
  };

  const everything = settings.accounts.length === 0 && settings.organizationalUnits.length === 0;
  const listed = new Set(settings.accounts);
  const seen = new Set<string>();
  const listAll = async () => {
    // The paginator follows NextToken through empty pages, which ListAccounts may return.
    for await (const page of paginateListAccounts({ client }, {})) {
      for (const account of page.Accounts ?? []) {
        if (account.Id) seen.add(account.Id);
        if (everything || (account.Id && listed.has(account.Id))) emit(account);
      }
    }
  };
  await Promise.all([
    ...(everything || listed.size > 0 ? [listAll()] : []),
    ...settings.organizationalUnits.map((unit) =>
      walkUnit(client, unit, emit).catch((error: unknown) => {
        if (NOT_FOUND.has(errorName(error))) {
          throw new ConfigurationError(
            `Input "organizational-units" names ${unit}, which this organization does not hold (${errorName(error)}). Give OU ids (ou-...) or the root id (r-...) of this organization.`,
          );
        }
        throw error;
      }),
    ),
  ]);
  return { notInOrganization: [...listed].filter((id) => !seen.has(id) && !excluded.has(id)).sort() };
}

/** What Organizations answers for a parent id it does not hold. */
const NOT_FOUND = new Set(["ParentNotFoundException", "OrganizationalUnitNotFoundException", "TargetNotFoundException"]);

async function walkUnit(client: OrganizationsClient, parentId: string, emit: (account: Account) => void): Promise<void> {
  const children: string[] = [];
  await Promise.all([
    (async () => {
      for await (const page of paginateListAccountsForParent({ client }, { ParentId: parentId })) {
        for (const account of page.Accounts ?? []) emit(account);
      }
    })(),
    (async () => {
      for await (const page of paginateListOrganizationalUnitsForParent({ client }, { ParentId: parentId })) {
        for (const unit of page.OrganizationalUnits ?? []) if (unit.Id) children.push(unit.Id);
      }
    })(),
  ]);
  await Promise.all(children.map((child) => walkUnit(client, child, emit)));
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
