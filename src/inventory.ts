import { readFile, writeFile } from "node:fs/promises";
import type { ApiStats } from "./api-stats.js";
import { ConfigurationError } from "./configuration-error.js";
import type { Shard } from "./shard.js";

/**
 * What a scan read from AWS, as plain data: no SDK types, no clients, no Dates. It is the
 * only thing the rules see, and it round-trips through JSON so a saved scan can be
 * evaluated again offline.
 */
export const INVENTORY_SCHEMA_VERSION = 1;

export interface Inventory {
  schemaVersion: typeof INVENTORY_SCHEMA_VERSION;
  generatedAt: string;
  partition: string;
  /** Where global service events are delivered in this partition (us-east-1 in aws). */
  globalEventsRegion: string;
  callerAccountId?: string;
  organization?: { id: string; managementAccountId: string };
  /** Organization trails as read from the account that owns them (status and selectors authoritative). */
  organizationTrails: TrailRecord[];
  /** Why the organization trails could not be read from their owner, when they could not. */
  organizationTrailsError?: string;
  /**
   * CloudTrail Lake event data stores that collect for the whole organization, read once
   * per scan from the caller. Absent in inventories written before Lake was read.
   */
  organizationEventDataStores?: EventDataStoreRecord[];
  /** Why (some of) the organization's event data stores could not be read: verdicts then rest on trails. */
  organizationEventDataStoresError?: string;
  accounts: AccountRecord[];
  /** The accounts beneath each OU the exceptions file named (nested OUs included), as listed by this scan. */
  unitAccounts?: Record<string, string[]>;
  /** Set when the scan stopped before reading every account, because AWS stopped answering: why. */
  stoppedEarly?: string;
  /** The slice of the selected accounts this scan covered, when split across jobs. */
  shard?: Shard;
  /** What the scan asked of AWS (calls by operation, retries, throttles). */
  apiStats?: ApiStats;
  durationMs: number;
}

/** The state given to an account that was asked for by id but is not in the organization. */
export const NOT_IN_ORGANIZATION = "NOT_IN_ORGANIZATION";

export type AccountOutcome =
  /** Trails were read (maybe not in every Region: see regions). */
  | "read"
  /** Nothing usable was read: see reason. */
  | "failed"
  /** Not ACTIVE (suspended, closed, ...): not scanned on purpose. */
  | "skipped";

export type ReadPlan = "list-trails" | "per-region";

export interface AccountRecord {
  id: string;
  name: string;
  email?: string;
  /** Organizations State (ACTIVE, SUSPENDED, ...), or "NOT_IN_ORGANIZATION" for an id asked for but not found. */
  state: string;
  outcome: AccountOutcome;
  reason?: string;
  /** How the scanner got in, or tried to: "caller" (its own credentials) or a role ARN. */
  access?: string;
  /** The Regions whose DescribeTrails was called: see readPlan. */
  regions: RegionRead[];
  trails: TrailRecord[];
  /**
   * How the Regions to describe were chosen: "list-trails", the global events Region plus the
   * home Regions ListTrails named; "per-region", every Region (ListTrails failed, or an
   * older scan). Absent in inventories from before the choice existed (per Region).
   */
  readPlan?: ReadPlan;
  /** What could not be read but did not stop a verdict. */
  warnings?: string[];
  /** The account's own event data stores homed in the global events Region, when read. */
  eventDataStores?: EventDataStoreRecord[];
  /** Why they could not be read: the verdict then rests on trails. */
  eventDataStoresError?: string;
  durationMs: number;
}

/** A CloudTrail Lake event data store (API EventDataStore): it records events as a trail does. */
export interface EventDataStoreRecord {
  arn: string;
  name: string;
  homeRegion: string;
  ownerAccountId: string;
  /** ENABLED while it ingests; CREATED, STARTING_INGESTION, STOPPING_INGESTION, STOPPED_INGESTION, PENDING_DELETION otherwise. */
  status: string;
  multiRegionEnabled: boolean;
  organizationEnabled: boolean;
  advancedEventSelectors: AdvancedEventSelector[];
}

export interface RegionRead {
  region: string;
  outcome: "read" | "not-enabled" | "failed";
  error?: string;
}

export interface TrailRecord {
  arn: string;
  name: string;
  homeRegion: string;
  /** The account that owns the trail, from its ARN. */
  ownerAccountId: string;
  isMultiRegionTrail: boolean;
  includeGlobalServiceEvents: boolean;
  isOrganizationTrail: boolean;
  s3BucketName?: string;
  kmsKeyId?: string;
  /** Present when GetTrailStatus was read; absent when it was not needed or failed (see statusError). */
  status?: TrailStatus;
  statusError?: string;
  selectors?: TrailSelectors;
  selectorsError?: string;
}

export interface TrailStatus {
  isLogging: boolean;
  /** The S3 (or KMS) error of a failed delivery; it can linger after deliveries recover. */
  latestDeliveryError?: string;
  /** The last successful delivery to S3 (ISO 8601). */
  latestDeliveryTime?: string;
  /** The latest delivery attempt and the latest that succeeded, when AWS fills them in. */
  latestDeliveryAttemptTime?: string;
  latestDeliveryAttemptSucceeded?: string;
}

export interface TrailSelectors {
  eventSelectors: BasicEventSelector[];
  advancedEventSelectors: AdvancedEventSelector[];
}

export interface BasicEventSelector {
  readWriteType?: string;
  includeManagementEvents?: boolean;
  excludeManagementEventSources?: string[];
}

export interface AdvancedEventSelector {
  name?: string;
  fieldSelectors: FieldSelector[];
}

export interface FieldSelector {
  field: string;
  equals?: string[];
  notEquals?: string[];
  startsWith?: string[];
  notStartsWith?: string[];
  endsWith?: string[];
  notEndsWith?: string[];
}

export async function saveInventory(path: string, inventory: Inventory): Promise<void> {
  await writeFile(path, `${JSON.stringify(inventory, null, 2)}\n`);
}

/** Reads a saved inventory (or a JSON report, which holds one) for offline evaluation. */
export async function loadInventory(path: string, inputName = "inventory-file"): Promise<Inventory> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ConfigurationError(
      `Input "${inputName}" names "${path}", which cannot be read ` +
        `(${(error as NodeJS.ErrnoException).code ?? "error"}); it accepts the path of an inventory or ` +
        "report JSON file written by org-trail-audit.",
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError(
      `Input "${inputName}" names "${path}", which is not valid JSON (${(error as Error).message}).`,
    );
  }
  const candidate = isObject(parsed) && isObject(parsed.inventory) ? parsed.inventory : parsed;
  const problem = inventoryProblem(candidate);
  if (problem) {
    throw new ConfigurationError(
      `Input "${inputName}" names "${path}", which is not an org-trail-audit inventory: ${problem}.`,
    );
  }
  return candidate as Inventory;
}

function inventoryProblem(value: unknown): string | undefined {
  if (!isObject(value)) return "the top level is not an object";
  if (value.schemaVersion !== INVENTORY_SCHEMA_VERSION) return `schemaVersion must be ${INVENTORY_SCHEMA_VERSION}`;
  for (const key of ["partition", "globalEventsRegion"] as const) {
    if (typeof value[key] !== "string") return `"${key}" must be a string`;
  }
  if (!Array.isArray(value.organizationTrails)) return '"organizationTrails" must be an array';
  const badOrgTrail = value.organizationTrails.findIndex((trail) => trailProblem(trail) !== undefined);
  if (badOrgTrail >= 0)
    return `organizationTrails[${badOrgTrail}]: ${trailProblem(value.organizationTrails[badOrgTrail])}`;
  if (!Array.isArray(value.accounts)) return '"accounts" must be an array';
  for (const [index, account] of value.accounts.entries()) {
    if (!isObject(account)) return `accounts[${index}] is not an object`;
    if (typeof account.id !== "string" || !/^\d{12}$/.test(account.id))
      return `accounts[${index}].id must be a 12-digit account id`;
    if (!["read", "failed", "skipped"].includes(account.outcome as string))
      return `accounts[${index}].outcome must be read, failed or skipped`;
    if (!Array.isArray(account.regions) || !Array.isArray(account.trails))
      return `accounts[${index}] needs "regions" and "trails" arrays`;
    const badTrail = account.trails.findIndex((trail) => trailProblem(trail) !== undefined);
    if (badTrail >= 0) return `accounts[${index}].trails[${badTrail}]: ${trailProblem(account.trails[badTrail])}`;
  }
  return undefined;
}

function trailProblem(value: unknown): string | undefined {
  if (!isObject(value)) return "not an object";
  for (const key of ["arn", "name", "homeRegion", "ownerAccountId"] as const) {
    if (typeof value[key] !== "string") return `"${key}" must be a string`;
  }
  for (const key of ["isMultiRegionTrail", "includeGlobalServiceEvents", "isOrganizationTrail"] as const) {
    if (typeof value[key] !== "boolean") return `"${key}" must be true or false`;
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
