import type { Inventory } from "../../src/inventory.js";
import { inShard } from "../../src/shard.js";

/** An organization's inventory cut into n shards, as n scanning jobs would save them. */
export function shardsOf(whole: Inventory, count: number): Inventory[] {
  return Array.from({ length: count }, (_, index) => {
    const shard = { index: index + 1, count };
    return { ...whole, shard, accounts: whole.accounts.filter((account) => inShard(account.id, shard)) };
  });
}
