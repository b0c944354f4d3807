/**
 * The organization's tree of roots and OUs, as a scan walked it (Inventory.organizationalUnits):
 * where an account sits, as a path a security lead triages by (Root/Workloads/Payments), and
 * which accounts lie beneath an OU. Pure; a saved inventory is outside text, so a cycle in it
 * ends the walk instead of looping.
 */
export type UnitTree = Record<string, { name: string; parentId?: string }>;

/** The ids from `parentId` up to its root, nearest first. */
export function ancestorsOf(units: UnitTree, parentId: string | undefined): string[] {
  const chain: string[] = [];
  for (let unit = parentId; unit !== undefined && units[unit] && !chain.includes(unit); unit = units[unit]!.parentId)
    chain.push(unit);
  return chain;
}

/** "Root/Workloads/Payments": the names from the root down to the account's parent; undefined when unknown. */
export function unitPath(units: UnitTree | undefined, parentId: string | undefined): string | undefined {
  if (!units || parentId === undefined || !units[parentId]) return undefined;
  return ancestorsOf(units, parentId)
    .reverse()
    .map((unit) => units[unit]!.name)
    .join("/");
}

/** The accounts beneath each root or OU named (nested OUs included); an id the tree does not hold is left out. */
export function accountsBeneath(
  units: UnitTree,
  parents: Iterable<readonly [accountId: string, parentId: string | undefined]>,
  named: readonly string[],
): Record<string, string[]> {
  const beneath: Record<string, string[]> = {};
  for (const unit of named) if (units[unit]) beneath[unit] = [];
  for (const [account, parentId] of parents) {
    for (const unit of ancestorsOf(units, parentId)) beneath[unit]?.push(account);
  }
  for (const ids of Object.values(beneath)) ids.sort();
  return beneath;
}
