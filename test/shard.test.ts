import { describe, expect, it } from "vitest";
import { parseSettings } from "../src/settings.js";
import { inShard } from "../src/shard.js";

const ids = Array.from({ length: 10_000 }, (_, index) => String(100_000_000_000 + index * 7919));

describe("shards", () => {
  it.each([2, 3, 7])("n=%i shards cover every account exactly once, in near-equal slices", (count) => {
    const owners = ids.map((id) =>
      Array.from({ length: count }, (_, index) => index + 1).filter((index) => inShard(id, { index, count })),
    );
    expect(owners.every((list) => list.length === 1)).toBe(true);
    const sizes = Array.from({ length: count }, (_, index) => owners.filter((list) => list[0] === index + 1).length);
    for (const size of sizes) expect(Math.abs(size - ids.length / count)).toBeLessThan(ids.length / count / 10);
  });

  it("keeps every account in its shard when accounts are added", () => {
    const before = ids.slice(0, 5_000).map((id) => inShard(id, { index: 2, count: 4 }));
    const after = ids.map((id) => inShard(id, { index: 2, count: 4 })).slice(0, 5_000);
    expect(after).toEqual(before);
  });

  it.each(["0/3", "4/3", "1/0", "a/b", "1-3"])("rejects shard %s naming the input", (shard) => {
    expect(() => parseSettings({ shard })).toThrow(/Input "shard" got .*; it accepts k\/n/);
  });
});
