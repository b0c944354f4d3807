import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateOrganizationalUnitCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { RULE_IDS, RULES } from "../src/rules/catalog.js";
import { inShard } from "../src/shard.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startAwsProxy, type AwsProxy } from "./support/aws-proxy.js";
import { awsEnvironment, motoAvailability, startMoto, type MotoServer } from "./support/moto-server.js";
import { startFakeGitHub } from "./support/github-api.js";
import { runAction } from "./support/run-action.js";
import { runActionBundle } from "./support/run-node.js";
import {
  ORGANIZATION_TRAIL_SCENARIO,
  OWN_TRAILS_SCENARIO,
  seedOrganization,
  type SeededOrganization,
} from "./support/seed-org.js";

const moto = motoAvailability();

/** The rule ids the SARIF gives each seeded account, by account name. */
function sarifRulesByAccount(sarifPath: string, org: SeededOrganization): Record<string, string[]> {
  const log = JSON.parse(readFileSync(sarifPath, "utf8"));
  const results: { ruleId: string; properties: { accountId: string } }[] = log.runs.flatMap(
    (run: { results: unknown[] }) => run.results,
  );
  return Object.fromEntries(
    org.accounts.map((account) => [
      account.name,
      results
        .filter((result) => result.properties.accountId === account.id)
        .map((result) => result.ruleId)
        .sort(),
    ]),
  );
}
const expectedRules = (org: SeededOrganization) =>
  Object.fromEntries(org.accounts.map((account) => [account.name, [...account.expected].sort()]));

describe.skipIf(!moto.available)("the action, run as GitHub runs it (node dist/index.js) against moto", () => {
  let server: MotoServer;
  let proxy: AwsProxy;
  let env: Record<string, string>;

  beforeAll(async () => {
    server = await startMoto();
    proxy = await startAwsProxy(server.endpoint);
    env = awsEnvironment(proxy.endpoint);
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
  });
  beforeEach(async () => {
    await server.reset();
    proxy.calls.length = 0;
    proxy.faults.length = 0;
  });

  it("gives every account of an org without an organization trail exactly its rule ids, and fails the step on errors", async () => {
    const org = await seedOrganization(server.endpoint, OWN_TRAILS_SCENARIO);
    const run = await runActionBundle({ "report-file": "report.json" }, env);

    expect(sarifRulesByAccount(join(run.workspace, "org-trail-audit.sarif"), org)).toEqual(expectedRules(org));
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error::\d+ findings at or above fail-on "error"/);
    const active = org.accounts.filter((account) => !account.suspended).length;
    // Notes never make an account non-compliant; in this org the flag finding is a warning (nothing else covers).
    const noncompliant = org.accounts.filter((account) =>
      account.expected.some((rule) => RULES[rule].defaultLevel !== "note"),
    ).length;
    expect(run.outputs).toMatchObject({
      "sarif-file": "org-trail-audit.sarif",
      "report-file": "report.json",
      "accounts-scanned": String(active),
      "noncompliant-accounts": String(noncompliant),
      "not-assessed-accounts": "0",
      findings: String(org.accounts.reduce((sum, account) => sum + account.expected.length, 0)),
    });
    const report = JSON.parse(readFileSync(join(run.workspace, "report.json"), "utf8"));
    expect(report.inventory.accounts).toHaveLength(org.accounts.length);
    expect(report.summary.skipped).toBe(1);
  });

  it("raises no false alarm for members covered by the organization trail", async () => {
    const org = await seedOrganization(server.endpoint, ORGANIZATION_TRAIL_SCENARIO);
    const run = await runAction({ "fail-on": "error" }, env);

    expect(sarifRulesByAccount(join(run.workspace, "org-trail-audit.sarif"), org)).toEqual(expectedRules(org));
    // Only a warning (the ineffective flag) and a note remain: nothing at error level.
    expect(run.code).toBe(0);
    expect(run.outputs["not-assessed-accounts"]).toBe("0");
  });

  it("fails the step at the fail-on threshold it is given", async () => {
    await seedOrganization(server.endpoint, ORGANIZATION_TRAIL_SCENARIO);
    // Covered by the organization trail: only notes (a duplicate, a harmless flag), no warning.
    const note = await runAction({ "fail-on": "note" }, env);
    expect(note.code).toBe(1);
    expect(note.stdout).toContain('findings at or above fail-on "note"');
    const warning = await runAction({ "fail-on": "warning" }, env);
    expect(warning.code).toBe(0);
    const none = await runAction({ "fail-on": "none" }, env);
    expect(none.code).toBe(0);
  });

  it("scans only the accounts asked for, and refuses an id the organization does not hold before reading any", async () => {
    const org = await seedOrganization(server.endpoint, OWN_TRAILS_SCENARIO);
    const asked = [org.byKey("stopped").id, org.byKey("no-trail").id];
    const run = await runAction({ accounts: `${asked[0]}\n${asked[1]}`, "fail-on": "none" }, env);
    const log = JSON.parse(readFileSync(join(run.workspace, "org-trail-audit.sarif"), "utf8"));
    const results = log.runs.flatMap((sarifRun: any) => sarifRun.results);
    expect(new Set(results.map((result: any) => result.properties.accountId))).toEqual(new Set(asked));
    expect(proxy.count("AssumeRole")).toBe(2);

    const stray = "999999999999";
    proxy.calls.length = 0;
    const refused = await runAction({ accounts: `${asked[0]},${stray}`, "fail-on": "none" }, env);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(
      new RegExp(
        `::error::Input "accounts" names ${stray}, which organization o-\\w+ does not hold\\. Give 12-digit ids`,
      ),
    );
    expect(proxy.count("AssumeRole")).toBe(0);
  });

  it("fails a selection that holds no account, naming the selection inputs, unless allow-empty is true", async () => {
    const org = await seedOrganization(server.endpoint, OWN_TRAILS_SCENARIO);
    const organizations = new OrganizationsClient({
      region: "us-east-1",
      endpoint: server.endpoint,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    const { OrganizationalUnit: empty } = await organizations.send(
      new CreateOrganizationalUnitCommand({ ParentId: org.rootId, Name: "empty" }),
    );
    organizations.destroy();
    const run = await runAction({ "organizational-units": empty!.Id!, "fail-on": "none" }, env);
    expect(run.code).toBe(1);
    expect(run.stdout.split("\n").filter((line) => line.startsWith("::error::"))).toEqual([
      `::error::The selection holds no account (organizational-units: ${empty!.Id!}): check the inputs ` +
        '"accounts", "exclude-accounts", "organizational-units", or set "allow-empty: true" if an empty ' +
        "selection is expected.",
    ]);
    expect(run.outputs["sarif-file"]).toBeUndefined();

    const excludedAll = await runAction(
      { "exclude-accounts": org.accounts.map((account) => account.id).join(","), "fail-on": "none" },
      env,
    );
    expect(excludedAll.code).toBe(1);
    expect(excludedAll.stdout).toContain(
      `::error::The selection holds no account (exclude-accounts: ${org.accounts.length} ids)`,
    );

    const allowed = await runAction(
      { "organizational-units": empty!.Id!, "allow-empty": "true", "fail-on": "none" },
      env,
    );
    expect(allowed.code).toBe(0);
    expect(allowed.outputs["accounts-scanned"]).toBe("0");
    // A shard whose slice of a non-empty selection is empty is no typo: it passes, scanning nothing.
    const one = org.byKey("no-trail").id;
    const elsewhere = [1, 2, 3].find((index) => !inShard(one, { index, count: 3 }))!;
    const emptySlice = await runAction({ accounts: one, shard: `${elsewhere}/3`, "fail-on": "none" }, env);
    expect(emptySlice.code, emptySlice.stdout).toBe(0);
    expect(emptySlice.outputs["accounts-scanned"]).toBe("0");
  });

  it.each([
    [{ accounts: "1234567890123" }, 'Input "accounts" got "1234567890123"'],
    [{ regions: "us-east-9" }, 'Input "regions" got "us-east-9"'],
    [{ concurrency: "0" }, 'Input "concurrency" got "0"'],
    [{ "role-name": "Org Access" }, 'Input "role-name" got "Org Access"'],
    [{ "inventory-file": "missing.json" }, 'Input "inventory-file" names "missing.json", which cannot be read'],
  ])("stops on bad input %o with one clear message, before any AWS call", async (inputs, message) => {
    const run = await runAction(inputs, env);
    expect(run.code).toBe(1);
    const errors = run.stdout.split("\n").filter((line) => line.startsWith("::error::"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(message);
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /);
    expect(proxy.calls).toHaveLength(0);
  });

  it("evaluates a saved inventory without calling AWS", async () => {
    const run = await runAction(
      { "inventory-file": join(process.cwd(), "examples/sample-inventory.json"), "fail-on": "none" },
      env,
    );
    expect(run.code).toBe(0);
    expect(proxy.calls).toHaveLength(0);
    const log = JSON.parse(readFileSync(join(run.workspace, "org-trail-audit.sarif"), "utf8"));
    // The sample shows every rule.
    expect(
      new Set(log.runs.flatMap((sarifRun: any) => sarifRun.results).map((result: any) => result.ruleId)).size,
    ).toBe(RULE_IDS.length);
  });

  it("explains plainly when Organizations refuses to list the accounts", async () => {
    // No organization was created: Organizations answers AWSOrganizationsNotInUseException.
    const run = await runAction({}, env);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /::error::AWS Organizations refused to list the accounts \(AWSOrganizationsNotInUseException/,
    );
  });
});

describe.skipIf(!moto.available)("sharding across a job matrix", () => {
  let server: MotoServer;
  beforeAll(async () => {
    server = await startMoto();
  });
  afterAll(async () => server?.stop());

  it("three shards scan every account exactly once, each under its own SARIF categories", async () => {
    const org = await seedOrganization(server.endpoint, OWN_TRAILS_SCENARIO);
    const env = awsEnvironment(server.endpoint);
    const scanned: string[] = [];
    const categories = new Set<string>();
    for (const shard of ["1/3", "2/3", "3/3"]) {
      const run = await runActionBundle({ shard, "report-file": "report.json", "fail-on": "none" }, env);
      expect(run.code).toBe(0);
      const report = JSON.parse(readFileSync(join(run.workspace, "report.json"), "utf8"));
      scanned.push(...report.inventory.accounts.map((account: { id: string }) => account.id));
      const log = JSON.parse(readFileSync(join(run.workspace, "org-trail-audit.sarif"), "utf8"));
      for (const sarifRun of log.runs) categories.add(sarifRun.automationDetails.id.split("/").slice(0, -1).join("/"));
    }
    expect(scanned.sort()).toEqual(org.accounts.map((account) => account.id).sort());
    // Ten per shard, none shared: one shard's upload cannot close another's alerts.
    expect(categories.size).toBe(30);
    for (const index of [1, 2, 3])
      for (const digit of "0123456789")
        expect(categories).toContain(`org-trail-audit/shard-${index}-of-3/accounts-ending-${digit}`);
  });

  it("three shards + one fan-in job: one SARIF under the unsharded categories, each account once, issues synced once", async () => {
    await server.reset();
    const org = await seedOrganization(server.endpoint, OWN_TRAILS_SCENARIO);
    const github = await startFakeGitHub();
    try {
      const workspace = mkdtempSync(join(tmpdir(), "ota-fan-in-"));
      const env = awsEnvironment(server.endpoint);
      // The matrix: each shard saves its inventory (the README's example uploads it as an artifact).
      // As in the example: the runner passes the default github-token, and the job has no security-events permission.
      github.alertsAnswer = { status: 403, message: "Resource not accessible by integration" };
      for (const index of [1, 2, 3]) {
        const run = await runAction(
          {
            shard: `${index}/3`,
            "report-file": `inventories/shard-${index}.json`,
            "sarif-file": `shard-${index}.sarif`,
            "fail-on": "none",
            "github-token": "ghs_test",
          },
          { ...env, GITHUB_API_URL: github.url, GITHUB_REPOSITORY: "acme/platform" },
          workspace,
        );
        expect(run.code, run.stdout).toBe(0);
        // A shard neither reads the alerts nor warns about them: that is the uploading job's.
        expect(run.stdout).not.toContain("Open alerts may close");
      }
      expect(github.requests.filter((request) => request.operationId === "code-scanning/list-alerts-for-repo")).toEqual(
        [],
      );
      github.alertsAnswer = undefined;
      // The fan-in: every shard's inventory, evaluated once, with no AWS but for owner tags.
      const fanIn = await runAction(
        {
          "inventory-file": "inventories/*.json",
          "create-issues": "true",
          "github-token": "ghs_test",
          "fail-on": "none",
        },
        { GITHUB_API_URL: github.url, GITHUB_REPOSITORY: "acme/platform" },
        workspace,
      );
      expect(fanIn.code, fanIn.stdout).toBe(0);
      const log = JSON.parse(readFileSync(join(workspace, "org-trail-audit.sarif"), "utf8"));
      // The categories of an unsharded scan, one per last digit of the account id.
      expect(log.runs.map((sarifRun: any) => sarifRun.automationDetails.id.split("/").slice(0, -1).join("/"))).toEqual(
        [..."0123456789"].map((digit) => `org-trail-audit/accounts-ending-${digit}`),
      );
      for (const sarifRun of log.runs) expect(sarifRun.properties.accountsInInventory).toBe(org.accounts.length);
      // Code scanning takes the file: within 20 runs, no category twice.
      expect(github.uploadSarif(log)).toMatchObject({ dropped: 0 });
      expect(sarifRulesByAccount(join(workspace, "org-trail-audit.sarif"), org)).toEqual(expectedRules(org));
      // One issue per account needing work (an error or warning), each opened exactly once.
      const needing = org.accounts.filter((account) =>
        account.expected.some((rule) => RULES[rule as keyof typeof RULES].defaultLevel !== "note"),
      );
      const issueAccounts = github.issues.flatMap((issue) => /account=(\d{12})/.exec(issue.body)?.[1] ?? []).sort();
      expect(issueAccounts).toEqual(needing.map((account) => account.id).sort());
      // And one for the organization-level fix (no organization trail here), from the fan-in only.
      expect(github.issues.filter((issue) => issue.body.includes("org-trail-audit:organization="))).toHaveLength(1);
      expect(fanIn.outputs["issues-opened"]).toBe(String(needing.length + 1));
    } finally {
      await github.close();
    }
  });
});
