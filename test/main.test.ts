import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";

/**
 * The action's main from its source, in this process, with @actions/core stubbed (as
 * actions/typescript-action tests it): inputs in, outputs, failures and the job summary
 * out. The dist/ bundle keeps its smoke tests in action.e2e.test.ts.
 */
const actions = vi.hoisted(() => ({
  inputs: {} as Record<string, string>,
  outputs: {} as Record<string, unknown>,
  failed: [] as string[],
  warnings: [] as string[],
  summary: "",
}));

vi.mock("@actions/core", () => ({
  getInput: (name: string) => actions.inputs[name] ?? "",
  setSecret: () => {},
  info: () => {},
  debug: () => {},
  notice: () => {},
  error: () => {},
  warning: (message: string) => actions.warnings.push(message),
  setOutput: (name: string, value: unknown) => {
    actions.outputs[name] = value;
  },
  setFailed: (message: string) => actions.failed.push(message),
  summary: {
    addRaw(text: string) {
      actions.summary += text;
      return this;
    },
    write: async () => {},
  },
}));

const { run } = await import("../src/main.js");
const SAMPLE = join(process.cwd(), "examples/sample-inventory.json");

beforeEach(() => {
  actions.inputs = {};
  actions.outputs = {};
  actions.failed = [];
  actions.warnings = [];
  actions.summary = "";
});

function workspace(): string {
  return mkdtempSync(join(tmpdir(), "ota-main-"));
}

describe("the action's main", () => {
  it("evaluates a saved inventory: outputs, the job summary, and the step failed at fail-on", async () => {
    const dir = workspace();
    actions.inputs = { "inventory-file": SAMPLE, "sarif-file": join(dir, "audit.sarif") };
    await run();
    expect(actions.outputs["accounts-scanned"]).toBe(14);
    expect(actions.outputs["sarif-file"]).toBe(join(dir, "audit.sarif"));
    expect(JSON.parse(readFileSync(join(dir, "audit.sarif"), "utf8")).version).toBe("2.1.0");
    expect(actions.summary).toMatch(/^## CloudTrail global service events/);
    expect(actions.failed).toEqual([expect.stringMatching(/^\d+ findings at or above fail-on "error" \(first: /)]);
  });

  it("a bad input fails the step with one message naming it, and nothing is written", async () => {
    const dir = workspace();
    actions.inputs = { "inventory-file": SAMPLE, concurrency: "0", "sarif-file": join(dir, "audit.sarif") };
    await run();
    expect(actions.failed).toEqual([expect.stringMatching(/^Input "concurrency" got "0"; it accepts/)]);
    expect(actions.outputs).toEqual({});
  });

  it("a scan that stopped early is written out, every account kept, and fails the step saying why", async () => {
    const dir = workspace();
    const sample = JSON.parse(readFileSync(SAMPLE, "utf8"));
    const stoppedEarly = {
      kind: "unreachable",
      call: "STS.AssumeRole",
      code: "ECONNREFUSED",
      endpoint: "http://proxy:3128",
      callsInARow: 16,
    };
    writeFileSync(join(dir, "stopped.json"), JSON.stringify({ ...sample, stoppedEarly }));
    actions.inputs = {
      "inventory-file": join(dir, "stopped.json"),
      "sarif-file": join(dir, "audit.sarif"),
      "fail-on": "none",
    };
    await run();
    expect(actions.outputs["sarif-file"]).toBe(join(dir, "audit.sarif"));
    expect(actions.summary).toContain("> [!CAUTION]\n> The scan stopped early: 16 AWS calls in a row failed");
    expect(actions.failed).toEqual([expect.stringMatching(/^The scan stopped early: 16 AWS calls in a row failed/)]);
  });

  it("with an exceptions file, accepted errors do not fail the step; with no code scanning, no alert is said to stay open", async () => {
    const dir = workspace();
    const expires = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const errors = ["121212121212", "222233334444", "333344445555", "444455556666", "777788889999", "888899990000"];
    writeFileSync(
      join(dir, "exceptions.yml"),
      JSON.stringify({ exceptions: [{ accounts: errors, reason: "Being rebuilt", expires }] }),
    );
    const previous = process.env.GITHUB_REPOSITORY;
    delete process.env.GITHUB_REPOSITORY;
    try {
      actions.inputs = {
        "inventory-file": SAMPLE,
        "sarif-file": join(dir, "audit.sarif"),
        "exceptions-file": join(dir, "exceptions.yml"),
      };
      await run();
    } finally {
      if (previous !== undefined) process.env.GITHUB_REPOSITORY = previous;
    }
    expect(actions.failed).toEqual([]);
    expect(actions.summary).toContain("### Accepted exceptions");
    expect(actions.warnings.filter((warning) => /stay open|refused to change/.test(warning))).toEqual([]);
    const sarif = JSON.parse(readFileSync(join(dir, "audit.sarif"), "utf8"));
    const suppressed = sarif.runs.flatMap((sarifRun: { results: { suppressions?: unknown[] }[] }) =>
      sarifRun.results.filter((result) => result.suppressions),
    );
    expect(suppressed.length).toBeGreaterThanOrEqual(errors.length);
  });
});
