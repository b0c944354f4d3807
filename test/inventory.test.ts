import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { evaluateAudit } from "../src/audit.js";
import { INVENTORY_SCHEMA_VERSION, loadInventory } from "../src/inventory.js";
import { runCliSource } from "./support/run-cli.js";

/**
 * Saved scans are kept for months (fan-in jobs, offline re-evaluation, baselines): a scan or
 * report written by the previous schema still loads, and one from a newer version says so.
 * The fixtures are the sample inventory and its JSON report as version 1 wrote them, when
 * failures were sentences.
 */
const V1_INVENTORY = join(process.cwd(), "test/fixtures/inventory-v1.json");
const V1_REPORT = join(process.cwd(), "test/fixtures/report-v1.json");
const SAMPLE = join(process.cwd(), "examples/sample-inventory.json");

describe("loading saved scans", () => {
  it("loads a version 1 inventory: its failures become data of unknown kind, shown as they were written", async () => {
    const v1Text = JSON.parse(readFileSync(V1_INVENTORY, "utf8"));
    expect(v1Text.schemaVersion).toBe(1);
    const refusedText = v1Text.accounts.find((account: { outcome: string }) => account.outcome === "failed").reason;
    const loaded = await loadInventory(V1_INVENTORY);
    expect(loaded.schemaVersion).toBe(INVENTORY_SCHEMA_VERSION);
    const refused = loaded.accounts.find((account) => account.outcome === "failed")!;
    expect(refused.failure).toEqual({ kind: "unknown", message: refusedText });
    expect(loaded.accounts.some((account) => "reason" in account)).toBe(false);

    // The same verdicts as today's sample, the not-assessed account's reason word for word.
    const old = evaluateAudit(loaded);
    const current = evaluateAudit(await loadInventory(SAMPLE));
    expect(old.evaluation.verdicts.map((verdict) => [verdict.accountId, verdict.verdict])).toEqual(
      current.evaluation.verdicts.map((verdict) => [verdict.accountId, verdict.verdict]),
    );
    expect(old.evaluation.verdicts.find((verdict) => verdict.accountId === refused.id)!.reason).toBe(refusedText);
    // Today's sample records the same failure as data: the plan knows the role was refused.
    expect(current.plan.notAssessed.map((group) => group.kind)).toEqual(["role-refused"]);
    expect(old.plan.notAssessed.map((group) => group.kind)).toEqual(["other"]);
  });

  it("loads a version 1 JSON report as the scan to evaluate and as the baseline of what changed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ota-v1-"));
    const run = await runCliSource(
      ["scan", "--inventory", V1_REPORT, "--baseline", V1_REPORT, "--format", "json", "--fail-on", "none"],
      {},
      dir,
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    const v1 = JSON.parse(readFileSync(V1_REPORT, "utf8"));
    expect(report.inventory.schemaVersion).toBe(INVENTORY_SCHEMA_VERSION);
    expect(report.findings).toHaveLength(v1.findings.length);
    expect(report.changes).toMatchObject({ known: true, newFindings: 0, resolvedFindings: 0 });
  });

  it("refuses a scan written by a newer version, saying so (not 'not an inventory')", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ota-v1-"));
    const newer = join(dir, "newer.json");
    writeFileSync(newer, JSON.stringify({ ...JSON.parse(readFileSync(SAMPLE, "utf8")), schemaVersion: 99 }));
    await expect(loadInventory(newer)).rejects.toThrow(
      /which was written by a newer version of org-trail-audit \(schemaVersion 99; this one reads 2 and older\): update org-trail-audit\./,
    );
  });
});
