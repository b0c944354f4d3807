import { describeFailure } from "./error-description.js";
import type { Failure, Inventory } from "./inventory.js";
import { countOf } from "./plural.js";

/**
 * Reads beside the verdict (CloudTrail Lake's event data stores, ListTrails, the enabled
 * Regions) that failed, grouped by cause across accounts and Regions: a proxy that answers
 * every Lake call with the same HTML page is one line in the header, not part of every
 * finding. Pure: from the inventory's failures, grouped by their kind and codes.
 */
export interface SideReadFailure {
  read: "CloudTrail Lake" | "ListTrails" | "the enabled Regions" | "another read";
  /** The first failure of the group, in words. */
  cause: string;
  accounts: number;
  /** Account-Region pairs that failed this way (Lake is read per Region). */
  regions: number;
  /** What the failure means for the verdicts, and what to do. */
  consequence: string;
}

/** What a failed side read was, from its call: an older inventory's text-only failures have none. */
function readOf(failure: Failure, lake: boolean): SideReadFailure["read"] {
  if (lake) return "CloudTrail Lake";
  if (failure.call === "CloudTrail.ListTrails") return "ListTrails";
  if (failure.call === "EC2.DescribeRegions") return "the enabled Regions";
  return "another read";
}

export function sideReadFailures(inventory: Inventory): SideReadFailure[] {
  const groups = new Map<
    string,
    { read: SideReadFailure["read"]; first: Failure; accounts: Set<string>; regions: number }
  >();
  const add = (account: string, failure: Failure, lake = false) => {
    const read = readOf(failure, lake);
    // One cause whatever the Region (and the Region's endpoint) or the account named in AWS's message.
    // A refusal's fix is the permission of its call: calls refused alike are still separate causes.
    const call = failure.kind === "access-denied" ? failure.call : undefined;
    const key = [read, failure.kind, failure.code, failure.status, failure.answer, call].join("\n");
    const group = groups.get(key) ?? { read, first: failure, accounts: new Set<string>(), regions: 0 };
    group.accounts.add(account);
    group.regions += 1;
    groups.set(key, group);
  };
  for (const failure of inventory.organizationEventDataStoresFailures ?? [])
    add(inventory.callerAccountId ?? "organization", failure, true);
  for (const account of inventory.accounts) {
    for (const failure of account.eventDataStoresFailures ?? []) add(account.id, failure, true);
    for (const failure of account.sideReadFailures ?? []) add(account.id, failure);
  }
  return [...groups.values()]
    .map((group) => ({
      read: group.read,
      cause: describeFailure(group.first),
      accounts: group.accounts.size,
      regions: group.regions,
      consequence: consequenceOf(group.read, group.first),
    }))
    .sort((a, b) => b.accounts - a.accounts || a.read.localeCompare(b.read));
}

function consequenceOf(read: SideReadFailure["read"], failure: Failure): string {
  const denied = failure.kind === "access-denied";
  if (read === "CloudTrail Lake") {
    return `an event data store there was not considered: verdicts rest on trails${
      denied
        ? `; the audit role from an older deploy/audit-role.yaml lacks ${permissionOf(failure, "cloudtrail:ListEventDataStores")}: update that stack`
        : ""
    }`;
  }
  if (read === "another read") return "recorded by an older version as text; the verdicts did not rest on it";
  const what =
    read === "ListTrails"
      ? "every Region was described instead (slower, same verdicts)"
      : "only the global events Region was read";
  if (denied) {
    const permission = permissionOf(failure, read === "ListTrails" ? "cloudtrail:ListTrails" : "ec2:DescribeRegions");
    return `${what}; the audit role from an older deploy/audit-role.yaml lacks ${permission}: update that stack`;
  }
  return what;
}

/** One line per group: "CloudTrail Lake could not be read in 60 accounts (120 Regions): CAUSE; CONSEQUENCE." */
export function describeSideReadFailure(failure: SideReadFailure): string {
  const where =
    failure.regions > failure.accounts
      ? `${countOf(failure.accounts, "account")} (${countOf(failure.regions, "Region")})`
      : countOf(failure.accounts, "account");
  return `${failure.read} could not be read in ${where}: ${failure.cause}; ${failure.consequence}.`;
}

/** The IAM action a refused call needs ("CloudTrail.ListTrails" is cloudtrail:ListTrails); an older inventory's failure may name no call. */
function permissionOf(failure: Failure, otherwise: string): string {
  const call = /^(\w+)\.(\w+)$/.exec(failure.call ?? "");
  return call ? `${call[1]!.toLowerCase()}:${call[2]}` : otherwise;
}
