import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readMarker } from "../src/github/issue-content.js";
import { startFakeGitHub } from "./support/github-api.js";
import { runAction } from "./support/run-action.js";
import { runCliSource } from "./support/run-cli.js";

const SAMPLE = join(process.cwd(), "examples/sample-inventory.json");
const dir = () => mkdtempSync(join(tmpdir(), "ota-selection-"));

/**
 * Every selection input given with a saved scan (inventory-file) is applied to it (accounts,
 * exclude-accounts, organizational-units from its OU tree, shard) or refused with one input error (regions):
 * never ignored, in the action and the CLI alike (inventory-merge.ts, settings.ts).
 */
describe("selections on a saved scan", () => {
  it("the CLI refuses --regions on a saved scan in one line (it ignored it)", async () => {
    const regions = await runCliSource(["scan", "--inventory", SAMPLE, "--regions", "eu-west-1"], {}, dir());
    expect(regions.code).toBe(2);
    expect(regions.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^org-trail-audit: Flag "--regions" cannot narrow a saved scan/),
    ]);
  });

  it("the CLI selects --organizational-units from the saved scan's OU tree, nested OUs included, and refuses an OU it lacks", async () => {
    const workloads = await runCliSource(
      [
        "scan",
        "--inventory",
        SAMPLE,
        "--organizational-units",
        "ou-ab12-workload",
        "--format",
        "json",
        "--fail-on",
        "none",
      ],
      {},
      dir(),
    );
    expect(workloads.code).toBe(0);
    const saved = JSON.parse(readFileSync(SAMPLE, "utf8"));
    const beneath = saved.accounts
      .filter((account: { parentId: string }) =>
        ["ou-ab12-workload", "ou-ab12-payments", "ou-ab12-dataplat"].includes(account.parentId),
      )
      .map((account: { id: string }) => account.id)
      .sort();
    const verdicts = JSON.parse(workloads.stdout).verdicts as { accountId: string; organizationalUnit: string }[];
    expect(verdicts.map((verdict) => verdict.accountId).sort()).toEqual(beneath);
    expect(beneath.length).toBeGreaterThan(3);
    expect(verdicts.every((verdict) => verdict.organizationalUnit.startsWith("Root/Workloads"))).toBe(true);
    const bogus = await runCliSource(
      ["scan", "--inventory", SAMPLE, "--organizational-units", "ou-zz99-nothere1"],
      {},
      dir(),
    );
    expect(bogus.code).toBe(2);
    expect(bogus.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(
        /Flag "--organizational-units" names ou-zz99-nothere1, which the saved scan .* does not hold/,
      ),
    ]);
    const { organizationalUnits: _tree, ...older } = saved;
    const olderFile = join(dir(), "older.json");
    writeFileSync(olderFile, JSON.stringify(older));
    const withoutTree = await runCliSource(
      ["scan", "--inventory", olderFile, "--organizational-units", "ou-ab12-workload"],
      {},
      dir(),
    );
    expect(withoutTree.code).toBe(2);
    expect(withoutTree.stderr).toMatch(/cannot select from the saved scan .*: it records no OU tree/);
  });

  it("the CLI applies --accounts and --exclude-accounts, and refuses an id the saved scan does not hold", async () => {
    const one = await runCliSource(
      ["scan", "--inventory", SAMPLE, "--accounts", "222233334444", "--format", "json", "--fail-on", "none"],
      {},
      dir(),
    );
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout).verdicts.map((verdict: { accountId: string }) => verdict.accountId)).toEqual([
      "222233334444",
    ]);
    const all = JSON.parse(readFileSync(SAMPLE, "utf8")).accounts.length;
    const less = await runCliSource(
      ["scan", "--inventory", SAMPLE, "--exclude-accounts", "222233334444", "--format", "json", "--fail-on", "none"],
      {},
      dir(),
    );
    expect(JSON.parse(less.stdout).verdicts).toHaveLength(all - 1);
    const unknown = await runCliSource(["scan", "--inventory", SAMPLE, "--accounts", "999999999999"], {}, dir());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Flag "--accounts" names 999999999999, which the saved scan .* does not hold/);
  });

  it("the action with accounts on a saved scan opens the issue of that account only, and leaves the organization issue alone", async () => {
    const github = await startFakeGitHub();
    try {
      const run = await runAction(
        {
          "inventory-file": SAMPLE,
          accounts: "222233334444",
          "create-issues": "true",
          "github-token": "t",
          "fail-on": "none",
        },
        { GITHUB_API_URL: github.url, GITHUB_REPOSITORY: "acme/platform" },
      );
      expect(run.code, run.stdout).toBe(0);
      expect(run.outputs["accounts-scanned"]).toBe("1");
      expect(github.issues.map((issue) => readMarker(issue.body)?.key)).toEqual(["account:222233334444"]);
    } finally {
      await github.close();
    }
  });
});
