import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { releaseNotes } from "../scripts/release-notes.js";

const CHANGELOG = `# Changelog

## [Unreleased]

## [1.2.0] - 2026-12-01
### Added
- A rule.

## [1.1.0] - 2026-11-01
- Older.

[1.2.0]: https://example.com/compare/v1.1.0...v1.2.0
`;

describe("release notes", () => {
  it("are the tag's CHANGELOG section, nothing before or after", () => {
    expect(releaseNotes("v1.2.0", "1.2.0", CHANGELOG)).toBe("### Added\n- A rule.\n");
    expect(releaseNotes("v1.1.0", "1.1.0", CHANGELOG)).toBe("- Older.\n");
  });

  it.each([
    ["1.2.0", "1.2.0", /is not vX.Y.Z/],
    ["v1.2.0", "1.1.0", /does not match package.json version 1.1.0/],
    ["v1.3.0", "1.3.0", /has no "## \[1.3.0\]" section/],
  ])("refuse tag %s with package %s", (tag, version, message) => {
    expect(() => releaseNotes(tag, version, CHANGELOG)).toThrow(message);
  });

  it("the release workflow runs on vX.Y.Z tags, with the steps the README promises", () => {
    const workflow = parseYaml(readFileSync(".github/workflows/release.yml", "utf8"));
    expect(workflow.on.push.tags).toEqual(["v[0-9]+.[0-9]+.[0-9]+"]);
    expect(workflow.permissions).toEqual({ contents: "write", "id-token": "write" });
    const runs = workflow.jobs.release.steps.map((step: { run?: string }) => step.run ?? "").join("\n");
    expect(runs).toContain("scripts/release-notes.ts");
    expect(runs).toContain("git status --porcelain -- dist");
    expect(runs).toContain("gh release create");
    expect(runs).toContain('git tag --force "$major"');
    expect(runs).toContain("npm publish --provenance");
    const lint = spawnSync(join("node_modules", ".bin", "action-validator"), [".github/workflows/release.yml"], { encoding: "utf8" });
    expect(lint.status, lint.stdout + lint.stderr).toBe(0);
  });
});

describe("the npm package", () => {
  it("installs with nothing but itself (the CLI is bundled) and runs as npx would run it", () => {
    const dir = mkdtempSync(join(tmpdir(), "ota-pack-"));
    const pack = spawnSync("npm", ["pack", "--json", "--pack-destination", dir], { encoding: "utf8" });
    expect(pack.status, pack.stderr).toBe(0);
    const [packed] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    const files = packed!.files.map((file) => file.path);
    expect(files).toEqual(expect.arrayContaining(["dist/cli/index.js", "package.json", "README.md", "LICENSE", "CHANGELOG.md", "deploy/audit-role.yaml"]));
    expect(files.filter((path) => /^(src|test|bench|node_modules)\//.test(path) || path === "dist/index.js")).toEqual([]);
    const manifest = JSON.parse(readFileSync("package.json", "utf8"));
    expect(manifest.private).toBeUndefined();
    expect(manifest.dependencies ?? {}).toEqual({});

    const install = spawnSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--prefix", join(dir, "app"), join(dir, packed!.filename)], { encoding: "utf8" });
    expect(install.status, install.stderr).toBe(0);
    const bin = join(dir, "app", "node_modules", ".bin", "org-trail-audit");
    const version = spawnSync(bin, ["--version"], { encoding: "utf8" });
    expect(version.stdout.trim()).toBe(manifest.version);
    const scan = spawnSync(bin, ["scan", "--inventory", join(process.cwd(), "examples/sample-inventory.json"), "--fail-on", "none", "--sarif-file", join(dir, "out.sarif")], { encoding: "utf8" });
    expect(scan.status, scan.stderr).toBe(0);
    expect(scan.stdout).toContain("evaluated offline");
  });
});
