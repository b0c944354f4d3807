import {
  DescribeOrganizationCommand,
  OrganizationsClient,
  paginateListAccounts,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  type Account,
} from "@aws-sdk/client-organizations";
import type { Settings } from "../settings.js";

export interface OrganizationAccount {
  id: string;
  name: string;
  email?: string;
  /** ACTIVE, SUSPENDED, PENDING_CLOSURE, ... */
  state: string;
}

export interface AccountSelection {
  organization: { id: string; managementAccountId: string };
  accounts: OrganizationAccount[];
  /** Ids the user asked for by name that the organization does not hold. */
  notInOrganization: string[];
}

/**
 * The accounts to scan: everything (no selection), or the union of the listed accounts and
 * those beneath the listed OUs, less the exclusions. Needs the management account or a
 * delegated administrator.
 */
export async function selectAccounts(client: OrganizationsClient, settings: Settings): Promise<AccountSelection> {
  const { Organization } = await client.send(new DescribeOrganizationCommand({}));
  const organization = { id: Organization?.Id ?? "", managementAccountId: Organization?.MasterAccountId ?? "" };

  const all = new Map<string, OrganizationAccount>();
  // The paginator follows NextToken through empty pages, which ListAccounts may return.
  for await (const page of paginateListAccounts({ client }, {})) {
    for (const account of page.Accounts ?? []) {
      const parsed = toAccount(account);
      if (parsed) all.set(parsed.id, parsed);
    }
  }

  let wanted: Set<string>;
  if (settings.accounts.length === 0 && settings.organizationalUnits.length === 0) {
    wanted = new Set(all.keys());
  } else {
    wanted = new Set(settings.accounts);
    for (const unit of settings.organizationalUnits) {
      for (const id of await accountsBeneath(client, unit)) wanted.add(id);
    }
  }
  for (const id of settings.excludeAccounts) wanted.delete(id);

  const ids = [...wanted].sort();
  return {
    organization,
    accounts: ids.flatMap((id) => all.get(id) ?? []),
    notInOrganization: ids.filter((id) => !all.has(id)),
  };
}

async function accountsBeneath(client: OrganizationsClient, parentId: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of paginateListAccountsForParent({ client }, { ParentId: parentId })) {
    for (const account of page.Accounts ?? []) if (account.Id) ids.push(account.Id);
  }
  const children: string[] = [];
  for await (const page of paginateListOrganizationalUnitsForParent({ client }, { ParentId: parentId })) {
    for (const unit of page.OrganizationalUnits ?? []) if (unit.Id) children.push(unit.Id);
  }
  for (const child of children) ids.push(...(await accountsBeneath(client, child)));
  return ids;
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
