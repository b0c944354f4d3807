import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { awsEnvironment, freePort } from "./support/moto-server.js";
import { runAction } from "./support/run-action.js";
import { prepareOutputPaths } from "../src/output-paths.js";

const SAMPLE = join(process.cwd(), "examples/sample-inventory.json");

/** The ::error:: lines of an action run: the step's failure messages. */
const errorsOf = (stdout: string) => stdout.split("\n").filter((line) => line.startsWith("::error::"));

describe("output paths, checked before the first AWS call", () => {
  it("creates a missing directory for the report and the SARIF", async () => {
    const run = await runAction(
      {
        "inventory-file": SAMPLE,
        "sarif-file": "out/sarif/audit.sarif",
        "report-file": "out/reports/audit.json",
        "fail-on": "none",
      },
      {},
    );
    expect(run.code).toBe(0);
    expect(
      JSON.parse(readFileSync(join(run.workspace, "out/reports/audit.json"), "utf8")).findings.length,
    ).toBeGreaterThan(0);
    expect(run.outputs["sarif-file"]).toBe("out/sarif/audit.sarif");
  });

  // Nothing listens at the AWS endpoint: had the scan started, the error would be a network one.
  const refusedAws = async () => awsEnvironment(`http://127.0.0.1:${await freePort()}`);

  it("refuses the same path for SARIF and report, naming both inputs, before AWS", async () => {
    const run = await runAction({ "sarif-file": "audit.json", "report-file": "./audit.json" }, await refusedAws());
    expect(run.code).toBe(1);
    expect(errorsOf(run.stdout)).toEqual([
      `::error::Input "report-file" names ./audit.json, which input "sarif-file" names too; give each its own file, or one would overwrite the other.`,
    ]);
  });

  it("refuses a report path that would overwrite the inventory it loads", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ota-paths-"));
    writeFileSync(join(dir, "inventory.json"), readFileSync(SAMPLE));
    const run = await runAction({ "inventory-file": "inventory.json", "report-file": "inventory.json" }, {}, dir);
    expect(errorsOf(run.stdout)).toEqual([
      expect.stringContaining(`Input "report-file" names inventory.json, which input "inventory-file" names too`),
    ]);
    expect(readFileSync(join(dir, "inventory.json"), "utf8")).toBe(readFileSync(SAMPLE, "utf8"));
  });

  it("refuses a path that cannot be written, and a directory, before AWS", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ota-paths-"));
    writeFileSync(join(dir, "a-file"), "");
    mkdirSync(join(dir, "a-directory"));
    const underFile = await runAction({ "sarif-file": "a-file/audit.sarif" }, await refusedAws(), dir);
    expect(errorsOf(underFile.stdout)).toEqual([
      expect.stringMatching(
        /^::error::Input "sarif-file" names a-file\/audit.sarif, whose directory .*a-file cannot be created \(ENOTDIR: .*a-file is a file\)\.$/,
      ),
    ]);
    const directory = await runAction(
      { "sarif-file": "audit.sarif", "report-file": "a-directory" },
      await refusedAws(),
      dir,
    );
    expect(errorsOf(directory.stdout)).toEqual([
      '::error::Input "report-file" names a-directory, which is a directory; it accepts a file path.',
    ]);
  });

  it("a failure after the evaluation (the job summary cannot be written) still writes the SARIF and sets the outputs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ota-paths-"));
    // GITHUB_STEP_SUMMARY names a directory: the summary write fails late, after the reports.
    mkdirSync(join(dir, "summary-is-a-directory"));
    const run = await runAction(
      { "inventory-file": SAMPLE, "report-file": "report.json", "fail-on": "none" },
      { GITHUB_STEP_SUMMARY: join(dir, "summary-is-a-directory") },
      dir,
    );
    expect(run.code).toBe(1);
    expect(errorsOf(run.stdout)).toEqual([expect.stringContaining("EISDIR")]);
    expect(run.outputs).toMatchObject({
      "sarif-file": "org-trail-audit.sarif",
      "report-file": "report.json",
      findings: expect.stringMatching(/^[1-9]\d*$/),
    });
    expect(readFileSync(join(dir, "org-trail-audit.sarif"), "utf8")).toContain('"version": "2.1.0"');
  });
});

describe("output paths proven writable, from the source", () => {
  it("refuses a directory where nothing can be created even when access() says yes (root in /proc)", async () => {
    await expect(
      prepareOutputPaths({ sarifFile: "audit.sarif", reportFile: "/proc/org-trail-audit.json" }),
    ).rejects.toThrow(
      /^Input "report-file" names \/proc\/org-trail-audit\.json, but no file can be created in \/proc \(\w+\); give a path/,
    );
  });

  it("refuses, and returns, for a path whose missing directories are under such a directory (/proc/x/y)", async () => {
    // Node's recursive mkdir never returns for this path: the check must not reach it.
    await expect(prepareOutputPaths({ sarifFile: "/proc/org-trail-audit/x/audit.sarif" })).rejects.toThrow(
      /^Input "sarif-file" names \/proc\/org-trail-audit\/x\/audit\.sarif, but no file can be created in \/proc \(\w+\)/,
    );
  });

  it("leaves no probe file behind, and creates the missing directories", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ota-probe-"));
    await prepareOutputPaths({ sarifFile: join(dir, "a/b/audit.sarif"), reportFile: join(dir, "report.json") });
    expect(readdirSync(dir).sort()).toEqual(["a"]);
    expect(readdirSync(join(dir, "a"))).toEqual(["b"]);
    expect(readdirSync(join(dir, "a/b"))).toEqual([]);
  });
});
