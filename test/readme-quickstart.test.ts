import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAwsProxy, type AwsProxy } from "./support/aws-proxy.js";
import { startFakeGitHub, type FakeGitHub } from "./support/github-api.js";
import {
  awsEnvironment,
  awsProfileEnvironment,
  motoAvailability,
  startMoto,
  type MotoServer,
} from "./support/moto-server.js";
import { runAction } from "./support/run-action.js";
import { runNode } from "./support/run-node.js";
import { ORGANIZATION_TRAIL_SCENARIO, seedOrganization } from "./support/seed-org.js";

/** What a new user does is what the README shows: its commands and its workflow, run as written. */
const readme = readFileSync("README.md", "utf8");
const section = (heading: string) =>
  readme.slice(readme.indexOf(`\n## ${heading}\n`), readme.indexOf("\n## ", readme.indexOf(`\n## ${heading}\n`) + 4));
const codeBlocks = (text: string, language: string) =>
  [...text.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, "g"))].map((match) => match[1]!);
const commands = (block: string) =>
  block
    .replace(/\\\n\s*/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));

describe("the README's quick start", () => {
  it("deploys templates that exist, with parameters they declare", () => {
    const deployCommands = codeBlocks(section("Quick start"), "sh")
      .flatMap(commands)
      .filter((line) => line.startsWith("aws cloudformation"));
    expect(deployCommands.length).toBeGreaterThanOrEqual(3);
    for (const command of deployCommands) {
      const template = /(?:file:\/\/|--template-file )(deploy\/[\w-]+\.yaml)/.exec(command)?.[1];
      if (!template) continue;
      expect(existsSync(template), template).toBe(true);
      const declared = Object.keys(parseYaml(readFileSync(template, "utf8")).Parameters);
      const given = [...command.matchAll(/ParameterKey=(\w+)/g), ...command.matchAll(/ (\w+)=arn:| (\w+)=[\w/-]+$/gm)]
        .map((match) => match[1] ?? match[2])
        .filter(Boolean);
      for (const parameter of given) expect(declared, `${template} ${parameter}`).toContain(parameter);
    }
  });
});

describe("the README's statements", () => {
  it("deploys the scanning role before the audit role that trusts its ARN", () => {
    const deploys = codeBlocks(section("Quick start"), "sh")
      .flatMap(commands)
      .filter((line) => /deploy\/(scanning|audit)-role\.yaml/.test(line));
    const order = deploys.map((line) => /deploy\/(scanning|audit)-role\.yaml/.exec(line)![1]);
    expect(order).toEqual(["scanning", "audit"]);
    const scanning = parseYaml(readFileSync("deploy/scanning-role.yaml", "utf8"));
    expect(deploys[1]).toContain(
      `ParameterValue=arn:aws:iam::111122223333:role/${scanning.Parameters.RoleName.Default}`,
    );
    expect(Object.keys(scanning.Outputs)).toContain("ScanningRoleArn");
    expect(section("Quick start")).toContain("that stack's `ScanningRoleArn` output");
  });

  it("counts the accounts of the sample inventory as it holds them", () => {
    const words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];
    const teens = [
      "eleven",
      "twelve",
      "thirteen",
      "fourteen",
      "fifteen",
      "sixteen",
      "seventeen",
      "eighteen",
      "nineteen",
    ];
    const said = /saved scan of an? ([a-z]+)-account organization/.exec(readme)?.[1];
    const number = [...words, ...teens].indexOf(said ?? "");
    const sample = JSON.parse(readFileSync("examples/sample-inventory.json", "utf8"));
    expect(number, `README says "${said}"`).toBe(sample.accounts.length);
  });

  it("gives every CLI scan of AWS the audit role's name under the path the scanning role may assume", () => {
    const scanning = readFileSync("deploy/scanning-role.yaml", "utf8");
    const path = /:role\/([\w-]+)\/\$\{AuditRoleName\}/.exec(scanning)![1];
    const audit = parseYaml(readFileSync("deploy/audit-role.yaml", "utf8"));
    const expected = `--role-name ${path}/${audit.Parameters.RoleName.Default}`;
    const scans = codeBlocks(section("The CLI"), "sh")
      .flatMap(commands)
      .filter((line) => !line.includes("--inventory"));
    expect(scans.length).toBeGreaterThan(0);
    for (const line of scans) expect(line).toContain(expected);
  });
});

describe("the README's example messages", () => {
  it("are what npm start prints for the sample inventory", async () => {
    const block = section("Rules").split("```")[1]!;
    const examples = block
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line && !line.includes("..."));
    expect(examples.length).toBeGreaterThan(8);
    const dir = mkdtempSync(join(tmpdir(), "ota-readme-start-"));
    const run = await runNode(
      join(process.cwd(), "dist/cli/index.js"),
      ["scan", "--inventory", join(process.cwd(), "examples/sample-inventory.json"), "--fail-on", "none"],
      {},
      dir,
    );
    const printed = new Set(run.stdout.split("\n").map((line) => line.trim()));
    for (const line of examples) expect(printed, line).toContain(line);
  });
});

const moto = motoAvailability();

describe.skipIf(!moto.available)("a new user's first runs, as the README shows them, against the moto org", () => {
  let server: MotoServer;
  let proxy: AwsProxy;
  let github: FakeGitHub;
  beforeAll(async () => {
    server = await startMoto();
    proxy = await startAwsProxy(server.endpoint);
    github = await startFakeGitHub();
    const org = await seedOrganization(server.endpoint, ORGANIZATION_TRAIL_SCENARIO);
    // Every member is covered by the organization trail; one member's own trail has lost its
    // bucket (moto cannot fail a delivery: rewritten on the wire), a warning worth an issue.
    const broken = org.byKey("org-plus-own").id;
    proxy.rewrites.push((call, body) =>
      call.operation === "GetTrailStatus" && call.accountId === broken
        ? JSON.stringify({
            ...JSON.parse(body),
            LatestDeliveryError: "NoSuchBucket",
            LatestDeliveryTime: 1_700_000_000,
            LatestDeliveryAttemptTime: "",
          })
        : undefined,
    );
  });
  afterAll(async () => {
    await github?.close();
    await proxy?.close();
    await server?.stop();
  });

  it("the README's workflow step goes green and opens issues", async () => {
    const block = codeBlocks(section("Quick start"), "yaml")[0]!;
    const workflow = parseYaml(block);
    const step = Object.values(
      workflow.jobs as Record<string, { steps: { uses?: string; with?: Record<string, string> }[] }>,
    )
      .flatMap((job) => job.steps)
      .find((candidate) => candidate.uses?.startsWith("org-trail-audit/"))!;
    const workspace = mkdtempSync(join(tmpdir(), "ota-readme-"));
    // The owners-file the README links to, where the workflow expects it.
    mkdirSync(join(workspace, ".github"));
    copyFileSync("docs/examples/aws-account-owners.yml", join(workspace, step.with!["owners-file"]!));
    const inputs = Object.fromEntries(Object.entries(step.with!).map(([name, value]) => [name, String(value)]));
    const run = await runAction(
      { ...inputs, "github-token": "ghs_token" },
      {
        ...awsEnvironment(proxy.endpoint),
        GITHUB_API_URL: github.url,
        GITHUB_REPOSITORY: "acme/platform",
      },
      workspace,
    );
    expect(run.code, run.stdout).toBe(0);
    expect(existsSync(join(workspace, inputs["report-file"]!))).toBe(true);
    expect(run.outputs["sarif-file"]).toBe("org-trail-audit.sarif");
    expect(github.issues.map((issue) => issue.title)).toEqual([expect.stringContaining("org-plus-own-trail")]);
    expect(github.violations).toEqual([]);
  });

  it("the README's CLI commands go green with a named profile", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ota-readme-cli-"));
    const env = awsProfileEnvironment(server.endpoint, dir, "audit");
    const lines = codeBlocks(section("The CLI"), "sh").flatMap(commands);
    expect(lines.length).toBe(3);
    for (const line of lines) {
      // npx runs the published package's bin, which is this bundle (test/release.test.ts).
      expect(line).toMatch(/^(npx org-trail-audit|node dist\/cli\/index\.js) /);
      const args = line.replace(/^(npx org-trail-audit|node dist\/cli\/index\.js) /, "").split(/\s+/);
      const run = await runNode(join(process.cwd(), "dist/cli/index.js"), args, env, dir);
      expect(run.code, `${line}\n${run.stdout}${run.stderr}`).toBe(0);
    }
  });
});
