import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// The dist/ smoke tests run the committed bundle; this says when it is older than src/.
describe("dist/", () => {
  it("was built from the current src/ and lockfile", () => {
    const current = execFileSync(process.execPath, ["scripts/source-hash.mjs"], { encoding: "utf8" }).trim();
    const built = readFileSync("dist/source-hash.txt", "utf8").trim();
    expect(built, "dist/ is older than src/: run npm run package").toBe(current);
  });
});
