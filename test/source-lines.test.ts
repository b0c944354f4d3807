import { readFileSync } from "node:fs";
import { globSync } from "tinyglobby";
import { describe, expect, it } from "vitest";

// Biome formats to 120 columns but never breaks a string: this catches the long literals it leaves.
const MAX_LINE = 160;

describe("source lines", () => {
  it(`stay within ${MAX_LINE} characters in src, test, bench and scripts`, () => {
    const files = globSync(["src/**/*.ts", "test/**/*.ts", "bench/**/*.ts", "scripts/**/*.{ts,mjs}"]);
    expect(files.length).toBeGreaterThan(50);
    const long = files.flatMap((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .flatMap((line, index) => (line.length > MAX_LINE ? [`${file}:${index + 1} (${line.length})`] : [])),
    );
    expect(long).toEqual([]);
  });
});
