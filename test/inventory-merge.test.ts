import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ConfigurationError } from "../src/configuration-error.js";
import { loadInventory, type Inventory } from "../src/inventory.js";
import { loadInventories } from "../src/inventory-merge.js";
import { evaluateInventory } from "../src/rules/evaluate.js";
import { shardsOf } from "./support/shards.js";

describe("fan-in: the shards of one scan, evaluated once as one organization", () => {
  let whole: Inventory;
  let dir: string;
  const write = (name: string, inventory: Inventory) => {
    writeFileSync(join(dir, name), JSON.stringify(inventory));
    return join(dir, name);
  };
  beforeAll(async () => {
    whole = await loadInventory("examples/sample-inventory.json");
    dir = mkdtempSync(join(tmpdir(), "ota-fan-in-"));
  });

  it("merges every shard (a glob or a list) into the organization: the same accounts and findings as one scan", async () => {
    const shards = shardsOf(whole, 3);
    expect(shards.every((shard) => shard.accounts.length > 0)).toBe(true);
    for (const [index, shard] of shards.entries()) write(`shard-${index + 1}.json`, shard);
    const { inventory, files } = await loadInventories(join(dir, "shard-*.json"));
    expect(files).toHaveLength(3);
    expect(inventory.shard).toBeUndefined();
    expect(inventory.accounts.map((account) => account.id)).toEqual(
      [...whole.accounts].map((account) => account.id).sort(),
    );
    expect(evaluateInventory(inventory).findings).toEqual(evaluateInventory(whole).findings);
    const listed = await loadInventories([1, 2, 3].map((index) => join(dir, `shard-${index}.json`)).join("\n"));
    expect(listed.inventory.accounts).toEqual(inventory.accounts);
  });

  it("a shard job given the whole inventory evaluates its own slice", async () => {
    const file = write("whole.json", whole);
    const { inventory } = await loadInventories(file, { index: 2, count: 3 });
    expect(inventory.shard).toEqual({ index: 2, count: 3 });
    expect(inventory.accounts.map((account) => account.id)).toEqual(
      shardsOf(whole, 3)[1]!.accounts.map((account) => account.id),
    );
  });

  it.each([
    ["a shard missing", (shards: Inventory[]) => [shards[0]!, shards[2]!], /shard 2\/3 is missing/],
    [
      "a shard twice",
      (shards: Inventory[]) => [shards[0]!, shards[1]!, shards[1]!, shards[2]!],
      /shard 2\/3 is given twice/,
    ],
    [
      "different shard counts",
      (shards: Inventory[]) => [shards[0]!, { ...shards[1]!, shard: { index: 2, count: 4 } }],
      /split the organization differently \(n = 3, 4\)/,
    ],
    [
      "two organizations",
      (shards: Inventory[]) => [
        shards[0]!,
        shards[1]!,
        { ...shards[2]!, organization: { id: "o-other", managementAccountId: "999999999999" } },
      ],
      /different organizations/,
    ],
    [
      "an unsharded file among shards",
      (shards: Inventory[]) => [shards[0]!, { ...shards[1]!, shard: undefined }],
      /is not a shard/,
    ],
    [
      "an account in two shards",
      (shards: Inventory[]) => [
        shards[0]!,
        { ...shards[1]!, accounts: [...shards[1]!.accounts, shards[0]!.accounts[0]!] },
        shards[2]!,
      ],
      /account \d{12} is in both/,
    ],
  ] as [string, (shards: Inventory[]) => Inventory[], RegExp][])(
    "refuses %s with one message naming the input",
    async (name, pick, problem) => {
      const files = pick(shardsOf(whole, 3)).map((inventory, index) =>
        write(`${name.replace(/\W+/g, "-")}-${index}.json`, inventory),
      );
      const attempt = loadInventories(files.join(","));
      await expect(attempt).rejects.toThrow(ConfigurationError);
      await expect(attempt).rejects.toThrow(problem);
      await expect(attempt).rejects.toThrow(
        /^Input "inventory-file" names \d+ files that are not the shards of one scan/,
      );
    },
  );

  it("refuses a pattern that matches nothing", async () => {
    await expect(loadInventories(join(dir, "nothing-*.json"))).rejects.toThrow(
      /has the pattern ".*nothing-\*\.json", which matches no file/,
    );
  });
});
