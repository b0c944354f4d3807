import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
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
    const lint = spawnSync(join("node_modules", ".bin", "action-validator"), [".github/workflows/release.yml"], {
      encoding: "utf8",
    });
    expect(lint.status, lint.stdout + lint.stderr).toBe(0);
    // npm first: a release never announces a package that is not there.
    expect(runs.indexOf("npm publish")).toBeLessThan(runs.indexOf("gh release create"));
  });

  /**
   * Each step of the workflow, run as Actions runs it (bash -eo pipefail) with npm, gh and git
   * replaced by stubs that log their calls, in a state where the step's work is done already
   * and in one where it is not: a re-run after any failure skips what exists.
   */
  describe("every step can run again", () => {
    const steps = parseYaml(readFileSync(".github/workflows/release.yml", "utf8")).jobs.release.steps as {
      name?: string;
      run?: string;
    }[];
    const step = (name: RegExp) => steps.find((candidate) => candidate.name && name.test(candidate.name))!.run!;
    const runStep = (script: string, done: boolean) => {
      const bin = mkdtempSync(join(tmpdir(), "ota-release-stubs-"));
      const log = join(bin, "calls.log");
      const stub = (name: string, succeedsWhen: string) =>
        writeFileSync(
          join(bin, name),
          `#!/bin/sh\necho "${name} $*" >> "${log}"\ncase "$*" in ${succeedsWhen}) exit ${done ? 0 : 1};; esac\nexit 0\n`,
          { mode: 0o755 },
        );
      stub("npm", "view*");
      stub("gh", "release\\ view*");
      stub("git", "nothing");
      const run = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], {
        encoding: "utf8",
        env: { PATH: `${bin}:${process.env.PATH}`, GITHUB_REF_NAME: "v1.2.3", RUNNER_TEMP: bin },
      });
      expect(run.status, run.stderr).toBe(0);
      return existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : [];
    };

    it("publishes to npm only when the version is not there yet", () => {
      const script = step(/^Publish the CLI/);
      expect(runStep(script, false)).toEqual([
        expect.stringMatching(/^npm view org-trail-audit@\d+\.\d+\.\d+ version$/),
        "npm publish --provenance --access public",
      ]);
      expect(runStep(script, true)).toEqual([expect.stringMatching(/^npm view /)]);
    });

    it("creates the GitHub release only when it does not exist", () => {
      const script = step(/^GitHub release/);
      expect(runStep(script, false)).toEqual([
        "gh release view v1.2.3",
        expect.stringMatching(/^gh release create v1\.2\.3 .*--verify-tag$/),
      ]);
      expect(runStep(script, true)).toEqual(["gh release view v1.2.3"]);
    });

    it("moves the major tag the same way however often it runs", () => {
      const script = step(/^Move the major tag/);
      const calls = ["git tag --force v1 v1.2.3", "git push --force origin refs/tags/v1"];
      expect(runStep(script, false)).toEqual(calls);
      expect(runStep(script, true)).toEqual(calls);
    });
  });
});

describe("the npm package", () => {
  it("installs with nothing but itself (the CLI is bundled) and runs as npx would run it", () => {
    const dir = mkdtempSync(join(tmpdir(), "ota-pack-"));
    const pack = spawnSync("npm", ["pack", "--json", "--pack-destination", dir], { encoding: "utf8" });
    expect(pack.status, pack.stderr).toBe(0);
    const [packed] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    const files = packed!.files.map((file) => file.path);
    expect(files).toEqual(
      expect.arrayContaining([
        "dist/cli/index.js",
        "dist/cli/licenses.txt",
        "package.json",
        "README.md",
        "LICENSE",
        "CHANGELOG.md",
        "deploy/audit-role.yaml",
        "deploy/organization-trail.yaml",
      ]),
    );
    expect(files.filter((path) => /^(src|test|bench|node_modules)\//.test(path) || path === "dist/index.js")).toEqual(
      [],
    );
    const manifest = JSON.parse(readFileSync("package.json", "utf8"));
    expect(manifest.private).toBeUndefined();
    expect(manifest.dependencies ?? {}).toEqual({});

    const install = spawnSync(
      "npm",
      ["install", "--offline", "--no-audit", "--no-fund", "--prefix", join(dir, "app"), join(dir, packed!.filename)],
      { encoding: "utf8" },
    );
    expect(install.status, install.stderr).toBe(0);
    const bin = join(dir, "app", "node_modules", ".bin", "org-trail-audit");
    const version = spawnSync(bin, ["--version"], { encoding: "utf8" });
    expect(version.stdout.trim()).toBe(manifest.version);
    // The licences of what the bundle holds travel with it: each bundled package by name, with its licence text.
    const licences = readFileSync(
      join(dir, "app", "node_modules", "org-trail-audit", "dist", "cli", "licenses.txt"),
      "utf8",
    );
    for (const bundled of [
      "@aws-sdk/client-cloudtrail",
      "@aws-sdk/client-organizations",
      "@aws-sdk/client-sts",
      "@smithy/core",
      "cli-progress",
      "picocolors",
      "p-limit",
      "yaml",
    ]) {
      expect(licences, bundled).toMatch(new RegExp(`^${bundled.replace("/", "\\/")}\\n`, "m"));
    }
    expect(licences).toContain("Apache License");
    const scan = spawnSync(
      bin,
      [
        "scan",
        "--inventory",
        join(process.cwd(), "examples/sample-inventory.json"),
        "--fail-on",
        "none",
        "--sarif-file",
        join(dir, "out.sarif"),
      ],
      { encoding: "utf8" },
    );
    expect(scan.status, scan.stderr).toBe(0);
    expect(scan.stdout).toContain("evaluated offline");
  });
});
