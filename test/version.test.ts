import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { TOOL_VERSION } from "../src/version.js";

describe("version", () => {
  it("matches package.json, which the bundles cannot read at run time", () => {
    expect(TOOL_VERSION).toBe(JSON.parse(readFileSync("package.json", "utf8")).version);
  });
});
