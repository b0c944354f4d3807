import { readFile, writeFile } from "node:fs/promises";
import type { ApiStats } from "./api-stats.js";
import { ConfigurationError } from "./configuration-error.js";
import type { Shard } from "./shard.js";

/**
 * What a scan read from AWS, as plain data: no SDK types, no clients, no Dates. It is the
 * only thing the rules see, and it round-trips through JSON so a saved scan can be
 * evaluated again offline.
 */
export const INVENTORY_SCHEMA_VERSION = 2;

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
  organizationTrailsFailure?: Failure;
  /**
   * CloudTrail Lake event data stores that collect for the whole organization, read once
   * per scan from the caller. Absent in inventories written before Lake was read.
   */
  organizationEventDataStores?: EventDataStoreRecord[];
  /** Why (some of) the organization's event data stores could not be read, per Region: verdicts then rest on trails. */
  organizationEventDataStoresFailures?: Failure[];
  accounts: AccountRecord[];
  /**
   * The organization's roots and OUs by id (name, parent), as the scan walked them: each
   * account's OU path (Root/Workloads/Payments) comes from its parentId. Absent in older
   * inventories, or when the walk was refused (organizationalUnitsFailure).
   */
  organizationalUnits?: Record<string, { name: string; parentId?: string }>;
  organizationalUnitsFailure?: Failure;
  /** The accounts beneath each OU the exceptions file named (nested OUs included), as listed by this scan. */
  unitAccounts?: Record<string, string[]>;
  /** Set when the scan stopped before reading every account, because AWS stopped answering: the last failure. */
  stoppedEarly?: Failure;
  /**
   * The accounts asked for, when not the whole organization (accounts, exclude-accounts,
   * organizational-units): what is not in the inventory was not looked at, so nothing about
   * the organization as a whole (its issue closing) may be concluded from it.
   */
  selection?: { accounts?: string[]; excludeAccounts?: string[]; organizationalUnits?: string[] };
  /** The slice of the selected accounts this scan covered, when split across jobs. */
  shard?: Shard;
  /** What the scan asked of AWS (calls by operation, retries, throttles). */
  apiStats?: ApiStats;
  durationMs: number;
}

/**
 * Why something could not be read, as data a program can switch on: the kind, and the facts
 * (call, Region, status, error code, AWS's own words). Sentences are made from it only when
 * rendering (describeFailure in error-description.ts).
 */
export const FAILURE_KINDS = [
  /** AWS refused: AccessDenied, not authorized (a role missing, a trust policy, a permission). */
  "access-denied",
  /** The call never reached AWS: nothing listening, DNS, TLS, no answer in time. */
  "unreachable",
  /** Something other than AWS answered (an HTML page from a proxy). */
  "not-aws",
  /** AWS throttled the call through every retry. */
  "throttled",
  /** The account's own time limit ran out. */
  "timed-out",
  /** The scan stopped before reading it: see the inventory's stoppedEarly. */
  "stopped",
  /** Every Region that was tried failed: see the account's regions. */
  "no-region-read",
  /** Any other answer of AWS's: code and message say which. */
  "aws-error",
  /** Recorded by an older version as text only (message). */
  "unknown",
] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

export interface Failure {
  kind: FailureKind;
  /** The call that failed, "Service.Operation": "STS.AssumeRole", "CloudTrail.ListEventDataStores". */
  call?: string;
  region?: string;
  /** The HTTP status, when something answered. */
  status?: number;
  /** AWS's error code (AccessDenied, ThrottlingException) or the system's (ECONNRESET, TimeoutError). */
  code?: string;
  /** What the call was sent to, when it did not reach AWS or something else answered. */
  endpoint?: string;
  /** For not-aws: what answered ("an HTML page"). */
  answer?: string;
  /** What AWS (or the system) said, as said: data, never parsed. */
  message?: string;
  /** The role the scanner tried to assume, for a failed AssumeRole. */
  role?: string;
  /** For timed-out: the limit that ran out. */
  limitMs?: number;
  /** For the scan stopping early: how many calls in a row failed. */
  callsInARow?: number;
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
  /** The OU or root that holds the account directly (Inventory.organizationalUnits names it). */
  parentId?: string;
  outcome: AccountOutcome;
  /** Why nothing usable was read (outcome "failed"). A skipped account's state says why it was skipped. */
  failure?: Failure;
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
  /** Reads beside the verdict that failed but did not stop it (ListTrails, the enabled Regions). */
  sideReadFailures?: Failure[];
  /** The account's own event data stores, when read: in the global events Region, and in every other Region for an account not otherwise compliant. */
  eventDataStores?: EventDataStoreRecord[];
  /** Why they could not be read, per Region: the verdict then rests on trails. */
  eventDataStoresFailures?: Failure[];
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
  failure?: Failure;
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
  /** Present when GetTrailStatus was read; absent when it was not needed or failed (see statusFailure). */
  status?: TrailStatus;
  statusFailure?: Failure;
  selectors?: TrailSelectors;
  selectorsFailure?: Failure;
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
  const found = isObject(parsed) && isObject(parsed.inventory) ? parsed.inventory : parsed;
  if (isObject(found) && typeof found.schemaVersion === "number" && found.schemaVersion > INVENTORY_SCHEMA_VERSION) {
    throw new ConfigurationError(
      `Input "${inputName}" names "${path}", which was written by a newer version of org-trail-audit ` +
        `(schemaVersion ${found.schemaVersion}; this one reads ${INVENTORY_SCHEMA_VERSION} and older): update org-trail-audit.`,
    );
  }
  const candidate = isObject(found) && found.schemaVersion === 1 ? fromVersion1(found) : found;
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
    if (account.failure !== undefined && !isFailure(account.failure))
      return `accounts[${index}].failure must be a failure (${FAILURE_SHAPE})`;
    if (account.parentId !== undefined && typeof account.parentId !== "string")
      return `accounts[${index}].parentId must be a string`;
  }
  if (value.organizationalUnits !== undefined) {
    if (!isObject(value.organizationalUnits)) return '"organizationalUnits" must be an object of OUs by id';
    for (const [id, unit] of Object.entries(value.organizationalUnits)) {
      if (
        !isObject(unit) ||
        typeof unit.name !== "string" ||
        (unit.parentId !== undefined && typeof unit.parentId !== "string")
      )
        return `organizationalUnits["${id}"] must have a "name" and may have a "parentId", both strings`;
    }
  }
  for (const key of ["stoppedEarly", "organizationTrailsFailure", "organizationalUnitsFailure"] as const) {
    if (value[key] !== undefined && !isFailure(value[key])) return `"${key}" must be a failure (${FAILURE_SHAPE})`;
  }
  return undefined;
}

const FAILURE_SHAPE = `an object whose "kind" is one of ${FAILURE_KINDS.join(", ")}`;

function isFailure(value: unknown): boolean {
  return isObject(value) && (FAILURE_KINDS as readonly unknown[]).includes(value.kind);
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

/**
 * A version 1 inventory (failures recorded as text) in version 2's terms: each text becomes
 * a failure of unknown kind that carries the text as its message, shown as it was written.
 */
function fromVersion1(v1: Record<string, unknown>): Record<string, unknown> {
  const text = (value: unknown): Failure | undefined =>
    typeof value === "string" && value ? { kind: "unknown", message: value } : undefined;
  const texts = (value: unknown): Failure[] | undefined =>
    typeof value === "string" && value ? [{ kind: "unknown", message: value }] : undefined;
  const defined = (entries: [string, unknown][]) =>
    Object.fromEntries(entries.filter(([, item]) => item !== undefined));
  const trail = (record: unknown) => {
    if (!isObject(record)) return record;
    const { statusError, selectorsError, ...rest } = record;
    return {
      ...rest,
      ...defined([
        ["statusFailure", text(statusError)],
        ["selectorsFailure", text(selectorsError)],
      ]),
    };
  };
  const accounts = Array.isArray(v1.accounts)
    ? v1.accounts.map((account) => {
        if (!isObject(account)) return account;
        const { reason, warnings, eventDataStoresError, regions, trails, ...rest } = account;
        return {
          ...rest,
          regions: Array.isArray(regions)
            ? regions.map((region) => {
                if (!isObject(region)) return region;
                const { error, ...read } = region;
                return { ...read, ...defined([["failure", text(error)]]) };
              })
            : regions,
          trails: Array.isArray(trails) ? trails.map(trail) : trails,
          ...defined([
            ["failure", account.outcome === "failed" ? text(reason) : undefined],
            [
              "sideReadFailures",
              Array.isArray(warnings) ? warnings.flatMap((warning) => texts(warning) ?? []) : undefined,
            ],
            ["eventDataStoresFailures", texts(eventDataStoresError)],
          ]),
        };
      })
    : v1.accounts;
  const { organizationTrailsError, organizationEventDataStoresError, stoppedEarly, organizationTrails, ...rest } = v1;
  return {
    ...rest,
    schemaVersion: INVENTORY_SCHEMA_VERSION,
    organizationTrails: Array.isArray(organizationTrails) ? organizationTrails.map(trail) : organizationTrails,
    accounts,
    ...defined([
      ["organizationTrailsFailure", text(organizationTrailsError)],
      ["organizationEventDataStoresFailures", texts(organizationEventDataStoresError)],
      ["stoppedEarly", text(stoppedEarly)],
    ]),
  };
}
