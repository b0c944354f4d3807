import { setMaxListeners } from "node:events";
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import pLimit from "p-limit";
import { ConfigurationError } from "../configuration-error.js";
import {
  INVENTORY_SCHEMA_VERSION,
  NOT_IN_ORGANIZATION,
  type AccountRecord,
  type Inventory,
  type ReadPlan,
  type TrailRecord,
} from "../inventory.js";
import { configuredRegion, globalEventsRegion as globalRegionOf, partitionOf } from "../partitions.js";
import { emptySelectionError, type Settings } from "../settings.js";
import { inShard } from "../shard.js";
import { listEnabledRegions, readAccountTrails } from "./account-trails.js";
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
import { describeError, describeNetworkFailure, NETWORK_ADVICE, networkFailure } from "../error-description.js";
import { describeOrganization, streamSelectedAccounts, type OrganizationAccount } from "./organization.js";

export interface ScanProgress {
  done: number;
  /** Accounts selected so far; final once listingComplete. */
  total: number;
  listingComplete: boolean;
  partition: string;
  globalEventsRegion: string;
  /** Known once read (early in the scan): lets a progress reporter judge each account as it finishes. */
  organizationTrails?: TrailRecord[];
  organizationTrailsError?: string;
}

export interface ScanOptions {
  transport?: Partial<TransportOptions>;
  governor?: Partial<GovernorOptions>;
  /** An account still unread after this long is reported not assessed. */
  accountTimeoutMs?: number;
  onAccountDone?: (record: AccountRecord, progress: ScanProgress) => void;
  /** Told of every secret the scan obtains (assumed-role keys), so a log can mask them. */
  onSecret?: (secret: string) => void;
  now?: () => number;
  /** How each account's Regions are chosen; "list-trails" unless a test or the benchmark compares plans. */
  readPlan?: ReadPlan;
}

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
  transport.onSuccess = (service) => governor.onSuccess(service);
  try {
    const sts = createClient(STSClient, transport, globalEventsRegion);
    const identity = await sts.send(new GetCallerIdentityCommand({})).catch((error: unknown) => {
      const network = networkFailure(error);
      if (network) throw new ConfigurationError(`AWS STS ${describeNetworkFailure(network)}. ${NETWORK_ADVICE}.`);
      throw new ConfigurationError(
        `The AWS credentials could not be used (${describeError(error)}). Give the job credentials the ` +
          "standard SDK ways: aws-actions/configure-aws-credentials, AWS_* environment variables, or a profile.",
      );
    });
    const callerAccountId = identity.Account ?? "";
    const organizations = createClient(OrganizationsClient, transport, globalEventsRegion);
    const refused = (error: unknown): never => {
      if (error instanceof ConfigurationError) throw error;
      const network = networkFailure(error);
      if (network)
        throw new ConfigurationError(`AWS Organizations ${describeNetworkFailure(network)}. ${NETWORK_ADVICE}.`);
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
    };

    const progress: ScanProgress = { done: 0, total: 0, listingComplete: false, partition, globalEventsRegion };
    // Read first, alongside the listing, so each account can be judged the moment it is read.
    const organizationTrails = readOrganizationTrails(organization.managementAccountId, context).then((read) => {
      progress.organizationTrails = read.organizationTrails;
      if (read.organizationTrailsError) progress.organizationTrailsError = read.organizationTrailsError;
      return read;
    });
    const organizationStores = readOrganizationEventDataStores(context);
    const finish = (record: AccountRecord) => {
      progress.done += 1;
      options.onAccountDone?.(record, { ...progress });
      return record;
    };

    const scans: Promise<AccountRecord>[] = [];
    let selected = 0;
    const { notInOrganization } = await streamSelectedAccounts(organizations, settings, (account) => {
      selected += 1;
      if (!inShard(account.id, settings.shard)) return;
      progress.total += 1;
      scans.push(limit(() => scanAccount(account, context)).then(finish));
    }).catch(refused);
    if (selected === 0 && notInOrganization.length === 0 && !settings.allowEmpty) throw emptySelectionError(settings);
    for (const id of notInOrganization.filter((candidate) => inShard(candidate, settings.shard))) {
      progress.total += 1;
      scans.push(
        Promise.resolve(
          finish({
            id,
            name: id,
            state: NOT_IN_ORGANIZATION,
            outcome: "failed",
            reason: `account ${id} was asked for (input "accounts") but is not a member of organization ${organization.id}`,
            regions: [],
            trails: [],
            durationMs: 0,
          }),
        ),
      );
    }
    progress.listingComplete = true;
    const accounts = await Promise.all(scans);
    const organizationTrailsRead = await organizationTrails;
    const organizationStoresRead = await organizationStores;
    transport.stats.lowestConcurrency = governor.lowest;
    return {
      schemaVersion: INVENTORY_SCHEMA_VERSION,
      generatedAt: new Date(started).toISOString(),
      partition,
      globalEventsRegion,
      callerAccountId,
      organization,
      ...(settings.shard ? { shard: settings.shard } : {}),
      ...organizationTrailsRead,
      ...organizationStoresRead,
      accounts: accounts.sort((a, b) => a.id.localeCompare(b.id)),
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
    return { ...base, outcome: "skipped", reason: `state ${account.state}`, regions: [], trails: [], durationMs: 0 };
  }
  const timeoutMs = context.options.accountTimeoutMs ?? DEFAULT_ACCOUNT_TIMEOUT_MS;
  const abort = new AbortController();
  // Every call of the account listens on this one signal; dozens at once are expected.
  setMaxListeners(0, abort.signal);
  const timer = setTimeout(() => abort.abort(), timeoutMs);
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
        reason: `timed out after ${timeoutMs / 1000} s`,
        regions: read.regions,
        trails: read.trails,
        durationMs,
      };
    }
    const usable = read.regions.some((region) => region.outcome === "read");
    return {
      ...base,
      access,
      outcome: usable ? "read" : "failed",
      ...(usable
        ? {}
        : {
            reason: `no Region could be read (${read.regions.map((r) => `${r.region}: ${r.error ?? r.outcome}`).join("; ")})`,
          }),
      regions: read.regions,
      trails: read.trails,
      readPlan: read.plan,
      ...(read.warnings.length > 0 ? { warnings: read.warnings } : {}),
      ...(read.eventDataStores ? { eventDataStores: read.eventDataStores } : {}),
      ...(read.eventDataStoresError ? { eventDataStoresError: read.eventDataStoresError } : {}),
      durationMs,
    };
  } catch (error) {
    const attempted = access ?? `arn:${context.partition}:iam::${account.id}:role/${context.settings.roleName}`;
    const reason = abort.signal.aborted
      ? `timed out after ${timeoutMs / 1000} s`
      : access
        ? describeError(error)
        : networkFailure(error)
          ? `AssumeRole for ${attempted} never reached AWS STS: ${describeError(error)}`
          : `could not assume ${attempted}: ${describeError(error)}`;
    return {
      ...base,
      access: attempted,
      outcome: "failed",
      reason,
      regions: [],
      trails: [],
      durationMs: context.now() - started,
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The organization's CloudTrail Lake event data stores, once per scan, in every Region the
 * scan reads (ListEventDataStores is regional), with the caller's credentials: the
 * management account's or a delegated administrator's. Only organization-wide stores
 * are kept; members' own stores are read with theirs.
 */
async function readOrganizationEventDataStores(
  context: AccountScanContext,
): Promise<Pick<Inventory, "organizationEventDataStores" | "organizationEventDataStoresError">> {
  let regions: string[];
  if (context.settings.regions === "enabled") {
    try {
      regions = await listEnabledRegions(context.transport, context.globalEventsRegion, context.partition);
    } catch {
      // Lake is optional evidence: the global events Region still shows an organization store homed there.
      regions = [context.globalEventsRegion];
    }
  } else {
    regions = context.settings.regions;
  }
  if (!regions.includes(context.globalEventsRegion)) regions = [context.globalEventsRegion, ...regions];
  const read = await readEventDataStores(
    (region) => createClient(CloudTrailClient, context.transport, region),
    regions,
  );
  return {
    organizationEventDataStores: read.stores.filter((store) => store.organizationEnabled),
    ...(read.errors.length > 0 ? { organizationEventDataStoresError: read.errors.join("; ") } : {}),
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
): Promise<Pick<Inventory, "organizationTrails" | "organizationTrailsError">> {
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
    if (failed) return { organizationTrails: [], organizationTrailsError: failed.error ?? failed.outcome };
    return {
      organizationTrails: read.trails.filter(
        (trail) => trail.isOrganizationTrail && trail.ownerAccountId === managementAccountId,
      ),
    };
  } catch (error) {
    return { organizationTrails: [], organizationTrailsError: describeError(error) };
  }
}
