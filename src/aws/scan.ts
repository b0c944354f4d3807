import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { setMaxListeners } from "node:events";
import pLimit from "p-limit";
import { ConfigurationError } from "../configuration-error.js";
import { INVENTORY_SCHEMA_VERSION, type AccountRecord, type Inventory, type TrailRecord } from "../inventory.js";
import { globalEventsRegion as globalRegionOf, partitionOf } from "../partitions.js";
import { NOT_IN_ORGANIZATION } from "../rules/evaluate.js";
import type { Settings } from "../settings.js";
import { readAccountTrails, type AccountTrails } from "./account-trails.js";
import { clientConfig, createTransport, DEFAULT_TRANSPORT, describeError, type AwsTransport, type TransportOptions } from "./client-config.js";
import { accessAccount } from "./credentials.js";
import { selectAccounts, type OrganizationAccount } from "./organization.js";

export interface ScanOptions {
  transport?: Partial<TransportOptions>;
  /** An account still unread after this long is reported not assessed. */
  accountTimeoutMs?: number;
  /** Called after each account, for progress reporting. */
  onAccountDone?: (record: AccountRecord, done: number, total: number) => void;
  now?: () => number;
}

export const DEFAULT_ACCOUNT_TIMEOUT_MS = 300_000;

/** The AWS half of an audit: reads the selected accounts of the organization into an inventory. */
export async function scanOrganization(settings: Settings, options: ScanOptions = {}): Promise<Inventory> {
  const now = options.now ?? Date.now;
  const started = now();
  const homeRegion = scanHomeRegion(settings);
  const partition = partitionOf(homeRegion);
  const globalEventsRegion = globalRegionOf(partition);
  const transport = createTransport({ ...DEFAULT_TRANSPORT, ...options.transport });
  try {
    const sts = new STSClient(clientConfig(transport, globalEventsRegion));
    const identity = await sts.send(new GetCallerIdentityCommand({})).catch((error: unknown) => {
      throw new ConfigurationError(
        `The AWS credentials could not be used (${describeError(error)}). Give the job credentials the standard SDK ways: aws-actions/configure-aws-credentials, AWS_* environment variables, or a profile.`,
      );
    });
    const callerAccountId = identity.Account ?? "";
    const organizations = new OrganizationsClient(clientConfig(transport, globalEventsRegion));
    const selection = await selectAccounts(organizations, settings).catch((error: unknown) => {
      throw new ConfigurationError(
        `AWS Organizations refused to list the accounts (${describeError(error)}). Run the scan with credentials of the management account or a delegated administrator (caller: ${identity.Arn ?? callerAccountId}).`,
      );
    });
    const { managementAccountId } = selection.organization;

    const total = selection.accounts.length + selection.notInOrganization.length;
    let done = 0;
    const finish = (record: AccountRecord) => {
      done += 1;
      options.onAccountDone?.(record, done, total);
      return record;
    };
    const limit = pLimit(settings.concurrency);
    const context: AccountScanContext = { settings, options, transport, sts, callerAccountId, partition, globalEventsRegion, now };
    const accounts = await Promise.all([
      ...selection.accounts.map((account) => limit(async () => finish(await scanAccount(account, context)))),
      ...selection.notInOrganization.map(async (id) =>
        finish({
          id,
          name: id,
          state: NOT_IN_ORGANIZATION,
          outcome: "failed",
          reason: `account ${id} was asked for (input "accounts") but is not a member of organization ${selection.organization.id}`,
          regions: [],
          trails: [],
          durationMs: 0,
        } satisfies AccountRecord),
      ),
    ]);

    const organizationTrails = await readOrganizationTrails(accounts, managementAccountId, context);
    return {
      schemaVersion: INVENTORY_SCHEMA_VERSION,
      generatedAt: new Date(started).toISOString(),
      partition,
      globalEventsRegion,
      callerAccountId,
      organization: selection.organization,
      ...organizationTrails,
      accounts: accounts.sort((a, b) => a.id.localeCompare(b.id)),
      durationMs: now() - started,
    };
  } finally {
    transport.destroy();
  }
}

/** Where the organization-wide calls go: the explicit Regions' partition, else the SDK's configured Region. */
function scanHomeRegion(settings: Settings): string {
  if (settings.regions !== "enabled") return settings.regions[0]!;
  return process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || "us-east-1";
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
  const base = { id: account.id, name: account.name, ...(account.email ? { email: account.email } : {}), state: account.state };
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
      context.sts, account.id, context.callerAccountId, context.partition, context.settings, abort.signal,
    );
    access = granted.via;
    const read: AccountTrails = await readAccountTrails({
      accountId: account.id,
      ...(granted.credentials ? { credentials: granted.credentials } : {}),
      partition: context.partition,
      globalEventsRegion: context.globalEventsRegion,
      regions: context.settings.regions,
      transport: context.transport,
      abortSignal: abort.signal,
    });
    const durationMs = context.now() - started;
    if (abort.signal.aborted) {
      return { ...base, access, outcome: "failed", reason: `timed out after ${timeoutMs / 1000} s`, ...read, durationMs };
    }
    const usable = read.regions.some((region) => region.outcome === "read");
    return {
      ...base,
      access,
      outcome: usable ? "read" : "failed",
      ...(usable ? {} : { reason: `no Region could be read (${read.regions.map((r) => `${r.region}: ${r.error ?? r.outcome}`).join("; ")})` }),
      regions: read.regions,
      trails: read.trails,
      ...(read.warnings.length > 0 ? { warnings: read.warnings } : {}),
      durationMs,
    };
  } catch (error) {
    const attempted = access ?? roleArnFor(account.id, context);
    const reason = abort.signal.aborted
      ? `timed out after ${timeoutMs / 1000} s`
      : access
        ? describeError(error)
        : `could not assume ${attempted}: ${describeError(error)}`;
    return { ...base, access: attempted, outcome: "failed", reason, regions: [], trails: [], durationMs: context.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

function roleArnFor(accountId: string, context: AccountScanContext): string {
  return `arn:${context.partition}:iam::${accountId}:role/${context.settings.roleName}`;
}

/**
 * Organization trails are judged by what their owner, the management account, reads: once
 * per scan, never once per member. Taken from the management account's own scan when it
 * was read; otherwise read with the caller's credentials (the management account itself,
 * or a delegated administrator, which sees them as shadow trails).
 */
async function readOrganizationTrails(
  accounts: AccountRecord[],
  managementAccountId: string,
  context: AccountScanContext,
): Promise<Pick<Inventory, "organizationTrails" | "organizationTrailsError">> {
  const isOwnedOrganizationTrail = (trail: TrailRecord) => trail.isOrganizationTrail && trail.ownerAccountId === managementAccountId;
  const management = accounts.find((account) => account.id === managementAccountId);
  const managementGlobalRead = management?.regions.find((region) => region.region === context.globalEventsRegion);
  if (management?.outcome === "read" && managementGlobalRead?.outcome === "read") {
    return { organizationTrails: management.trails.filter(isOwnedOrganizationTrail) };
  }
  try {
    const read = await readAccountTrails({
      accountId: managementAccountId,
      partition: context.partition,
      globalEventsRegion: context.globalEventsRegion,
      regions: [context.globalEventsRegion],
      transport: context.transport,
    });
    const failed = read.regions.find((region) => region.outcome !== "read");
    if (failed) return { organizationTrails: [], organizationTrailsError: failed.error ?? failed.outcome };
    return { organizationTrails: read.trails.filter(isOwnedOrganizationTrail) };
  } catch (error) {
    return { organizationTrails: [], organizationTrailsError: describeError(error) };
  }
}
