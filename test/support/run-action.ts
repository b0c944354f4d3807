import * as core from "@actions/core";
import type { GitHubPacing } from "../../src/github/octokit.js";
import { run, type RunOptions } from "../../src/main.js";
import { actionJob, type ActionRun } from "./run-node.js";

/** No waiting between GitHub writes or before retries: the spacing itself is proven once, in github-pacing.test.ts. */
export const UNPACED: GitHubPacing = { writeIntervalMs: 0, notificationIntervalMs: 0, retryUnitMs: 0 };

/**
 * The action's main from its source, in this process, as the runner would start it: the
 * environment is exactly the step's (INPUT_*, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, plus PATH
 * and HOME), the working directory is the workspace, and stdout, outputs, the summary and the
 * exit code are collected as from `node dist/index.js` (runActionBundle), without starting
 * the 5 MB bundle or waiting out GitHub's pacing. The real @actions/core writes them.
 */
export async function runAction(
  inputs: Record<string, string>,
  env: Record<string, string>,
  workspace?: string,
  options: RunOptions = {},
): Promise<ActionRun> {
  const job = actionJob(inputs, env, workspace);
  const savedEnv = { ...process.env };
  const savedCwd = process.cwd();
  const savedExitCode = process.exitCode;
  const writeOut = process.stdout.write;
  const writeErr = process.stderr.write;
  let stdout = "";
  let stderr = "";
  for (const key of Object.keys(process.env)) if (!key.startsWith("VITEST")) delete process.env[key];
  Object.assign(process.env, {
    PATH: savedEnv.PATH ?? "",
    HOME: savedEnv.HOME ?? job.dir,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...job.env,
  });
  // A fresh process has a fresh summary: @actions/core keeps the first path it was given.
  (core.summary as unknown as { _filePath?: string })._filePath = undefined;
  core.summary.emptyBuffer();
  process.exitCode = undefined;
  process.chdir(job.dir);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  let code: number;
  try {
    await run({ githubPacing: UNPACED, ...options });
    code = Number(process.exitCode ?? 0);
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
    process.chdir(savedCwd);
    process.exitCode = savedExitCode;
    for (const key of Object.keys(process.env)) delete process.env[key];
    Object.assign(process.env, savedEnv);
  }
  return job.finish({ code, stdout, stderr });
}
