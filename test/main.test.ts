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
    const stoppedEarly =
      "16 AWS calls in a row failed and none was answered: the last could not reach http://proxy:3128";
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
});
