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
import { buildSarif, findingFingerprint, type SarifLog } from "../src/reporters/sarif.js";
import { RULE_IDS } from "../src/rules/catalog.js";
import { evaluateInventory } from "../src/rules/evaluate.js";
import { runAction } from "./support/run-node.js";

const require = createRequire(import.meta.url);
const multitoolPackage = require.resolve("@microsoft/sarif-multitool-linux/package.json");
const multitool = join(multitoolPackage, "..", "Sarif.Multitool");
const sarifSchema = JSON.parse(readFileSync(join(multitoolPackage, "..", "sarif-2.1.0.json"), "utf8"));

async function sampleSarif(): Promise<{ inventory: Inventory; findings: Finding[]; log: SarifLog }> {
  const inventory = await loadInventory("examples/sample-inventory.json");
  const { findings } = evaluateInventory(inventory);
  return { inventory, findings, log: buildSarif(inventory, findings).log };
}

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
    if (!existsSync(multitool)) throw new Error(`SARIF multitool missing at ${multitool}: run npm ci (its install script makes it executable)`);
    const { log } = await sampleSarif();
    const dir = mkdtempSync(join(tmpdir(), "ota-sarif-"));
    const input = join(dir, "input.sarif");
    const output = join(dir, "validation.sarif");
    writeFileSync(input, JSON.stringify(log, null, 2));
    const run = spawnSync(multitool, ["validate", "--rule-kind", "Gh;Sarif", "--level", "Error;Warning;Note", "--output", output, input], {
      encoding: "utf8",
      env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: "1" },
    });
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
    const rules = log.runs[0]!.tool.driver.rules as { id: string; properties: Record<string, unknown>; help: { markdown: string } }[];
    expect(rules.map((rule) => rule.id)).toEqual([...RULE_IDS]);
    expect(rules.map((rule) => rule.properties["security-severity"])).toEqual(["8.0", "5.0", "3.0", "2.0", "6.0", "8.0", "2.0"]);
    expect(rules[0]!.help.markdown).toContain("aws cloudtrail update-trail --region HOME --name TRAIL_ARN --is-multi-region-trail");

    const empty = buildSarif({ ...(await loadInventory("examples/sample-inventory.json")), accounts: [] }, []).log;
    expect((empty.runs[0]!.tool.driver.rules as unknown[]).length).toBe(RULE_IDS.length);
    expect(empty.runs[0]!.results).toEqual([]);
  });

  it("gives each result a relative, scheme-less location per account at line 1, ARNs as logical locations, and the account properties", async () => {
    const { log, findings } = await sampleSarif();
    const results = log.runs[0]!.results as any[];
    expect(results).toHaveLength(findings.length);
    for (const [index, result] of results.entries()) {
      const finding = findings[index]!;
      const location = result.locations[0];
      expect(location.physicalLocation.artifactLocation.uri).toBe(`aws/accounts/${finding.accountId}/cloudtrail`);
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

  it("keeps fingerprints stable across runs for the same account, rule and trail, and distinct otherwise", async () => {
    const first = await sampleSarif();
    const second = buildSarif({ ...first.inventory, generatedAt: "2027-01-01T00:00:00.000Z" }, evaluateInventory(first.inventory).findings).log;
    const prints = (log: SarifLog) => (log.runs[0]!.results as any[]).map((result) => result.partialFingerprints.primaryLocationLineHash);
    expect(prints(second)).toEqual(prints(first.log));
    expect(new Set(prints(first.log)).size).toBe(first.findings.length);
    const base = { ruleId: "cloudtrail/global-events-flag-ineffective" as const, accountId: "111111111111" };
    expect(findingFingerprint({ ...base, trailArn: "arn:a" })).not.toBe(findingFingerprint({ ...base, trailArn: "arn:b" }));
  });

  describe("within GitHub's limits for an organization of 10,000 accounts", () => {
    // 10,000 accounts with several findings each: over 25,000 results, far over the 5,000 GitHub stores per run.
    const bigInventory = async (): Promise<{ inventory: Inventory; findings: Finding[] }> => {
      const sample = await loadInventory("examples/sample-inventory.json");
      const template = sample.accounts.find((account) => account.name === "data-platform")!;
      const noted = sample.accounts.find((account) => account.name === "analytics")!;
      const accounts = Array.from({ length: 10_000 }, (_, index) => {
        const id = String(100_000_000_000 + index);
        const source = index % 2 === 0 ? template : noted;
        return {
          ...source,
          id,
          name: `account-${index}`,
          trails: source.trails.map((trail) => ({ ...trail, ownerAccountId: id, arn: trail.arn.replace(source.id, id) })),
        };
      });
      const inventory = { ...sample, accounts };
      const { findings } = evaluateInventory(inventory);
      // Add a second note per account so the total passes 25,000.
      const extra = findings.filter((finding) => finding.level === "note").map((finding) => ({ ...finding, trailArn: `${finding.trailArn}-copy` }));
      return { inventory, findings: [...findings, ...extra, ...extra, ...extra] };
    };

    it("keeps the 5,000 most severe results GitHub stores, and says how many were left out in the run's properties", async () => {
      const { inventory, findings } = await bigInventory();
      expect(findings.length).toBeGreaterThan(25_000);
      const { log, omittedResults } = buildSarif(inventory, findings);
      const results = log.runs[0]!.results as any[];
      expect(results).toHaveLength(5_000);
      expect(omittedResults).toBe(findings.length - 5_000);
      expect(log.runs[0]!.properties).toMatchObject({ omittedResults, totalFindings: findings.length });
      // Most severe first: no kept result is less severe than a left-out one.
      const rank = { error: 3, warning: 2, note: 1 } as const;
      const weakestKept = Math.min(...results.map((result) => rank[result.level as keyof typeof rank]));
      const strongestDropped = Math.max(...findings.slice(5_000).map((finding) => rank[finding.level]));
      expect(weakestKept).toBeGreaterThanOrEqual(strongestDropped);
      // What upload-sarif sends (base64 of the gzip) is within 10 MB.
      expect(Math.ceil(gzipSync(JSON.stringify(log)).length / 3) * 4).toBeLessThanOrEqual(10 * 1024 * 1024);
    });

    it("the action warns on the step, with the exact number left out, when an organization has more than 5,000 findings", async () => {
      const { inventory } = await bigInventory();
      const dir = mkdtempSync(join(tmpdir(), "ota-sarif-"));
      writeFileSync(join(dir, "inventory.json"), JSON.stringify(inventory));
      const total = evaluateInventory(inventory).findings.length;
      expect(total).toBeGreaterThan(5_000);
      const run = await runAction({ "inventory-file": "inventory.json", "fail-on": "none" }, {}, dir);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`::warning title=SARIF results left out::${(total - 5_000).toLocaleString("en-US")} results were left out of the SARIF`);
      expect(run.summary).toContain(`${total - 5_000} least severe results were left out of the SARIF`);
      expect(JSON.parse(readFileSync(join(dir, "org-trail-audit.sarif"), "utf8")).runs[0].results).toHaveLength(5_000);
    });

    it("shrinks to the compressed-size limit when that is the one crossed", async () => {
      const { inventory, findings } = await bigInventory();
      const limit = 200_000;
      const { log, omittedResults } = buildSarif(inventory, findings, { maxGzipBytes: limit });
      expect(Math.ceil(gzipSync(JSON.stringify(log)).length / 3) * 4).toBeLessThanOrEqual(limit);
      expect(omittedResults).toBeGreaterThan(findings.length - 5_000);
      expect((log.runs[0]!.results as any[])[0].level).toBe("error");
    });
  });
});
