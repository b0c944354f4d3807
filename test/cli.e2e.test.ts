import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsEnvironment, awsProfileEnvironment, motoAvailability, startMoto, type MotoServer } from "./support/moto-server.js";
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

    const bad = await runNode(CLI, ["scan", "--regions", "mars-north-1"], {}, dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split("\n")).toEqual([expect.stringContaining('Input "regions" got "mars-north-1"')]);

    const unknown = await runNode(CLI, ["scan", "--colour", "red"], {}, dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--colour");
  });

  it("evaluates the sample inventory (what npm start runs) and exits 1 when findings reach --fail-on", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ota-cli-"));
    const run = await runNode(CLI, ["scan", "--inventory", join(process.cwd(), "examples/sample-inventory.json")], {}, dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("data-platform (222233334444): noncompliant");
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
    const env = awsProfileEnvironment(server.endpoint, dir, "audit");

    const live = await runNode(CLI, ["scan", "--profile", "audit", "--report-file", "report.json", "--sarif-file", "live.sarif"], env, dir);
    expect(live.stderr).not.toContain("failed");
    expect(live.code).toBe(1);
    for (const account of org.accounts.filter((item) => item.expected.length > 0)) {
      expect(live.stdout).toContain(`${account.name} (${account.id})`);
    }
    const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8"));
    const byAccount = (findings: { accountId: string; ruleId: string }[]) =>
      Object.fromEntries(org.accounts.map((account) => [account.name, findings.filter((f) => f.accountId === account.id).map((f) => f.ruleId).sort()]));
    expect(byAccount(report.findings)).toEqual(Object.fromEntries(org.accounts.map((account) => [account.name, [...account.expected].sort()])));

    // Offline, with no AWS at all: the same findings from the saved report.
    const offline = await runNode(CLI, ["scan", "--inventory", "report.json", "--report-file", "offline.json", "--sarif-file", "offline.sarif"], {}, dir);
    expect(offline.code).toBe(1);
    expect(JSON.parse(readFileSync(join(dir, "offline.json"), "utf8")).findings).toEqual(report.findings);
  });

  it.skipIf(spawnSync("script", ["--version"]).status !== 0)("on a terminal, draws a progress bar and colours the report", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ota-cli-"));
    // script(1) runs the CLI on a pseudo-terminal, as a person at a shell would.
    const env = { ...awsEnvironment(server.endpoint), TERM: "xterm" };
    const command = `${process.execPath} ${CLI} scan --fail-on none`;
    const tty = spawnSync("script", ["-qefc", command, "/dev/null"], { cwd: dir, env: { PATH: process.env.PATH ?? "", HOME: dir, ...env }, encoding: "utf8", timeout: 60_000 });
    expect(tty.status, tty.stdout + tty.stderr).toBe(0);
    expect(tty.stdout).toMatch(/Scanning .*\d+\/\d+ accounts \| findings \d+/);
    expect(tty.stdout).toContain("\u001b[31m[error]");
  });

  it("without a profile or keys, says the credentials could not be used", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ota-cli-"));
    const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, ...withoutKeys } = awsEnvironment(server.endpoint);
    const run = await runNode(CLI, ["scan", "--profile", "nobody"], { ...withoutKeys, AWS_CONFIG_FILE: join(dir, "none"), AWS_SHARED_CREDENTIALS_FILE: join(dir, "none") }, dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("The AWS credentials could not be used");
  });
});

describe("the CLI's output formats", () => {
  const sample = join(process.cwd(), "examples/sample-inventory.json");

  it("prints the JSON report with --format json and the SARIF with --format sarif, without colour codes off a terminal", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ota-cli-"));
    const json = await runNode(CLI, ["scan", "--inventory", sample, "--format", "json", "--fail-on", "none"], {}, dir);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).summary.findings).toBe(11);
    const sarif = await runNode(CLI, ["scan", "--inventory", sample, "--format", "sarif", "--fail-on", "none"], {}, dir);
    expect(JSON.parse(sarif.stdout).version).toBe("2.1.0");
    const table = await runNode(CLI, ["scan", "--inventory", sample, "--fail-on", "none"], {}, dir);
    expect(table.stdout).not.toContain("\u001b[");
    const bad = await runNode(CLI, ["scan", "--inventory", sample, "--format", "xml"], {}, dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Flag "--format" got "xml"; it accepts table, json, sarif.');
  });
});
