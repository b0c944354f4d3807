import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { evaluateAudit } from "../src/audit.js";
import type { Inventory } from "../src/inventory.js";
import { writeOutputs, type Output, type OutputContext } from "../src/outputs/output.js";
import { jsonReportFile, sarifFile } from "../src/outputs/report-files.js";
import { parseSettings } from "../src/settings.js";
import { runCliSource } from "./support/run-cli.js";

const SAMPLE = join(process.cwd(), "examples/sample-inventory.json");
const result = evaluateAudit(JSON.parse(readFileSync(SAMPLE, "utf8")) as Inventory);

function contextFor(inputs: Record<string, string>): OutputContext {
  return {
    settings: parseSettings(inputs),
    carried: [],
    history: { ages: new Map(), missing: [] },
    warn: () => {},
    failures: [],
    record: {},
  };
}

/** The one seam every output of the action and the CLI goes through (src/outputs/output.ts). */
describe("writeOutputs", () => {
  it("writes the enabled outputs in order; one that fails is recorded by name and the rest still write", async () => {
    const written: string[] = [];
    const output = (name: string, fails = false, enabled = true): Output => ({
      name,
      enabled: () => enabled,
      async write(_result, context) {
        written.push(name);
        if (fails) throw new Error(`${name} broke`);
        context.record.reportFile = name;
      },
    });
    const context = contextFor({});
    await writeOutputs([output("a"), output("b", true), output("c", false, false), output("d")], result, context);
    expect(written).toEqual(["a", "b", "d"]);
    expect(context.failures.map((failure) => [failure.output, (failure.error as Error).message])).toEqual([
      ["b", "b broke"],
    ]);
    expect(context.record.reportFile).toBe("d");
  });

  it("a report that cannot be written names the file and the error code; the SARIF is still written", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ota-output-"));
    const context = contextFor({ "sarif-file": join(dir, "audit.sarif"), "report-file": "/dev/full" });
    await writeOutputs([jsonReportFile, sarifFile], result, context);
    expect(context.failures).toHaveLength(1);
    expect((context.failures[0]!.error as Error).message).toMatch(
      /^Could not write the JSON report to \/dev\/full \(ENOSPC\): /,
    );
    expect(existsSync(join(dir, "audit.sarif"))).toBe(true);
    expect(context.record).toMatchObject({ sarifFile: join(dir, "audit.sarif") });
    expect(context.record.reportFile).toBeUndefined();
  });

  it("the CLI with --report-file /dev/full: one line naming the file and ENOSPC, the text report and SARIF still written", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ota-output-"));
    const run = await runCliSource(["scan", "--inventory", SAMPLE, "--report-file", "/dev/full"], {}, dir);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^org-trail-audit: Could not write the JSON report to \/dev\/full \(ENOSPC\)/),
    ]);
    expect(run.stdout).toContain("SARIF: org-trail-audit.sarif");
    expect(existsSync(join(dir, "org-trail-audit.sarif"))).toBe(true);
  });

  it("writes an unknown first sighting as absent, never as the scan's time; with a baseline, each finding has one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ota-output-"));
    const alone = await runCliSource(
      ["scan", "--inventory", SAMPLE, "--format", "json", "--report-file", "first.json", "--fail-on", "none"],
      {},
      dir,
    );
    const report = JSON.parse(alone.stdout);
    expect(report.findings.length).toBeGreaterThan(0);
    expect(report.findings.filter((finding: { firstSeen?: string }) => "firstSeen" in finding)).toEqual([]);
    const compared = await runCliSource(
      ["scan", "--inventory", SAMPLE, "--baseline", "first.json", "--format", "json", "--fail-on", "none"],
      {},
      dir,
    );
    const again = JSON.parse(compared.stdout);
    expect(again.findings.every((finding: { firstSeen?: string }) => finding.firstSeen === again.generatedAt)).toBe(
      true,
    );
  });
});

describe("numbers the tool writes for people", () => {
  it("carry thousands separators everywhere, in the CLI's text as in its counts", async () => {
    const { largeInventory } = await import("./support/large-inventory.js");
    const dir = mkdtempSync(join(tmpdir(), "ota-output-"));
    writeFileSync(
      join(dir, "inventory.json"),
      JSON.stringify(largeInventory({ total: 6_000, singleRegionEu: 5_000, noTrail: 0, stopped: 0 })),
    );
    const run = await runCliSource(["scan", "--inventory", "inventory.json", "--fail-on", "none"], {}, dir);
    expect(run.stdout).toContain("6,000 accounts scanned");
    expect(run.stdout).toContain("5,000 non-compliant");
    expect(run.stdout).toMatch(/and 4,997 more/);
    // A count of four digits or more without its separator, anywhere (ids and dates are not counts).
    expect(run.stdout).not.toMatch(/\b\d{4,} (?:accounts?|compliant|non-compliant|more|Regions?|findings?|errors?)\b/);
  });
});
