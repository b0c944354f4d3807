import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeGitHub, type FakeGitHub } from "./support/github-api.js";
import { markdownDefects } from "./support/rendered-markdown.js";
import { runAction } from "./support/run-action.js";

const SAMPLE = join(process.cwd(), "examples/sample-inventory.json");

/**
 * GitHub failing the action's reads: each failure is one line that names the call, GitHub's
 * status and the likely cause, in the log and the job summary; the step fails (exit code 1),
 * the SARIF is written, and nothing says "failed unexpectedly" or gives a permission's advice
 * for a bad token. A saved scan keeps AWS out of it.
 */
describe("GitHub's failures, each said once with its cause", () => {
  let github: FakeGitHub;
  let env: Record<string, string>;
  const inputs = { "inventory-file": SAMPLE, "create-issues": "true", "github-token": "ghs_x", "fail-on": "none" };
  const errors = (stdout: string) => stdout.split("\n").filter((line) => line.startsWith("::error::"));

  beforeAll(async () => {
    github = await startFakeGitHub();
    env = { GITHUB_API_URL: github.url, GITHUB_REPOSITORY: "acme/platform" };
  });
  afterAll(async () => github?.close());
  beforeEach(() => {
    github.answers = {};
    github.issues.length = 0;
  });

  it("the issues list answering 500: one error naming the call and GitHub's side, in the log and the summary", async () => {
    github.answers["issues/list-for-repo"] = { status: 500, message: "fault" };
    const run = await runAction(inputs, env);
    expect(run.code).toBe(1);
    const expected =
      "Could not list the tracked issues: GitHub answered 500 to list the tracked issues (fault); a failure on " +
      "GitHub's side; re-run the workflow later.";
    expect(errors(run.stdout)).toEqual([`::error::${expected}`]);
    expect(run.stdout).not.toContain("failed unexpectedly");
    expect(run.summary).toContain("> [!CAUTION]\n> The remediation issues failed: Could not list the tracked issues");
    expect(run.outputs["sarif-file"]).toBe("org-trail-audit.sarif");
    expect(markdownDefects(run.summary)).toEqual([]);
  });

  it("a 401 Bad credentials: the token, not a permission, on the issues and on the alerts", async () => {
    github.answers["issues/list-for-repo"] = { status: 401, message: "Bad credentials" };
    github.answers["code-scanning/list-alerts-for-repo"] = { status: 401, message: "Bad credentials" };
    const run = await runAction(inputs, env);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "GitHub answered 401 to list the tracked issues (Bad credentials); the token was refused: it expired, or " +
        "github-token is not the secret meant.",
    );
    expect(run.stdout).toContain(
      "GitHub answered 401 to the alerts list: Bad credentials; the token was refused: it expired, or github-token is not the secret meant",
    );
    expect(run.stdout).not.toContain("security-events: read");
    expect(run.stdout).not.toContain("failed unexpectedly");
  });

  it("a 403 on the issues: the permission it lacks", async () => {
    github.answers["issues/list-for-repo"] = { status: 403, message: "Resource not accessible by integration" };
    const run = await runAction(inputs, env);
    expect(run.code).toBe(1);
    expect(errors(run.stdout)).toEqual([
      expect.stringContaining("the token lacks `permissions: issues: read` (give it to the job, or pass a token"),
    ]);
  });

  it("an owners-file of many stray keys: the summary lists the first 20 and counts the rest, the issue section kept", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ota-owners-"));
    const stray = Array.from({ length: 25 }, (_, index) => String(900_000_000_000 + index));
    writeFileSync(join(dir, "owners.yml"), stray.map((id) => `"${id}": alice`).join("\n"));
    const run = await runAction({ ...inputs, "owners-file": "owners.yml" }, env, dir);
    expect(run.summary).toContain("### Remediation issues");
    expect(run.summary).toContain(
      `owners-file names 25 accounts this scan did not include: ${stray.slice(0, 20).join(", ")}, and 5 more. Check for a typo`,
    );
    expect(run.summary).not.toContain(stray[20]!);
  });
});
