import { setMaxListeners } from "node:events";
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity } from "@smithy/types";
import pLimit from "p-limit";
import { ConfigurationError } from "../configuration-error.js";
import {
  INVENTORY_SCHEMA_VERSION,
  type AccountRecord,
  type EventDataStoreRecord,
  type Failure,
  type Inventory,
  type ReadPlan,
} from "../inventory.js";
import { configuredRegion, globalEventsRegion as globalRegionOf, partitionOf } from "../partitions.js";
import { emptySelectionError, type Settings } from "../settings.js";
import { accountsBeneath } from "../organizational-units.js";
import { inShard } from "../shard.js";
import { listEnabledRegions, NOT_ENABLED_ERRORS, readAccountTrails } from "./account-trails.js";
import { readEventDataStores } from "./event-data-stores.js";
import {
  createClient,
  createTransport,
  DEFAULT_TRANSPORT,
  type AwsTransport,
  type TransportOptions,
} from "./client-config.js";
import { ConcurrencyGovernor, DEFAULT_GOVERNOR, type GovernorOptions } from "./concurrency-governor.js";
import { accessAccount } from "./credentials.js";
import { describeError, failureOf, NETWORK_ADVICE } from "../error-description.js";
import { AwsUnreachableError, UnreachableBreaker, unreachableCause } from "./unreachable.js";
import { describeOrganization, streamSelectedAccounts, type OrganizationAccount } from "./organization.js";

export interface ScanProgress {
  done: number;
  /** Accounts selected so far; final once listingComplete. */
  total: number;
  listingComplete: boolean;
  partition: string;
  globalEventsRegion: string;
  /**
   * Everything of the inventory but its accounts, once the organization trails and event
   * data stores are read (early in the scan): the final inventory is built from this same
   * object, so a progress display that judges each account against it judges as the result.
   */
  context?: InventoryContext;
}

/** An inventory without its accounts and run statistics: what judging one account needs. */
export type InventoryContext = Omit<Inventory, "accounts" | "apiStats" | "durationMs" | "stoppedEarly">;

export interface ScanOptions {
  transport?: Partial<TransportOptions>;
  governor?: Partial<GovernorOptions>;
  /** An account still unread after this long is reported not assessed. */
  accountTimeoutMs?: number;
  /** Starts an account's time limit and returns what cancels it: a test ends one by rule instead of waiting. */
  accountTimer?: (accountId: string, ms: number, expire: () => void) => () => void;
  onAccountDone?: (record: AccountRecord, progress: ScanProgress) => void;
  /** Told of every secret the scan obtains (assumed-role keys), so a log can mask them. */
  onSecret?: (secret: string) => void;
  now?: () => number;
  /** How each account's Regions are chosen; "list-trails" unless a test or the benchmark compares plans. */
  readPlan?: ReadPlan;
  /** Calls in a row that never reach AWS before the scan stops (UNREACHABLE_CALLS_TO_STOP). */
  unreachableCallsToStop?: number;
  /** OUs whose accounts (nested OUs included) the inventory records: those the exceptions file names. */
  unitsToList?: string[];
  /** How to give credentials, in the entry point's terms (the action's by default). */
  credentialsAdvice?: string;
  /**
   * The rules' judgement of one account as read (the orchestrator gives it: aws/ does not judge):
   * whether something records its global service events. An uncovered account has its own Lake
   * event data stores looked for in every Region it may home them (ListEventDataStores answers
   * for its own Region only) before it is called uncovered; a covered one costs no extra call.
   * Without it, stores are read in the global events Region only.
   */
  judgesCovered?: (account: AccountRecord, context: InventoryContext) => boolean;
}

export const ACTION_CREDENTIALS_ADVICE =
  "Give the job credentials the standard SDK ways: aws-actions/configure-aws-credentials, AWS_* environment " +
  "variables, or a profile.";

export const DEFAULT_ACCOUNT_TIMEOUT_MS = 300_000;

/** The AWS half of an audit: reads the selected accounts of the organization into an inventory. */
export async function scanOrganization(settings: Settings, options: ScanOptions = {}): Promise<Inventory> {
  const now = options.now ?? Date.now;
  const started = now();
  const homeRegion = scanHomeRegion(settings);
  const partition = partitionOf(homeRegion);
  const globalEventsRegion = globalRegionOf(homeRegion);
  const transport = createTransport({ ...DEFAULT_TRANSPORT, ...options.transport });
  const limit = pLimit(settings.concurrency);
  const governor = new ConcurrencyGovernor(limit, settings.concurrency, { ...DEFAULT_GOVERNOR, ...options.governor });
  transport.onThrottle = (service) => governor.onThrottle(service);
  // Once the endpoint stops answering for everything, no account still to read would be
  // read either: stop, and say so, instead of failing each one after its retries.
  const stop = new AbortController();
  setMaxListeners(0, stop.signal);
  const breaker = new UnreachableBreaker((why) => stop.abort(why), options.unreachableCallsToStop);
  transport.onSuccess = (service) => {
    governor.onSuccess(service);
    breaker.answered();
  };
  transport.onFailure = (service, error, call) => breaker.failed(service, error, call);
  try {
    const sts = createClient(STSClient, transport, globalEventsRegion);
    const identity = await sts.send(new GetCallerIdentityCommand({})).catch((error: unknown) => {
      const unreachable = unreachableCause(error);
      if (unreachable) throw new AwsUnreachableError(`AWS STS ${unreachable}. ${NETWORK_ADVICE}.`);
      throw new ConfigurationError(
        `The AWS credentials could not be used (${describeError(error)}). ` +
          (options.credentialsAdvice ?? ACTION_CREDENTIALS_ADVICE),
      );
    });
    const callerAccountId = identity.Account ?? "";
    const organizations = createClient(OrganizationsClient, transport, globalEventsRegion);
    const refused = (error: unknown): never => {
      if (error instanceof ConfigurationError) throw error;
      const unreachable = unreachableCause(error);
      if (unreachable) throw new AwsUnreachableError(`AWS Organizations ${unreachable}. ${NETWORK_ADVICE}.`);
      throw new ConfigurationError(
        `AWS Organizations refused to list the accounts (${describeError(error)}). Run the scan with ` +
          "credentials of the management account or a delegated administrator (caller: " +
          `${identity.Arn ?? callerAccountId}).`,
      );
    };
    const organization = await describeOrganization(organizations).catch(refused);
    const context: AccountScanContext = {
      settings,
      options,
      transport,
      sts,
      callerAccountId,
      partition,
      globalEventsRegion,
      now,
      stop: stop.signal,
      inventoryContext: undefined,
      storeRegions: storeRegionsOf(settings, transport, globalEventsRegion, partition),
    };

    const progress: ScanProgress = { done: 0, total: 0, listingComplete: false, partition, globalEventsRegion };
    // Read first, alongside the listing, so each account can be judged the moment it is read.
    const inventoryContext: Promise<InventoryContext> = Promise.all([
      readOrganizationTrails(organization.managementAccountId, context),
      readOrganizationEventDataStores(context),
    ]).then(([trails, stores]) => {
      progress.context = {
        schemaVersion: INVENTORY_SCHEMA_VERSION,
        generatedAt: new Date(started).toISOString(),
        partition,
        globalEventsRegion,
        callerAccountId,
        organization,
        ...(settings.shard ? { shard: settings.shard } : {}),
        ...trails,
        ...stores,
      };
      return progress.context;
    });
    context.inventoryContext = inventoryContext;
    const finish = (record: AccountRecord) => {
      progress.done += 1;
      options.onAccountDone?.(record, { ...progress });
      return record;
    };

    const scans: Promise<AccountRecord>[] = [];
    let selected = 0;
    const start = (account: OrganizationAccount) => {
      progress.total += 1;
      scans.push(limit(() => scanAccount(account, context)).then(finish));
    };
    // Account ids given by the user are checked against the organization before any of them
    // is read: an id it does not hold is a mistake in the input, like an unknown OU.
    const held: OrganizationAccount[] = [];
    const listing = await streamSelectedAccounts(organizations, settings, (account) => {
      selected += 1;
      if (!inShard(account.id, settings.shard)) return;
      if (settings.accounts.length > 0) held.push(account);
      else start(account);
    }).catch(refused);
    if (listing.notInOrganization.length > 0) throw notMembersError(listing.notInOrganization, organization.id);

    if (selected === 0 && !settings.allowEmpty) throw emptySelectionError(settings);
    for (const account of held) start(account);
    progress.listingComplete = true;
    const accounts = await Promise.all(scans);
    const read = await inventoryContext;
    const { structure } = listing;
    const beneath =
      structure && options.unitsToList && options.unitsToList.length > 0
        ? accountsBeneath(structure.units, Object.entries(structure.parents), options.unitsToList)
        : undefined;
    transport.stats.lowestConcurrency = governor.lowest;
    return {
      ...read,
      accounts: accounts
        .map((account) =>
          structure?.parents[account.id] ? { ...account, parentId: structure.parents[account.id] } : account,
        )
        .sort((a, b) => a.id.localeCompare(b.id)),
      ...(structure ? { organizationalUnits: structure.units } : {}),
      ...(listing.structureFailure
        ? { organizationalUnitsFailure: failureOf(listing.structureFailure, { call: "Organizations.ListRoots" }) }
        : {}),
      ...(beneath ? { unitAccounts: beneath } : {}),
      ...(selectionOf(settings) ? { selection: selectionOf(settings)! } : {}),
      ...(breaker.stopped ? { stoppedEarly: breaker.stopped } : {}),
      apiStats: transport.stats,
      durationMs: now() - started,
    };
  } finally {
    transport.destroy();
  }
}

/** Where the organization-wide calls go: the explicit Regions' partition, else the SDK's configured Region. */
function scanHomeRegion(settings: Settings): string {
  if (settings.regions !== "enabled") return settings.regions[0]!;
  return configuredRegion();
}

interface AccountScanContext {
  settings: Settings;
  options: ScanOptions;
  transport: AwsTransport;
  sts: STSClient;
  callerAccountId: string;
  partition: string;
  globalEventsRegion: string;
  now: () => number;
  /** Aborted when the scan stops early (AWS unreachable); its reason says why. */
  stop: AbortSignal;
  /** The organization's trails and stores, read once alongside the listing: what judging an account needs. */
  inventoryContext: Promise<InventoryContext> | undefined;
  /** The Regions Lake stores are read in, listed once per scan. */
  storeRegions: Promise<string[]>;
}

function notMembersError(ids: string[], organizationId: string): ConfigurationError {
  return new ConfigurationError(
    `Input "accounts" names ${ids.join(", ")}, which organization ${organizationId} does not hold. ` +
      "Give 12-digit ids of its member accounts (aws organizations list-accounts lists them).",
  );
}

/** The selection inputs given, when the scan did not ask for the whole organization. */
function selectionOf(settings: Settings): Inventory["selection"] {
  const { accounts, excludeAccounts, organizationalUnits } = settings;
  if (accounts.length + excludeAccounts.length + organizationalUnits.length === 0) return undefined;
  return {
    ...(accounts.length > 0 ? { accounts } : {}),
    ...(excludeAccounts.length > 0 ? { excludeAccounts } : {}),
    ...(organizationalUnits.length > 0 ? { organizationalUnits } : {}),
  };
}

function realTimer(_accountId: string, ms: number, expire: () => void): () => void {
  const timer = setTimeout(expire, ms);
  return () => clearTimeout(timer);
}

async function scanAccount(account: OrganizationAccount, context: AccountScanContext): Promise<AccountRecord> {
  const started = context.now();
  const base = {
    id: account.id,
    name: account.name,
    ...(account.email ? { email: account.email } : {}),
    state: account.state,
  };
  if (account.state !== "ACTIVE") {
    return { ...base, outcome: "skipped", regions: [], trails: [], durationMs: 0 };
  }
  if (context.stop.aborted) {
    return { ...base, outcome: "failed", failure: { kind: "stopped" }, regions: [], trails: [], durationMs: 0 };
  }
  const timeoutMs = context.options.accountTimeoutMs ?? DEFAULT_ACCOUNT_TIMEOUT_MS;
  const abort = new AbortController();
  // Every call of the account listens on this one signal; dozens at once are expected.
  setMaxListeners(0, abort.signal);
  const cancelTimer = (context.options.accountTimer ?? realTimer)(account.id, timeoutMs, () => abort.abort());
  const onStop = () => abort.abort();
  context.stop.addEventListener("abort", onStop);
  const abortedWhy = (): Failure =>
    context.stop.aborted ? { kind: "stopped" } : { kind: "timed-out", limitMs: timeoutMs };
  let access: string | undefined;
  try {
    const granted = await accessAccount(
      context.sts,
      account.id,
      context.callerAccountId,
      context.partition,
      context.settings,
      abort.signal,
    );
    access = granted.via;
    if (granted.credentials) {
      context.options.onSecret?.(granted.credentials.secretAccessKey);
      if (granted.credentials.sessionToken) context.options.onSecret?.(granted.credentials.sessionToken);
    }
    const read = await readAccountTrails({
      accountId: account.id,
      ...(granted.credentials ? { credentials: granted.credentials } : {}),
      partition: context.partition,
      globalEventsRegion: context.globalEventsRegion,
      regions: context.settings.regions,
      transport: context.transport,
      abortSignal: abort.signal,
      eventDataStores: true,
      ...(context.options.readPlan ? { plan: context.options.readPlan } : {}),
    });
    const durationMs = context.now() - started;
    if (abort.signal.aborted) {
      return {
        ...base,
        access,
        outcome: "failed",
        failure: abortedWhy(),
        regions: read.regions,
        trails: read.trails,
        durationMs,
      };
    }
    const usable = read.regions.some((region) => region.outcome === "read");
    const record: AccountRecord = {
      ...base,
      access,
      outcome: usable ? "read" : "failed",
      ...(usable
        ? {}
        : {
            failure: { kind: "no-region-read" },
          }),
      regions: read.regions,
      trails: read.trails,
      readPlan: read.plan,
      ...(read.sideReadFailures.length > 0 ? { sideReadFailures: read.sideReadFailures } : {}),
      ...(read.eventDataStores ? { eventDataStores: read.eventDataStores } : {}),
      ...(read.eventDataStoresFailures ? { eventDataStoresFailures: read.eventDataStoresFailures } : {}),
      durationMs,
    };
    if (!usable || !context.options.judgesCovered || !context.inventoryContext) return record;
    const judging = await context.inventoryContext;
    if (context.options.judgesCovered(record, judging)) return record;
    const wider = await readStoresElsewhere(account.id, granted.credentials, context, abort.signal);
    if (abort.signal.aborted) return { ...record, outcome: "failed", failure: abortedWhy() };
    const stores = [...(record.eventDataStores ?? []), ...wider.stores];
    const storeFailures = [...(record.eventDataStoresFailures ?? []), ...wider.failures];
    return {
      ...record,
      ...(stores.length > 0 ? { eventDataStores: stores.sort((a, b) => a.arn.localeCompare(b.arn)) } : {}),
      ...(storeFailures.length > 0 ? { eventDataStoresFailures: storeFailures } : {}),
      durationMs: context.now() - started,
    };
  } catch (error) {
    const attempted = access ?? `arn:${context.partition}:iam::${account.id}:role/${context.settings.roleName}`;
    const failure = abort.signal.aborted
      ? abortedWhy()
      : access
        ? failureOf(error)
        : failureOf(error, { call: "STS.AssumeRole", role: attempted });
    return {
      ...base,
      access: attempted,
      outcome: "failed",
      failure,
      regions: [],
      trails: [],
      durationMs: context.now() - started,
    };
  } finally {
    cancelTimer();
    context.stop.removeEventListener("abort", onStop);
  }
}

/**
 * An account's own Lake event data stores homed outside the global events Region: a
 * multi-Region store ingesting management events records the global service events wherever
 * it is homed (../shared/aws-facts.md, CloudTrail Lake), and ListEventDataStores answers for
 * the current Region only. Read only for an account nothing else covers:
 * the Regions the scan was given, else every Region the account has enabled.
 */
async function readStoresElsewhere(
  accountId: string,
  credentials: AwsCredentialIdentity | undefined,
  context: AccountScanContext,
  abortSignal: AbortSignal,
): Promise<{ stores: EventDataStoreRecord[]; failures: Failure[] }> {
  // The Regions the organization's stores were read in (the scan's, or the caller's enabled
  // ones, listed once per scan): no DescribeRegions per account. One the account has not
  // enabled answers as not enabled, which is no failure.
  const regions = await context.storeRegions;
  const read = await readEventDataStores(
    (region) => createClient(CloudTrailClient, context.transport, region, credentials),
    regions.filter((region) => region !== context.globalEventsRegion),
    abortSignal,
  );
  return {
    stores: read.stores.filter((store) => store.ownerAccountId === accountId),
    failures: read.failures.filter((failure) => !NOT_ENABLED_ERRORS.has(failure.code ?? "")),
  };
}

/** Where Lake stores are looked for: the Regions given, else the caller's enabled Regions, the global events Region first. */
async function storeRegionsOf(
  settings: Settings,
  transport: AwsTransport,
  globalEventsRegion: string,
  partition: string,
): Promise<string[]> {
  let regions: string[];
  if (settings.regions === "enabled") {
    try {
      regions = await listEnabledRegions(transport, globalEventsRegion, partition);
    } catch {
      // Lake is optional evidence: the global events Region still shows an organization store homed there.
      regions = [globalEventsRegion];
    }
  } else {
    regions = settings.regions;
  }
  return regions.includes(globalEventsRegion) ? regions : [globalEventsRegion, ...regions];
}

/**
 * The organization's CloudTrail Lake event data stores, once per scan, in every Region the
 * scan reads (ListEventDataStores is regional), with the caller's credentials: the
 * management account's or a delegated administrator's. Only organization-wide stores
 * are kept; members' own stores are read with theirs.
 */
async function readOrganizationEventDataStores(
  context: AccountScanContext,
): Promise<Pick<Inventory, "organizationEventDataStores" | "organizationEventDataStoresFailures">> {
  const regions = await context.storeRegions;
  const read = await readEventDataStores(
    (region) => createClient(CloudTrailClient, context.transport, region),
    regions,
  );
  return {
    organizationEventDataStores: read.stores.filter((store) => store.organizationEnabled),
    ...(read.failures.length > 0 ? { organizationEventDataStoresFailures: read.failures } : {}),
  };
}

/**
 * Organization trails are judged by what their owner reads, once per scan: with the
 * caller's credentials, which are the management account's or a delegated
 * administrator's (that sees them as shadow trails and may read them by ARN). Account
 * scans never read them again, the management account's included.
 */
async function readOrganizationTrails(
  managementAccountId: string,
  context: AccountScanContext,
): Promise<Pick<Inventory, "organizationTrails" | "organizationTrailsFailure">> {
  try {
    const read = await readAccountTrails({
      accountId: managementAccountId,
      partition: context.partition,
      globalEventsRegion: context.globalEventsRegion,
      // Every trail that can record global events shows in the global events Region.
      regions: [context.globalEventsRegion],
      plan: "per-region",
      transport: context.transport,
      detailsFor: "organization-trails",
    });
    const failed = read.regions.find((region) => region.outcome !== "read");
    if (failed)
      return {
        organizationTrails: [],
        organizationTrailsFailure: failed.failure ?? {
          kind: "aws-error",
          call: "CloudTrail.DescribeTrails",
          region: failed.region,
          message: `the Region answered as ${failed.outcome}`,
        },
      };
    return {
      organizationTrails: read.trails.filter(
        (trail) => trail.isOrganizationTrail && trail.ownerAccountId === managementAccountId,
      ),
    };
  } catch (error) {
    return {
      organizationTrails: [],
      organizationTrailsFailure: failureOf(error, { call: "CloudTrail.DescribeTrails" }),
    };
  }
}
