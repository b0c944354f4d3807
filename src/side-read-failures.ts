import type { Inventory } from "./inventory.js";
import { countOf } from "./plural.js";

/**
 * Reads beside the verdict (CloudTrail Lake's event data stores, ListTrails, the enabled
 * Regions) that failed, grouped by cause across accounts and Regions: a proxy that answers
 * every Lake call with the same HTML page is one line in the header, not part of every
 * finding. Pure: from the inventory's saved error texts.
 */
export interface SideReadFailure {
  read: "CloudTrail Lake" | "ListTrails" | "the enabled Regions";
  /** The first failure of the group, as recorded. */
  cause: string;
  accounts: number;
  /** Account-Region pairs that failed this way (Lake is read per Region). */
  regions: number;
  /** What the failure means for the verdicts, and what to do. */
  consequence: string;
}

/** Region codes and the endpoints named after them differ between failures that are one cause. */
const REGION_CODE = "[a-z]{2}(?:-[a-z]+)+-\\d";
const REGION = new RegExp(`\\b${REGION_CODE}\\b`, "g");
/** How the scan joins one error per Region: "us-east-1: text; eu-west-1: text". */
const NEXT_REGION = new RegExp(`; (?=${REGION_CODE}: )`);
const REGION_PREFIX = new RegExp(`^${REGION_CODE}: `);

export function sideReadFailures(inventory: Inventory): SideReadFailure[] {
  const groups = new Map<
    string,
    { read: SideReadFailure["read"]; cause: string; accounts: Set<string>; regions: number }
  >();
  const add = (read: SideReadFailure["read"], account: string, cause: string) => {
    const key = `${read}\n${cause.replace(REGION, "REGION")}`;
    const group = groups.get(key) ?? { read, cause, accounts: new Set<string>(), regions: 0 };
    group.accounts.add(account);
    group.regions += 1;
    groups.set(key, group);
  };
  const lake = (account: string, errors: string | undefined) => {
    for (const cause of perRegion(errors)) add("CloudTrail Lake", account, cause);
  };
  lake(inventory.callerAccountId ?? "organization", inventory.organizationEventDataStoresError);
  for (const account of inventory.accounts) {
    lake(account.id, account.eventDataStoresError);
    for (const warning of account.warnings ?? []) {
      const listTrails = /^ListTrails failed \((.*)\); every Region was described instead\.$/.exec(warning);
      if (listTrails) add("ListTrails", account.id, listTrails[1]!);
      const regions = /^Listing the enabled Regions failed \((.*)\); only .* was read\.$/.exec(warning);
      if (regions) add("the enabled Regions", account.id, regions[1]!);
    }
  }
  return [...groups.values()]
    .map((group) => ({
      read: group.read,
      cause: group.cause,
      accounts: group.accounts.size,
      regions: group.regions,
      consequence: consequenceOf(group.read, group.cause),
    }))
    .sort((a, b) => b.accounts - a.accounts || a.read.localeCompare(b.read));
}

/** "us-east-1: text; eu-west-1: text" (how the scan records them) → each Region's text. */
function perRegion(errors: string | undefined): string[] {
  if (!errors) return [];
  return errors.split(NEXT_REGION).map((part) => part.replace(REGION_PREFIX, ""));
}

function consequenceOf(read: SideReadFailure["read"], cause: string): string {
  const denied = /AccessDenied|not authorized|UnauthorizedOperation/i.test(cause);
  if (read === "CloudTrail Lake") {
    return `an event data store there was not considered: verdicts rest on trails${
      denied
        ? "; the audit role from an older deploy/audit-role.yaml lacks cloudtrail:ListEventDataStores: update that stack"
        : ""
    }`;
  }
  const what =
    read === "ListTrails"
      ? "every Region was described instead (slower, same verdicts)"
      : "only the global events Region was read";
  if (denied) {
    const permission = read === "ListTrails" ? "cloudtrail:ListTrails" : "account:ListRegions";
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
