import { glob, isDynamicPattern } from "tinyglobby";
import { ConfigurationError } from "./configuration-error.js";
import { loadInventory, type Inventory } from "./inventory.js";
import { accountsBeneath } from "./organizational-units.js";
import { parseList, type Settings } from "./settings.js";
import { inShard, type Shard } from "./shard.js";

/**
 * inventory-file: one saved inventory or JSON report, or the shards of one sharded scan
 * (several paths, comma or newline separated, or globs) to evaluate once, as one
 * organization: the fan-in job of a job matrix. Shards must come from the same
 * organization, be complete (1 to n of n, each once) and hold disjoint accounts; anything
 * else is refused with one message, since evaluating half an organization as the whole
 * would close the issues and alerts of the missing half.
 */
export async function loadInventories(
  spec: string,
  shard?: Shard,
  selection: Pick<Settings, "accounts" | "excludeAccounts" | "organizationalUnits"> = {
    accounts: [],
    excludeAccounts: [],
    organizationalUnits: [],
  },
): Promise<{ inventory: Inventory; files: string[] }> {
  const files = await expand(spec);
  const loaded = await Promise.all(files.map(async (file) => ({ file, inventory: await loadInventory(file) })));
  const inventory = selectFrom(loaded.length === 1 ? loaded[0]!.inventory : mergeShards(loaded), selection, spec);
  // A shard job given a saved inventory evaluates its own slice, as a scanning shard would.
  if (shard)
    return {
      inventory: { ...inventory, shard, accounts: inventory.accounts.filter((account) => inShard(account.id, shard)) },
      files,
    };
  return { inventory, files };
}

/**
 * The accounts, OUs and exclusions applied to a saved scan as to a live one (the union of the
 * accounts and those beneath the OUs, less the exclusions): an id the scan does not hold is
 * refused, as one the organization does not hold is. OUs are resolved from the OU tree the
 * scan walked; a scan without one (an older version's, or a refused walk) refuses them.
 */
function selectFrom(
  inventory: Inventory,
  selection: Pick<Settings, "accounts" | "excludeAccounts" | "organizationalUnits">,
  spec: string,
): Inventory {
  const { accounts, excludeAccounts, organizationalUnits } = selection;
  if (accounts.length === 0 && excludeAccounts.length === 0 && organizationalUnits.length === 0) return inventory;
  const units = inventory.organizationalUnits;
  if (organizationalUnits.length > 0 && !units)
    throw new ConfigurationError(
      `Input "organizational-units" cannot select from the saved scan (${spec}): it records no OU tree (written by ` +
        'an older version, or its OU walk was refused). Give the OUs\' accounts in "accounts", or scan again.',
    );
  const unknownUnits = organizationalUnits.filter((unit) => !units?.[unit]);
  if (unknownUnits.length > 0)
    throw new ConfigurationError(
      `Input "organizational-units" names ${unknownUnits.join(", ")}, which the saved scan (${spec}) does not hold. ` +
        "Give OU ids (ou-...) or the root id (r-...) it walked, or scan again.",
    );
  const beneath = new Set(
    Object.values(
      accountsBeneath(
        units ?? {},
        inventory.accounts.map((account) => [account.id, account.parentId] as const),
        organizationalUnits,
      ),
    ).flat(),
  );
  const held = new Set(inventory.accounts.map((account) => account.id));
  for (const [input, ids] of [
    ["accounts", accounts],
    ["exclude-accounts", excludeAccounts],
  ] as const) {
    const unknown = ids.filter((id) => !held.has(id));
    if (unknown.length > 0)
      throw new ConfigurationError(
        `Input "${input}" names ${unknown.join(", ")}, which the saved scan (${spec}) does not hold. Give ids of ` +
          "accounts it read, or scan again.",
      );
  }
  const wanted = new Set(accounts);
  const excluded = new Set(excludeAccounts);
  const everything = wanted.size === 0 && organizationalUnits.length === 0;
  return {
    ...inventory,
    accounts: inventory.accounts.filter(
      (account) => (everything || wanted.has(account.id) || beneath.has(account.id)) && !excluded.has(account.id),
    ),
    selection: {
      ...inventory.selection,
      ...(accounts.length > 0 ? { accounts } : {}),
      ...(excludeAccounts.length > 0 ? { excludeAccounts } : {}),
      ...(organizationalUnits.length > 0 ? { organizationalUnits } : {}),
    },
  };
}

async function expand(spec: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of parseList(spec)) {
    if (!isDynamicPattern(entry)) {
      files.push(entry);
      continue;
    }
    const matched = (await glob(entry, { onlyFiles: true, expandDirectories: false })).sort();
    if (matched.length === 0)
      throw new ConfigurationError(`Input "inventory-file" has the pattern "${entry}", which matches no file.`);
    files.push(...matched);
  }
  return [...new Set(files)];
}

function mergeShards(loaded: { file: string; inventory: Inventory }[]): Inventory {
  const refuse = (problem: string) =>
    new ConfigurationError(
      `Input "inventory-file" names ${loaded.length} files that are not the shards of one scan: ` +
        `${problem}. Give every shard's inventory (k/n for k = 1 to n) of one organization, or one file.`,
    );
  const unsharded = loaded.filter((item) => !item.inventory.shard);
  if (unsharded.length > 0)
    throw refuse(
      `${unsharded.map((item) => item.file).join(", ")} ${unsharded.length === 1 ? "is" : "are"} not a shard`,
    );
  const organizations = new Set(loaded.map((item) => item.inventory.organization?.id ?? "(none)"));
  if (organizations.size > 1) throw refuse(`they come from different organizations (${[...organizations].join(", ")})`);
  const partitions = new Set(loaded.map((item) => item.inventory.partition));
  if (partitions.size > 1) throw refuse(`they come from different partitions (${[...partitions].join(", ")})`);
  const counts = new Set(loaded.map((item) => item.inventory.shard!.count));
  if (counts.size > 1) throw refuse(`they split the organization differently (n = ${[...counts].join(", ")})`);
  const count = [...counts][0]!;
  const byIndex = new Map<number, string[]>();
  for (const item of loaded)
    byIndex.set(item.inventory.shard!.index, [...(byIndex.get(item.inventory.shard!.index) ?? []), item.file]);
  const twice = [...byIndex].filter(([, files]) => files.length > 1);
  if (twice.length > 0) throw refuse(`shard ${twice[0]![0]}/${count} is given twice (${twice[0]![1].join(", ")})`);
  const missing = Array.from({ length: count }, (_, index) => index + 1).filter((index) => !byIndex.has(index));
  if (missing.length > 0)
    throw refuse(
      `shard${missing.length === 1 ? "" : "s"} ${missing.map((index) => `${index}/${count}`).join(", ")} ${missing.length === 1 ? "is" : "are"} missing`,
    );
  const owner = new Map<string, string>();
  for (const item of loaded) {
    for (const account of item.inventory.accounts) {
      const other = owner.get(account.id);
      if (other) throw refuse(`account ${account.id} is in both ${other} and ${item.file}`);
      owner.set(account.id, item.file);
    }
  }

  const inventories = loaded.map((item) => item.inventory).sort((a, b) => a.shard!.index - b.shard!.index);
  const first = inventories[0]!;
  const unique = <T extends { arn: string }>(items: T[]) => [
    ...new Map(items.map((item) => [item.arn, item])).values(),
  ];
  // Every shard reads the organization's trails and stores itself: one failure of them is the organization's.
  const trailFailure = inventories.find((inventory) => inventory.organizationTrailsFailure)?.organizationTrailsFailure;
  const storeFailures = inventories.find(
    (inventory) => inventory.organizationEventDataStoresFailures,
  )?.organizationEventDataStoresFailures;
  const stopped = inventories.find((inventory) => inventory.stoppedEarly)?.stoppedEarly;
  // Every shard walks the whole OU tree: one walk that succeeded is the organization's.
  const units = inventories.find((inventory) => inventory.organizationalUnits)?.organizationalUnits;
  const unitsFailure = units
    ? undefined
    : inventories.find((inventory) => inventory.organizationalUnitsFailure)?.organizationalUnitsFailure;
  const stats = inventories.map((inventory) => inventory.apiStats).filter((item) => item !== undefined);
  const {
    shard: _shard,
    organizationTrailsFailure: _trailsFailure,
    stoppedEarly: _stopped,
    organizationEventDataStoresFailures: _storesFailures,
    organizationalUnits: _units,
    organizationalUnitsFailure: _unitsFailure,
    ...rest
  } = first;
  return {
    ...rest,
    generatedAt: inventories.map((inventory) => inventory.generatedAt).sort()[0]!,
    organizationTrails: unique(inventories.flatMap((inventory) => inventory.organizationTrails)),
    ...(trailFailure ? { organizationTrailsFailure: trailFailure } : {}),
    organizationEventDataStores: unique(
      inventories.flatMap((inventory) => inventory.organizationEventDataStores ?? []),
    ),
    ...(storeFailures ? { organizationEventDataStoresFailures: storeFailures } : {}),
    ...(stopped ? { stoppedEarly: stopped } : {}),
    ...(units ? { organizationalUnits: units } : {}),
    ...(unitsFailure ? { organizationalUnitsFailure: unitsFailure } : {}),
    accounts: inventories.flatMap((inventory) => inventory.accounts).sort((a, b) => a.id.localeCompare(b.id)),
    ...(stats.length > 0
      ? {
          apiStats: {
            ...stats[0]!,
            calls: stats.reduce<Record<string, number>>((sum, item) => {
              for (const [operation, calls] of Object.entries(item.calls))
                sum[operation] = (sum[operation] ?? 0) + calls;
              return sum;
            }, {}),
            retries: stats.reduce((sum, item) => sum + item.retries, 0),
            throttles: stats.reduce((sum, item) => sum + item.throttles, 0),
            failures: stats.reduce((sum, item) => sum + item.failures, 0),
          },
        }
      : {}),
    // The shards ran side by side: the fan-in's scan took as long as the slowest.
    durationMs: Math.max(...inventories.map((inventory) => inventory.durationMs)),
  };
}
