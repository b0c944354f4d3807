import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { ISSUE_INPUT_NAMES } from "../src/github/issue-settings.js";
import { INPUT_NAMES } from "../src/settings.js";
import {
  awsEnvironment,
  awsProfileEnvironment,
  motoAvailability,
  startMoto,
  type MotoServer,
} from "./support/moto-server.js";
import { runCliSource } from "./support/run-cli.js";
import { runNode } from "./support/run-node.js";
import { OWN_TRAILS_SCENARIO, seedOrganization, type SeededOrganization } from "./support/seed-org.js";

const CLI = join(process.cwd(), "dist/cli/index.js");
const moto = motoAvailability();

describe("the CLI without AWS", () => {
  it("prints usage with every option, and exits 2 on bad flags with one line naming the input", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ota-cli-"));
    const help = await runNode(CLI, ["--help"], {}, dir);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--role-name");
    expect(help.stdout).toContain("--profile");

    const bad = await runCliSource(["scan", "--regions", "mars-north-1"], {}, dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split("\n")).toEqual([expect.stringContaining('Flag "--regions" got "mars-north-1"')]);

    const unknown = await runCliSource(["scan", "--colour", "red"], {}, dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--colour");
  });

  it("--help describes every flag with the action's own description and default, and lists the action-only inputs", async () => {
    const help = await runCliSource(["--help"], {}, mkdtempSync(join(tmpdir(), "ota-cli-")));
    const action = parseYaml(readFileSync("action.yml", "utf8")) as {
      inputs: Record<string, { description: string; default?: string }>;
    };
    const text = help.stdout.replace(/\s+/g, " ");
    for (const name of INPUT_NAMES) {
      // The action's words in the CLI's terms: a run, not a step; the CLI syncs no issues.
      const description = action.inputs[name]!.description.replace(/\s+/g, " ")
        .trim()
        .replace(/\bthe step\b/g, "the run")
        .replace(/\bThe step\b/g, "The run")
        .replace(/ and syncs issues only for its own accounts/g, "");
      const yesNo = ["true", "false"].includes(action.inputs[name]!.default ?? "");
      const flag = yesNo ? `--${name}, --no-${name}` : `--${name} <value>`;
      expect(text).toContain(`${flag} ${description} Default: ${action.inputs[name]!.default || "(none)"}.`);
    }
    // The CLI's help speaks of runs, not steps, and of no issue sync.
    expect(text).not.toMatch(/\bthe step\b|syncs issues/i);
    for (const name of ISSUE_INPUT_NAMES) expect(help.stdout).toMatch(new RegExp(`Action only[^]*${name}`));
  });

  it.each([
    [
      ["scan", "--concurrency="],
      'Flag "--concurrency" was given an empty value; give a value or leave the flag out for the default (32).',
    ],
    [
      ["scan", "--regions", " "],
      'Flag "--regions" was given an empty value; give a value or leave the flag out for the default (enabled).',
    ],
    [
      ["scan", "--create-issues", "true"],
      'Flag "--create-issues" is an input of the action only: the CLI writes no GitHub issues. Run the action for remediation issues.',
    ],
    [["scan", "--owners-file=owners.yml"], 'Flag "--owners-file" is an input of the action only'],
  ])("%j: exits 2 with one line, before any AWS call", async (args, message) => {
    const run = await runCliSource(args, {}, mkdtempSync(join(tmpdir(), "ota-cli-")));
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toContain(`org-trail-audit: ${message}`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("stops quietly when its reader goes away (scan | head -1): no EPIPE stack, the usual exit code", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ota-cli-"));
    // Far more output than a pipe buffers (64 KiB), so the writer meets the closed pipe.
    const sample = JSON.parse(readFileSync("examples/sample-inventory.json", "utf8"));
    const base = sample.accounts.find((account: { id: string }) => account.id === "222233334444");
    sample.accounts = Array.from({ length: 1500 }, (_, index) => ({
      ...base,
      id: String(300_000_000_000 + index),
      name: `acct-${index}`,
    }));
    writeFileSync(join(dir, "big.json"), JSON.stringify(sample));
    const piped = spawnSync(
      "bash",
      [
        "-c",
        `set -o pipefail; "${process.execPath}" "${CLI}" scan --inventory big.json --format json --fail-on ` +
          `none 2>stderr.txt | head -1; echo "exit=\${PIPESTATUS[0]}"`,
      ],
      { cwd: dir, encoding: "utf8", timeout: 60_000 },
    );
    expect(piped.stdout).toMatch(/^\{\nexit=0\n$/);
    const stderr = readFileSync(join(dir, "stderr.txt"), "utf8");
    expect(stderr).not.toContain("EPIPE");
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("evaluates the sample inventory (what npm start runs) and exits 1 when findings reach --fail-on", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ota-cli-"));
    const run = await runCliSource(
      ["scan", "--inventory", join(process.cwd(), "examples/sample-inventory.json")],
      {},
      dir,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("data-platform (222233334444): noncompliant");
    // Offline: says so, and that the duration is the saved scan's.
    expect(run.stdout).toMatch(
      new RegExp(
        "^org-trail-audit: 14 accounts scanned, .* 38 Regions read in the saved scan of 2026-11-26T06:00:00\\.000Z " +
          "\\(2\\.3 s\\); evaluated offline from .*sample-inventory\\.json\\.$",
        "m",
      ),
    );
    expect(run.stdout).toContain("Findings: 6 errors, 1 warning, 3 notes.");
    expect(run.stdout).toContain("aws cloudtrail start-logging --region us-west-2");
    expect(readFileSync(join(dir, "org-trail-audit.sarif"), "utf8")).toContain('"version": "2.1.0"');
  });
});

describe.skipIf(!moto.available)("the CLI against moto", () => {
  let server: MotoServer;
  let org: SeededOrganization;

  beforeAll(async () => {
    server = await startMoto();
    org = await seedOrganization(server.endpoint, OWN_TRAILS_SCENARIO);
  });
  afterAll(async () => server?.stop());

  it("scans the org with a named profile, and the saved report re-evaluates offline to the same findings", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ota-cli-"));
    // As a user's shell has it: nothing that silences the AWS SDK's warnings.
    const { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: _silenced, ...env } = awsProfileEnvironment(
      server.endpoint,
      dir,
      "audit",
    );

    const live = await runNode(
      CLI,
      ["scan", "--profile", "audit", "--report-file", "report.json", "--sarif-file", "live.sarif"],
      env,
      dir,
    );
    expect(live.stderr).not.toContain("failed");
    // On Node.js 20, one line of ours in place of the SDK's eight-line warning; none on 22 or later.
    expect(live.stderr).not.toContain("NodeVersionSupportWarning");
    const nodeLines = live.stderr.split("\n").filter((line) => line.includes("Node.js"));
    expect(nodeLines).toHaveLength(Number(process.versions.node.split(".")[0]) < 22 ? 1 : 0);
    expect(live.code).toBe(1);
    for (const account of org.accounts.filter((item) => item.expected.length > 0)) {
      expect(live.stdout).toContain(`${account.name} (${account.id})`);
    }
    const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8"));
    const byAccount = (findings: { accountId: string; ruleId: string }[]) =>
      Object.fromEntries(
        org.accounts.map((account) => [
          account.name,
          findings
            .filter((f) => f.accountId === account.id)
            .map((f) => f.ruleId)
            .sort(),
        ]),
      );
    expect(byAccount(report.findings)).toEqual(
      Object.fromEntries(org.accounts.map((account) => [account.name, [...account.expected].sort()])),
    );

    // Offline, with no AWS at all: the same findings from the saved report.
    const offline = await runCliSource(
      ["scan", "--inventory", "report.json", "--report-file", "offline.json", "--sarif-file", "offline.sarif"],
      {},
      dir,
    );
    expect(offline.code).toBe(1);
    expect(JSON.parse(readFileSync(join(dir, "offline.json"), "utf8")).findings).toEqual(report.findings);
  });

  it.skipIf(spawnSync("script", ["--version"]).status !== 0)(
    "on a terminal, draws a progress bar and colours the report",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "ota-cli-"));
      // script(1) runs the CLI on a pseudo-terminal, as a person at a shell would.
      const env = { ...awsEnvironment(server.endpoint), TERM: "xterm" };
      const command = `${process.execPath} ${CLI} scan --fail-on none`;
      const tty = spawnSync("script", ["-qefc", command, "/dev/null"], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? "", HOME: dir, ...env },
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(tty.status, tty.stdout + tty.stderr).toBe(0);
      expect(tty.stdout).toMatch(/Scanning .*\d+\/\d+ accounts \| findings \d+/);
      expect(tty.stdout).toContain("\u001b[31m[error]");
    },
  );

  it("names a profile that does not exist instead of the SDK's 'could not load credentials'", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ota-cli-"));
    const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, ...withoutKeys } = awsEnvironment(server.endpoint);
    const run = await runCliSource(
      ["scan", "--profile", "nobody"],
      { ...withoutKeys, AWS_CONFIG_FILE: join(dir, "none"), AWS_SHARED_CREDENTIALS_FILE: join(dir, "none") },
      dir,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Flag "--profile" names profile "nobody", which neither');
    expect(run.stderr).not.toContain("Could not load credentials");
  });
});

describe("the CLI's output formats", () => {
  const sample = join(process.cwd(), "examples/sample-inventory.json");

  it("prints the JSON report with --format json and the SARIF with --format sarif, without colour codes off a terminal", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ota-cli-"));
    const json = await runCliSource(["scan", "--inventory", sample, "--format", "json", "--fail-on", "none"], {}, dir);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).summary.findings).toBe(10);
    const sarif = await runCliSource(
      ["scan", "--inventory", sample, "--format", "sarif", "--fail-on", "none"],
      {},
      dir,
    );
    expect(JSON.parse(sarif.stdout).version).toBe("2.1.0");
    const table = await runCliSource(["scan", "--inventory", sample, "--fail-on", "none"], {}, dir);
    expect(table.stdout).not.toContain("\u001b[");
    const bad = await runCliSource(["scan", "--inventory", sample, "--format", "xml"], {}, dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Flag "--format" got "xml"; it accepts text, json, sarif.');
  });

  it("opens with the plan, and with --baseline says what changed and fails only on new findings with --fail-on-scope new", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ota-cli-baseline-"));
    const first = await runCliSource(
      ["scan", "--inventory", sample, "--report-file", "first.json", "--fail-on", "none"],
      {},
      dir,
    );
    const lines = first.stdout.split("\n");
    expect(lines.indexOf("What to do")).toBeGreaterThan(0);
    expect(lines.indexOf("What to do")).toBeLessThan(lines.findIndex((line) => line.endsWith(": noncompliant")));
    expect(first.stdout).toContain(
      "Organization-level fix: one multi-Region organization trail from the management account 111122223333 would cover 5 accounts",
    );
    // The same scan again, against the first report: nothing new, nothing resolved.
    const again = await runCliSource(
      [
        "scan",
        "--inventory",
        sample,
        "--baseline",
        "first.json",
        "--fail-on",
        "error",
        "--fail-on-scope",
        "new",
        "--report-file",
        "second.json",
      ],
      {},
      dir,
    );
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(
      /Since the report first\.json \(2026-11-26T06:00:00\.000Z\): 0 new findings, 0 resolved, 10 still open \(the oldest for 0 days\)\./,
    );
    const second = JSON.parse(readFileSync(join(dir, "second.json"), "utf8"));
    expect(second.changes).toMatchObject({ known: true, newFindings: 0, resolvedFindings: 0, stillOpen: 10 });
    // A baseline that is missing one finding: that one is new, and fails the run.
    const report = JSON.parse(readFileSync(join(dir, "first.json"), "utf8"));
    const dropped = report.findings.shift();
    writeFileSync(join(dir, "older.json"), JSON.stringify(report));
    const newer = await runCliSource(
      ["scan", "--inventory", sample, "--baseline", "older.json", "--fail-on", dropped.level, "--fail-on-scope", "new"],
      {},
      dir,
    );
    expect(newer.code).toBe(1);
    expect(newer.stdout).toContain(`new: ${dropped.accountName} (${dropped.accountId}) ${dropped.ruleId}`);
    // Without a baseline, fail-on-scope new cannot tell: every finding counts, and it says so.
    const blind = await runCliSource(["scan", "--inventory", sample, "--fail-on-scope", "new"], {}, dir);
    expect(blind.code).toBe(1);
    expect(blind.stderr).toContain("--fail-on-scope new needs --baseline");
    const missing = await runCliSource(["scan", "--inventory", sample, "--baseline", "nope.json"], {}, dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Flag "--baseline" names "nope.json", which cannot be read (ENOENT)');
  });
});
