import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { globSync } from "tinyglobby";
import { describe, expect, it } from "vitest";

describe("the test of each source file", () => {
  it("is named after it, or listed in test/README.md with tests that exist", () => {
    const map = new Map(
      [...readFileSync("test/README.md", "utf8").matchAll(/^\| `(src\/[^`]+)` \| (.+) \|$/gm)].map((row) => [
        row[1]!,
        [...row[2]!.matchAll(/`(test\/[^`]+)`/g)].map((match) => match[1]!),
      ]),
    );
    const tests = globSync(["test/*.test.ts"]).map((file) => basename(file));
    const untested: string[] = [];
    // Type declarations carry no behaviour to test.
    for (const source of globSync(["src/**/*.ts", "!src/**/*.d.ts"]).sort()) {
      const name = basename(source, ".ts");
      if (tests.some((test) => test === `${name}.test.ts` || test.startsWith(`${name}.`))) continue;
      const listed = map.get(source) ?? [];
      if (listed.length === 0) untested.push(source);
      for (const test of listed) expect(existsSync(test), `${source} → ${test}`).toBe(true);
    }
    expect(untested).toEqual([]);
  });
});
