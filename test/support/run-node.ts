import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface NodeRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a built bundle in a child process with exactly the environment given (plus PATH). */
export function runNode(script: string, args: string[], env: Record<string, string>, cwd: string): Promise<NodeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? cwd, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

export interface ActionRun extends NodeRun {
  outputs: Record<string, string>;
  summary: string;
  workspace: string;
}

/**
 * Runs dist/index.js the way the Actions runner does: inputs as INPUT_* variables, file
 * commands in files. The bundle's smoke tests use it; the rest use runAction (in-process).
 */
export async function runActionBundle(
  inputs: Record<string, string>,
  env: Record<string, string>,
  workspace?: string,
): Promise<ActionRun> {
  const job = actionJob(inputs, env, workspace);
  const run = await runNode(join(process.cwd(), "dist/index.js"), [], job.env, job.dir);
  return job.finish(run);
}

/** The runner's side of one step: its workspace, the files its commands write to, and its environment. */
export function actionJob(inputs: Record<string, string>, env: Record<string, string>, workspace?: string) {
  const dir = workspace ?? mkdtempSync(join(tmpdir(), "ota-action-"));
  const outputFile = join(dir, "github-output");
  const summaryFile = join(dir, "step-summary.md");
  writeFileSync(outputFile, "");
  writeFileSync(summaryFile, "");
  const inputEnv = Object.fromEntries(
    Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]),
  );
  return {
    dir,
    env: {
      ...env,
      ...inputEnv,
      GITHUB_OUTPUT: outputFile,
      // A test may point the summary elsewhere (somewhere unwritable) to make that write fail.
      GITHUB_STEP_SUMMARY: env.GITHUB_STEP_SUMMARY ?? summaryFile,
      GITHUB_WORKSPACE: dir,
      RUNNER_TEMP: dir,
    },
    finish: (run: NodeRun): ActionRun => ({
      ...run,
      outputs: parseFileCommand(readFileSync(outputFile, "utf8")),
      summary: readFileSync(summaryFile, "utf8"),
      workspace: dir,
    }),
  };
}

/** GITHUB_OUTPUT holds `name<<DELIMITER\nvalue\nDELIMITER` blocks. */
export function parseFileCommand(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index += 1) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[index]!);
    if (!match) continue;
    const [, name, delimiter] = match;
    const value: string[] = [];
    for (index += 1; index < lines.length && lines[index] !== delimiter; index += 1) value.push(lines[index]!);
    values[name!] = value.join("\n");
  }
  return values;
}
