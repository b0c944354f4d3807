import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import type { Finding } from "../src/findings.js";
import { loadInventory, type Inventory } from "../src/inventory.js";
import { loadInventories } from "../src/inventory-merge.js";
import {
  buildSarif,
  findingFingerprint,
  findingLocationUri,
  parseLocation,
  uploadedSize,
  type SarifLog,
} from "../src/reporters/sarif.js";
import { RULE_IDS } from "../src/rules/catalog.js";
import { evaluateInventory } from "../src/rules/evaluate.js";
import { startFakeGitHub } from "./support/github-api.js";
import { runAction } from "./support/run-action.js";
import { runCliSource } from "./support/run-cli.js";
import { shardsOf } from "./support/shards.js";

const require = createRequire(import.meta.url);
const multitoolPackage = require.resolve("@microsoft/sarif-multitool-linux/package.json");
const multitool = join(multitoolPackage, "..", "Sarif.Multitool");
const sarifSchema = JSON.parse(readFileSync(join(multitoolPackage, "..", "sarif-2.1.0.json"), "utf8"));

async function sampleSarif(): Promise<{ inventory: Inventory; findings: Finding[]; log: SarifLog }> {
  const inventory = await loadInventory("examples/sample-inventory.json");
  const { findings } = evaluateInventory(inventory);
  return { inventory, findings, log: buildSarif(inventory, findings).log };
}

/** Every run's results, in file order. */
const allResults = (log: SarifLog): any[] => log.runs.flatMap((run) => run.results);
const categoryOf = (run: SarifLog["runs"][number]) => run.automationDetails.id.split("/").slice(0, -1).join("/");

function validateWithSchema(log: unknown): string[] {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const validate = ajv.compile(sarifSchema);
  return validate(log) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
}

describe("SARIF 2.1.0", () => {
  it("validates against the SARIF 2.1.0 schema", async () => {
    const { log } = await sampleSarif();
    expect(validateWithSchema(log)).toEqual([]);
    // The validator does reject what the schema forbids.
    const broken = structuredClone(log) as any;
    broken.runs[0].results[0].level = "critical";
    delete broken.runs[0].tool.driver.name;
    expect(validateWithSchema(broken).length).toBeGreaterThan(0);
  });

  it("passes Microsoft's SARIF multitool with GitHub's ingestion rules (Gh) and the SARIF rules, with no error or warning", async () => {
    if (!existsSync(multitool))
      throw new Error(`SARIF multitool missing at ${multitool}: run npm ci (its install script makes it executable)`);
    const { log } = await sampleSarif();
    const dir = mkdtempSync(join(tmpdir(), "ota-sarif-"));
    const input = join(dir, "input.sarif");
    const output = join(dir, "validation.sarif");
    writeFileSync(input, JSON.stringify(log, null, 2));
    const run = spawnSync(
      multitool,
      ["validate", "--rule-kind", "Gh;Sarif", "--level", "Error;Warning;Note", "--output", output, input],
      {
        encoding: "utf8",
        env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: "1" },
      },
    );
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const validation = JSON.parse(readFileSync(output, "utf8"));
    const results: { ruleId: string; level?: string; message: { text?: string } }[] = validation.runs[0].results ?? [];
    // Notes are advice (message ids, snippets, unreachable URIs offline), not ingestion failures.
    const problems = results.filter((result) => result.level === "error" || result.level === "warning");
    expect(problems.map((result) => `${result.ruleId}: ${result.message.text}`)).toEqual([]);
    // It did look at the file: the advice notes are there.
    expect(results.length).toBeGreaterThan(0);
  });

  it("lists every rule, with severity, help and level, even when no result uses it", async () => {
    const { log } = await sampleSarif();
    const rules = log.runs[0]!.tool.driver.rules as {
      id: string;
      properties: Record<string, unknown>;
      help: { markdown: string };
    }[];
    expect(rules.map((rule) => rule.id)).toEqual([...RULE_IDS]);
    expect(rules.map((rule) => rule.properties["security-severity"])).toEqual([
      "8.0",
      "2.0",
      "3.0",
      "2.0",
      "6.0",
      "8.0",
      "2.0",
    ]);
    expect(rules[0]!.help.markdown).toContain(
      "aws cloudtrail update-trail --region HOME --name TRAIL_ARN --is-multi-region-trail",
    );

    const empty = buildSarif({ ...(await loadInventory("examples/sample-inventory.json")), accounts: [] }, []).log;
    expect((empty.runs[0]!.tool.driver.rules as unknown[]).length).toBe(RULE_IDS.length);
    expect(empty.runs[0]!.results).toEqual([]);
    // An empty run for every category, so the alerts of a category with nothing left close.
    expect(empty.runs).toHaveLength(10);
    for (const run of empty.runs) expect(run.tool.driver.rules).toHaveLength(RULE_IDS.length);
  });

  it("gives each result a relative, scheme-less location per account at line 1, ARNs as logical locations, and the account properties", async () => {
    const { log, findings } = await sampleSarif();
    const results = allResults(log);
    expect(results).toHaveLength(findings.length);
    const byFingerprint = new Map(findings.map((finding) => [findingFingerprint(finding), finding]));
    for (const result of results) {
      const finding = byFingerprint.get(result.partialFingerprints.primaryLocationLineHash)!;
      const location = result.locations[0];
      // The location names the account and the trail: what identifies the result across runs.
      expect(location.physicalLocation.artifactLocation.uri).toBe(
        findingLocationUri(finding.accountId, finding.trailArn),
      );
      expect(parseLocation(location.physicalLocation.artifactLocation.uri)).toEqual({
        accountId: finding.accountId,
        ...(finding.trailArn ? { trailArn: finding.trailArn } : {}),
      });
      expect(location.physicalLocation.artifactLocation.uri).not.toMatch(/^[a-z]+:|^\//);
      expect(location.physicalLocation.region.startLine).toBe(1);
      expect(location.logicalLocations.map((item: any) => item.fullyQualifiedName)).toEqual(
        expect.arrayContaining(finding.trails.map((trail) => trail.arn)),
      );
      expect(result.properties.accountId).toBe(finding.accountId);
      expect(result.properties.accountName).toBe(finding.accountName);
      if (finding.trailArn) expect(result.properties.trailArn).toBe(finding.trailArn);
      if (finding.region) expect(result.properties.region).toBe(finding.region);
    }
    expect(log.runs[0]!.automationDetails.id).toMatch(/^org-trail-audit\//);
  });

  it("names a result's trail in its message, so that a later run can rebuild the fingerprint from the alert", async () => {
    const { log, findings } = await sampleSarif();
    const withTrail = findings.filter((finding) => finding.trailArn);
    expect(withTrail.length).toBeGreaterThan(3);
    for (const result of allResults(log)) {
      const line = (result.message.text as string).split("\n").find((text) => text.startsWith("Trail ARN: "));
      expect(line?.slice("Trail ARN: ".length)).toBe(result.properties.trailArn);
    }
  });

  it("writes one run per last digit of the account id, each account's results in its digit's category", async () => {
    const { log, findings } = await sampleSarif();
    expect(log.runs.map(categoryOf)).toEqual(
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((digit) => `org-trail-audit/accounts-ending-${digit}`),
    );
    for (const run of log.runs) {
      const digit = categoryOf(run).slice(-1);
      for (const result of run.results as any[]) expect(result.properties.accountId.slice(-1)).toBe(digit);
    }
    expect(allResults(log)).toHaveLength(findings.length);
    // The sample spreads over several digits: the split is exercised, not one run holding all.
    expect(log.runs.filter((run) => run.results.length > 0).length).toBeGreaterThan(1);
  });

  it("keeps fingerprints stable across runs for the same account, rule and trail, and distinct otherwise", async () => {
    const first = await sampleSarif();
    const second = buildSarif(
      { ...first.inventory, generatedAt: "2027-01-01T00:00:00.000Z" },
      evaluateInventory(first.inventory).findings,
    ).log;
    const prints = (log: SarifLog) =>
      allResults(log).map((result) => result.partialFingerprints.primaryLocationLineHash);
    expect(prints(second)).toEqual(prints(first.log));
    expect(new Set(prints(first.log)).size).toBe(first.findings.length);
    const base = { ruleId: "cloudtrail/global-events-flag-ineffective" as const, accountId: "111111111111" };
    expect(findingFingerprint({ ...base, trailArn: "arn:a" })).not.toBe(
      findingFingerprint({ ...base, trailArn: "arn:b" }),
    );
  });

  describe("within GitHub's limits: 5,000 results stored per run, 10 MB per upload", () => {
    /**
     * `count` accounts with several findings each. `lastDigit` gives every account id the
     * same last digit, piling every result into one category's run.
     */
    const bigInventory = async (
      count: number,
      lastDigit?: number,
    ): Promise<{ inventory: Inventory; findings: Finding[] }> => {
      const sample = await loadInventory("examples/sample-inventory.json");
      const template = sample.accounts.find((account) => account.name === "data-platform")!;
      const noted = sample.accounts.find((account) => account.name === "analytics")!;
      const accounts = Array.from({ length: count }, (_, index) => {
        const id =
          lastDigit === undefined ? String(100_000_000_000 + index) : String(100_000_000_000 + index * 10 + lastDigit);
        const source = index % 2 === 0 ? template : noted;
        return {
          ...source,
          id,
          name: `account-${index}`,
          trails: source.trails.map((trail) => ({
            ...trail,
            ownerAccountId: id,
            arn: trail.arn.replace(source.id, id),
          })),
        };
      });
      const inventory = { ...sample, accounts };
      const { findings } = evaluateInventory(inventory);
      // More notes per account, each a result (and an alert) of its own.
      const notes = findings.filter((finding) => finding.level === "note");
      const extra = [1, 2, 3, 4].flatMap((copy) =>
        notes.map((finding) => ({ ...finding, trailArn: `${finding.trailArn}-copy-${copy}` })),
      );
      return { inventory, findings: [...findings, ...extra] };
    };
    const categoryByFingerprint = (log: SarifLog) =>
      new Map(
        log.runs.flatMap((run) =>
          (run.results as any[]).map(
            (result) => [result.partialFingerprints.primaryLocationLineHash as string, categoryOf(run)] as const,
          ),
        ),
      );

    it("6,000 findings: none lost, no run over 5,000, and each account's category the same at any organization size or shard count", async () => {
      const { inventory, findings } = await bigInventory(2_200);
      expect(findings.length).toBeGreaterThan(6_000);
      const { log, omittedResults } = buildSarif(inventory, findings);
      expect(omittedResults).toBe(0);
      for (const run of log.runs) expect(run.results.length).toBeLessThanOrEqual(5_000);
      // Every finding exactly once, across the runs.
      const prints = allResults(log).map((result) => result.partialFingerprints.primaryLocationLineHash);
      expect(prints).toHaveLength(findings.length);
      expect(new Set(prints).size).toBe(findings.length);
      expect(new Set(prints)).toEqual(new Set(findings.map((finding) => findingFingerprint(finding))));
      // What upload-sarif sends is within 10 MB, and GitHub's 20 runs a file.
      expect(uploadedSize(log)).toBeLessThanOrEqual(10 * 1024 * 1024);
      expect(log.runs.length).toBeLessThanOrEqual(20);

      const categories = categoryByFingerprint(log);
      // A smaller organization (the first 150 accounts): its results keep their categories.
      const small = { ...inventory, accounts: inventory.accounts.slice(0, 150) };
      const smallSarif = buildSarif(small, evaluateInventory(small).findings).log;
      expect(allResults(smallSarif).length).toBeGreaterThan(100);
      for (const [print, category] of categoryByFingerprint(smallSarif)) expect(category).toBe(categories.get(print));
      // The same organization scanned in 2 or in 5 shards and fanned in: the same categories.
      for (const count of [2, 5]) {
        const dir = mkdtempSync(join(tmpdir(), "ota-sarif-shards-"));
        const files = shardsOf(inventory, count).map((shard, index) => {
          writeFileSync(join(dir, `shard-${index}.json`), JSON.stringify(shard));
          return join(dir, `shard-${index}.json`);
        });
        const merged = (await loadInventories(files.join(","))).inventory;
        const fannedIn = buildSarif(merged, evaluateInventory(merged).findings).log;
        const mergedCategories = categoryByFingerprint(fannedIn);
        expect(mergedCategories.size).toBe(evaluateInventory(inventory).findings.length);
        for (const [print, category] of mergedCategories) expect(category).toBe(categories.get(print));
      }
    });

    it("6,000 findings uploaded to code scanning: an open alert for every one, and all still open after the next upload", async () => {
      const { inventory, findings } = await bigInventory(2_200);
      const github = await startFakeGitHub();
      try {
        const { log } = buildSarif(inventory, findings);
        expect(github.uploadSarif(log)).toEqual({ stored: findings.length, dropped: 0 });
        expect(github.alerts.filter((alert) => alert.state === "open")).toHaveLength(findings.length);
        // The same in one run, as before the split: GitHub would keep 5,000 and close the rest.
        const oneRun = { ...log, runs: [{ ...log.runs[0]!, results: allResults(log) }] };
        const single = await startFakeGitHub();
        try {
          expect(single.uploadSarif(oneRun)).toEqual({ stored: 5_000, dropped: findings.length - 5_000 });
        } finally {
          await single.close();
        }
        github.uploadSarif(buildSarif({ ...inventory, generatedAt: "2026-11-28T06:00:00.000Z" }, findings).log);
        expect(github.alerts).toHaveLength(findings.length);
        expect(github.alerts.every((alert) => alert.state === "open")).toBe(true);
      } finally {
        await github.close();
      }
    });

    it("when one category has more than 5,000, keeps its 5,000 most severe and says how many were left out", async () => {
      const { inventory, findings } = await bigInventory(2_200, 7);
      expect(findings.length).toBeGreaterThan(6_000);
      const { log, omittedResults } = buildSarif(inventory, findings);
      const run = log.runs.find((candidate) => categoryOf(candidate) === "org-trail-audit/accounts-ending-7")!;
      const results = run.results as any[];
      expect(results).toHaveLength(5_000);
      expect(allResults(log)).toHaveLength(5_000);
      expect(omittedResults).toBe(findings.length - 5_000);
      expect(run.properties).toMatchObject({ omittedResults, resultsInRun: findings.length });
      // Most severe first: no kept result is less severe than a left-out one.
      const rank = { error: 3, warning: 2, note: 1 } as const;
      const kept = new Set(results.map((result) => result.partialFingerprints.primaryLocationLineHash));
      const weakestKept = Math.min(...results.map((result) => rank[result.level as keyof typeof rank]));
      const strongestDropped = Math.max(
        ...findings.filter((finding) => !kept.has(findingFingerprint(finding))).map((finding) => rank[finding.level]),
      );
      expect(weakestKept).toBeGreaterThanOrEqual(strongestDropped);
    });

    it("the action warns on the step, with the exact number left out, when a category has more than 5,000 findings", async () => {
      const { inventory } = await bigInventory(6_000, 3);
      const dir = mkdtempSync(join(tmpdir(), "ota-sarif-"));
      writeFileSync(join(dir, "inventory.json"), JSON.stringify(inventory));
      const total = evaluateInventory(inventory).findings.length;
      expect(total).toBeGreaterThan(5_000);
      const run = await runAction({ "inventory-file": "inventory.json", "fail-on": "none" }, {}, dir);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(
        `::warning title=SARIF results left out::${(total - 5_000).toLocaleString("en-US")} results were left out of the SARIF`,
      );
      expect(run.summary).toContain(`${total - 5_000} least severe results were left out of the SARIF`);
      const written: SarifLog = JSON.parse(readFileSync(join(dir, "org-trail-audit.sarif"), "utf8"));
      expect(allResults(written)).toHaveLength(5_000);
    });

    it("the CLI says so too, on stderr, with the same number (it dropped them silently)", async () => {
      const { inventory } = await bigInventory(6_000, 3);
      const dir = mkdtempSync(join(tmpdir(), "ota-sarif-"));
      writeFileSync(join(dir, "inventory.json"), JSON.stringify(inventory));
      const total = evaluateInventory(inventory).findings.length;
      const run = await runCliSource(["scan", "--inventory", "inventory.json", "--fail-on", "none"], {}, dir);
      expect(run.code).toBe(0);
      expect(run.stderr).toContain(
        `org-trail-audit: SARIF results left out: ${(total - 5_000).toLocaleString("en-US")} results were left out of the SARIF`,
      );
    });

    it("shrinks to the compressed-size limit when that is the one crossed", async () => {
      const { inventory, findings } = await bigInventory(2_200);
      const limit = 200_000;
      const { log, omittedResults } = buildSarif(inventory, findings, { maxGzipBytes: limit });
      expect(uploadedSize(log)).toBeLessThanOrEqual(limit);
      expect(Math.ceil(gzipSync(JSON.stringify(log)).length / 3) * 4).toBeLessThanOrEqual(limit);
      expect(omittedResults).toBeGreaterThan(0);
      expect(allResults(log).length).toBe(findings.length - omittedResults);
      // Each run still most severe first: what was cut is the tail of the least severe.
      const rank = { error: 3, warning: 2, note: 1 } as const;
      for (const run of log.runs) {
        const ranks = (run.results as any[]).map((result) => rank[result.level as keyof typeof rank]);
        expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
      }
      expect(allResults(log).some((result) => result.level === "error")).toBe(true);
    });
  });
});
