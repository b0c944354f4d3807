import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../src/configuration-error.js";
import { parseIssueSettings } from "../src/github/issue-settings.js";
import { loadInventory } from "../src/inventory.js";
import { INPUT_DEFAULTS, parseSettings } from "../src/settings.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

describe("parseSettings", () => {
  it("applies the documented defaults when nothing is given", () => {
    expect(parseSettings({})).toEqual({
      roleName: "OrganizationAccountAccessRole",
      roleSessionName: "org-trail-audit",
      roleDurationSeconds: 900,
      accounts: [],
      excludeAccounts: [],
      organizationalUnits: [],
      regions: "enabled",
      concurrency: 32,
      sarifFile: "org-trail-audit.sarif",
      failOn: "error",
      failOnScope: "all",
      allowEmpty: false,
    });
  });

  it("treats empty strings (what an unset action input reads as) like missing inputs", () => {
    const empty = Object.fromEntries(Object.keys(INPUT_DEFAULTS).map((name) => [name, ""]));
    expect(parseSettings(empty)).toEqual(parseSettings({}));
  });

  it("splits lists on commas and new lines, trims and de-duplicates", () => {
    const settings = parseSettings({
      accounts: "111111111111, 222222222222\n333333333333,111111111111\n",
      regions: "us-east-1,\neu-west-1 , eu-west-1",
      "organizational-units": "ou-ab12-abcdefgh\nr-ab12",
    });
    expect(settings.accounts).toEqual(["111111111111", "222222222222", "333333333333"]);
    expect(settings.regions).toEqual(["us-east-1", "eu-west-1"]);
    expect(settings.organizationalUnits).toEqual(["ou-ab12-abcdefgh", "r-ab12"]);
  });

  it("accepts a role behind a path and an external id", () => {
    const settings = parseSettings({ "role-name": "audit/OrgTrailAudit", "external-id": "abc-123" });
    expect(settings.roleName).toBe("audit/OrgTrailAudit");
    expect(settings.externalId).toBe("abc-123");
  });

  it.each([
    ["accounts", "1234567890123", /Input "accounts" got "1234567890123"; it accepts 12-digit AWS account ids/],
    ["exclude-accounts", "12345678901a", /Input "exclude-accounts" got "12345678901a"/],
    ["regions", "us-east-9", /Input "regions" got "us-east-9"; it accepts "enabled" or known AWS Region codes/],
    ["regions", "us-east-1,cn-north-1", /Regions of one partition/],
    [
      "concurrency",
      "0",
      /Input "concurrency" got "0"; it accepts a whole number of accounts to scan at once, from 1 to 256/,
    ],
    ["concurrency", "ten", /Input "concurrency" got "ten"/],
    ["concurrency", "257", /Input "concurrency" got "257"/],
    ["role-name", "Org Access", /Input "role-name" got "Org Access"; it accepts an IAM role name/],
    ["role-session-name", "x", /Input "role-session-name" got "x"/],
    [
      "role-duration-seconds",
      "60",
      /Input "role-duration-seconds" got "60"; it accepts a whole number of seconds from 900 to 3600/,
    ],
    ["organizational-units", "ou-1", /Input "organizational-units" got "ou-1"/],
    ["fail-on", "critical", /Input "fail-on" got "critical"; it accepts none, note, warning, error/],
    ["allow-empty", "maybe", /Input "allow-empty" got "maybe"; it accepts true or false/],
  ] as const)("rejects %s=%s with one message naming the input and what it accepts", (name, value, message) => {
    const attempt = () => parseSettings({ [name]: value });
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(message);
  });

  it.each([
    ["us-east1", "us-east-1"],
    ["eu-wset-1", "eu-west-1"],
    ["EU-WEST-2", "eu-west-2"],
    ["ap-southeast-8", undefined], // equally close to several Regions: no guess
    ["mars-north-1", undefined],
  ])("a mistyped Region %s is answered with the Region meant (%s), when one is clearly meant", (typed, meant) => {
    const attempt = () => parseSettings({ regions: `eu-west-1,${typed}` });
    expect(attempt).toThrow(`Input "regions" got "${typed}"`);
    if (meant) expect(attempt).toThrow(new RegExp(`it accepts .*\\. Did you mean "${meant}"\\?$`));
    else expect(attempt).not.toThrow(/Did you mean/);
  });

  it("never echoes an external id it rejects", () => {
    expect(() => parseSettings({ "external-id": "secret value" })).toThrow(/Input "external-id" got "\(hidden\)"/);
  });
});

describe("loadInventory", () => {
  const dir = mkdtempSync(join(tmpdir(), "ota-inventory-"));

  it("loads the shipped sample, and the inventory inside a JSON report", async () => {
    const inventory = await loadInventory("examples/sample-inventory.json");
    expect(inventory.accounts.length).toBeGreaterThanOrEqual(8);
    const report = join(dir, "report.json");
    writeFileSync(report, JSON.stringify({ summary: {}, inventory }));
    expect(await loadInventory(report)).toEqual(inventory);
  });

  it.each([
    ["missing file", null, /Input "inventory-file" names ".*", which cannot be read \(ENOENT\)/],
    ["not JSON", "{nope", /which is not valid JSON/],
    [
      "wrong shape",
      JSON.stringify({
        schemaVersion: 2,
        partition: "aws",
        globalEventsRegion: "us-east-1",
        organizationTrails: [],
        accounts: [{ id: "12" }],
      }),
      /accounts\[0\]\.id must be a 12-digit account id/,
    ],
    ["another version", JSON.stringify({ schemaVersion: 0 }), /schemaVersion must be 2/],
  ])("rejects a %s with one clear message", async (name, content, message) => {
    const path = join(dir, `${name.replaceAll(" ", "-")}.json`);
    if (content !== null) writeFileSync(path, content);
    await expect(loadInventory(path)).rejects.toThrow(ConfigurationError);
    await expect(loadInventory(path)).rejects.toThrow(message);
  });
});

describe("parseIssueSettings", () => {
  const dir = mkdtempSync(join(tmpdir(), "ota-owners-"));

  it("defaults to no issues, labels cloudtrail and security, owner tag github-owner, 50 writes", async () => {
    expect(await parseIssueSettings({})).toMatchObject({
      createIssues: false,
      labels: ["cloudtrail", "security"],
      ownerTag: "github-owner",
      maxIssueOperations: 50,
      dryRun: false,
    });
  });

  it("reads an owners-file in YAML or JSON, keeping leading zeros of account ids", async () => {
    const yaml = join(dir, "owners.yml");
    writeFileSync(yaml, '012345678901: [alice, "@bob"]\nou-ab12-abcdefgh: carol, dave\n');
    const json = join(dir, "owners.json");
    writeFileSync(json, JSON.stringify({ "012345678901": ["alice"], "r-ab12": "erin" }));
    expect((await parseIssueSettings({ "owners-file": yaml })).ownersByKey).toEqual(
      new Map([
        ["012345678901", ["alice", "bob"]],
        ["ou-ab12-abcdefgh", ["carol", "dave"]],
      ]),
    );
    expect((await parseIssueSettings({ "owners-file": json })).ownersByKey.get("r-ab12")).toEqual(["erin"]);
  });

  it.each([
    [{ "create-issues": "maybe" }, /Input "create-issues" got "maybe"; it accepts true or false/],
    [{ "max-issue-operations": "0" }, /Input "max-issue-operations" got "0"/],
    [{ "default-assignees": "good,bad login" }, /Input "default-assignees" got "bad login"/],
    [{ "create-issues": "true", "github-token": "" }, /Input "github-token" got ""/],
    [
      { "owners-file": "/nonexistent/owners.yml" },
      /Input "owners-file" names "\/nonexistent\/owners.yml", which cannot be read/,
    ],
  ])("rejects %o with one clear message", async (inputs, message) => {
    await expect(parseIssueSettings(inputs)).rejects.toThrow(message);
  });

  it("rejects an owners-file key that is neither an account nor an OU, naming it", async () => {
    const path = join(dir, "bad.yml");
    writeFileSync(path, "payments: alice\n");
    await expect(parseIssueSettings({ "owners-file": path })).rejects.toThrow(
      /has the key "payments"; keys must be 12-digit account ids/,
    );
    // A short number is not padded into some other account's id.
    writeFileSync(path, "12345: alice\n");
    await expect(parseIssueSettings({ "owners-file": path })).rejects.toThrow(
      /has the key "12345"; keys must be 12-digit account ids/,
    );
  });
});

describe("role-name with a path", () => {
  it("accepts the path as IAM writes it, with its leading slash", () => {
    expect(parseSettings({ "role-name": "/org-trail-audit/OrgTrailAuditRole" }).roleName).toBe(
      "org-trail-audit/OrgTrailAuditRole",
    );
    expect(parseSettings({ "role-name": "org-trail-audit/OrgTrailAuditRole" }).roleName).toBe(
      "org-trail-audit/OrgTrailAuditRole",
    );
  });
});
