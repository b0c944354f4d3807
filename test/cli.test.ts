import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../src/cli.js";
import { runCliSource } from "./support/run-cli.js";
import { awsEnvironment, motoAvailability, startMoto, type MotoServer } from "./support/moto-server.js";
import { OWN_TRAILS_SCENARIO, seedOrganization } from "./support/seed-org.js";

/**
 * The CLI from its source, in this process (as actions/typescript-action tests main.ts):
 * what it prints and the exit code it returns. The dist/ bundle keeps a few smoke tests in
 * cli.e2e.test.ts.
 */
async function cli(argv: string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = await runCliSource(argv, { ...process.env } as Record<string, string>, cwd ?? process.cwd());
  return { code: run.code ?? -1, stdout: run.stdout, stderr: run.stderr };
}

const savedEnv = { ...process.env };
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
});

const SAMPLE = join(process.cwd(), "examples/sample-inventory.json");

describe("the CLI's flags", () => {
  it("prints the usage on no arguments (exit 2) and with --help (exit 0)", async () => {
    const bare = await cli([]);
    expect(bare.code).toBe(EXIT.configuration);
    expect(bare.stderr).toMatch(/^Usage: org-trail-audit scan \[options\]/);
    const help = await cli(["--help"]);
    expect(help.code).toBe(EXIT.ok);
    expect(help.stdout).toContain("--role-name");
    expect(help.stdout).toContain("4 AWS could not be reached");
  });

  it("suggests the flag a typo meant, in one line", async () => {
    const typo = await cli(["scan", "--regoins", "us-east-1"]);
    expect(typo.code).toBe(EXIT.configuration);
    expect(typo.stderr).toBe(
      'org-trail-audit: Unknown flag "--regoins". Did you mean "--regions"? Run org-trail-audit --help for the flags.\n',
    );
    const bad = await cli(["scan", "--regions", "mars-north-1"]);
    expect(bad.stderr.trim().split("\n")).toEqual([expect.stringContaining('Flag "--regions" got "mars-north-1"')]);
  });

  it("takes yes/no flags alone, negated or with a value, and says the empty selection in flag syntax", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ota-cli-"));
    const sample = JSON.parse(readFileSync(SAMPLE, "utf8"));
    writeFileSync(join(dir, "empty.json"), JSON.stringify({ ...sample, accounts: [] }));
    const empty = await cli(["scan", "--inventory", "empty.json"], dir);
    expect(empty.code).toBe(EXIT.configuration);
    expect(empty.stderr).toContain(
      "check the flags --accounts, --exclude-accounts, --organizational-units, or give --allow-empty if an empty selection is expected",
    );
    for (const flags of [["--allow-empty"], ["--allow-empty", "yes"], ["--allow-empty=true"]]) {
      const allowed = await cli(["scan", "--inventory", "empty.json", ...flags, "--fail-on", "none"], dir);
      expect(allowed.code, `${flags.join(" ")}: ${allowed.stderr}`).toBe(EXIT.ok);
    }
    const negated = await cli(["scan", "--inventory", "empty.json", "--no-allow-empty"], dir);
    expect(negated.code).toBe(EXIT.configuration);
  });

  it("evaluates the sample inventory: exit 1 at --fail-on error, 0 at none", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ota-cli-"));
    const failing = await cli(["scan", "--inventory", SAMPLE], dir);
    expect(failing.code).toBe(EXIT.findings);
    // The sample holds 15 accounts; one is suspended, so skipped.
    expect(failing.stdout).toMatch(/^org-trail-audit: 14 accounts scanned, .* 1 skipped;/);
    const passing = await cli(["scan", "--inventory", SAMPLE, "--fail-on", "none"], dir);
    expect(passing.code).toBe(EXIT.ok);
  });

  it("honours an exceptions file (--exceptions): says what it accepted, and the accepted errors no longer fail", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ota-cli-"));
    const errors = ["121212121212", "222233334444", "333344445555", "444455556666", "777788889999", "888899990000"];
    const expires = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
    writeFileSync(
      join(dir, "exceptions.yml"),
      `exceptions:\n  - accounts: [${errors.map((id) => `"${id}"`).join(", ")}]\n    reason: Being rebuilt\n` +
        `    approved-by: secops-lead\n    expires: "${expires}"\n`,
    );
    const run = await cli(
      ["scan", "--inventory", SAMPLE, "--exceptions", "exceptions.yml", "--report-file", "r.json"],
      dir,
    );
    expect(run.code, run.stderr).toBe(EXIT.ok);
    expect(run.stdout).toContain("Findings: 0 errors,");
    expect(run.stdout).toMatch(/^Accepted exceptions \(exceptions\.yml\): \d+ findings, not counted$/m);
    expect(run.stdout).toContain(
      `  legacy-billing (444455556666) cloudtrail/global-events-not-recorded: Being rebuilt (approved by secops-lead; ` +
        `expires ${expires}), entry 1`,
    );
    const report = JSON.parse(readFileSync(join(dir, "r.json"), "utf8"));
    expect(report.exceptions.active[0].findings).toBeGreaterThanOrEqual(errors.length);

    writeFileSync(join(dir, "bad.yml"), 'exceptions:\n  - accounts: ["444455556666"]\n    expires: "2027-01-01"\n');
    const bad = await cli(["scan", "--inventory", SAMPLE, "--exceptions", "bad.yml"], dir);
    expect(bad.code).toBe(EXIT.configuration);
    expect(bad.stderr).toBe(
      'org-trail-audit: Exceptions file bad.yml: entry 1 (accounts 444455556666), field "reason": required: why the ' +
        "finding is accepted.\n",
    );
  });

  it("refuses an output path where nothing can be created, before anything else", async () => {
    const run = await cli(["scan", "--inventory", SAMPLE, "--report-file", "/proc/x/y.json"]);
    expect(run.code).toBe(EXIT.configuration);
    expect(run.stderr).toMatch(
      /^org-trail-audit: Flag "--report-file" names \/proc\/x\/y\.json, but no file can be created/,
    );
  });
});

describe("the CLI's credentials", () => {
  it("names a profile that does not exist, and the ones that do, before any AWS call", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ota-cli-profile-"));
    writeFileSync(join(dir, "config"), "[profile other]\nregion = us-east-1\n[default]\nregion = us-east-1\n");
    writeFileSync(join(dir, "credentials"), "[ci]\naws_access_key_id = a\naws_secret_access_key = b\n");
    process.env.AWS_CONFIG_FILE = join(dir, "config");
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, "credentials");
    // Nothing listens here: a call would fail differently (exit 4).
    process.env.AWS_ENDPOINT_URL = "http://127.0.0.1:9";
    const run = await cli(["scan", "--profile", "audit", "--role-name", "org-trail-audit/audit"], dir);
    expect(run.code).toBe(EXIT.configuration);
    expect(run.stderr).toBe(
      `org-trail-audit: Flag "--profile" names profile "audit", which neither ${join(dir, "config")} nor ` +
        `${join(dir, "credentials")} defines (profiles there: ci, default, other). Create it with aws configure ` +
        "--profile NAME (or aws configure sso), or give another.\n",
    );
    delete process.env.AWS_CONFIG_FILE;
    process.env.AWS_PROFILE = "audit";
    process.env.AWS_CONFIG_FILE = join(dir, "config");
    const fromEnvironment = await cli(["scan"], dir);
    expect(fromEnvironment.stderr).toMatch(/^org-trail-audit: AWS_PROFILE names profile "audit"/);
  });
});

const moto = motoAvailability();
describe.skipIf(!moto.available)("the CLI against moto, from the source", () => {
  let server: MotoServer;
  beforeAll(async () => {
    server = await startMoto();
    await seedOrganization(server.endpoint, OWN_TRAILS_SCENARIO);
  });
  afterAll(async () => server?.stop());

  it("refuses an account id the organization does not hold, like an unknown OU (exit 2)", async () => {
    Object.assign(process.env, awsEnvironment(server.endpoint));
    const run = await cli(
      ["scan", "--accounts", "999999999999", "--regions", "us-east-1"],
      mkdtempSync(join(tmpdir(), "ota-")),
    );
    expect(run.code).toBe(EXIT.configuration);
    expect(run.stderr).toMatch(
      /^org-trail-audit: Flag "--accounts" names 999999999999, which organization o-\w+ does not hold\. Give 12-digit ids/,
    );
  });

  it("without credentials, says so in CLI terms, not the action's", async () => {
    const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, ...withoutKeys } = awsEnvironment(server.endpoint);
    for (const key of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"])
      delete process.env[key];
    const dir = mkdtempSync(join(tmpdir(), "ota-"));
    Object.assign(process.env, withoutKeys, {
      AWS_CONFIG_FILE: join(dir, "none"),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, "none"),
      AWS_EC2_METADATA_DISABLED: "true",
    });
    const run = await cli(["scan", "--regions", "us-east-1"], dir);
    expect(run.code).toBe(EXIT.configuration);
    expect(run.stderr).toContain("The AWS credentials could not be used");
    expect(run.stderr).toContain("--profile NAME");
    expect(run.stderr).not.toContain("aws-actions/configure-aws-credentials");
  });
});
