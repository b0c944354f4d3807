import { Writable } from "node:stream";
import { runCli } from "../../src/cli.js";
import type { NodeRun } from "./run-node.js";

/**
 * The CLI from its source, in this process, as a shell would start it: exactly the
 * environment given (plus PATH and HOME), in the directory given; what it prints and the
 * exit code it returns, as runNode gives them for `node dist/cli/index.js` (the bundle's
 * smoke tests), without starting the 5 MB bundle.
 */
export async function runCliSource(args: string[], env: Record<string, string>, cwd: string): Promise<NodeRun> {
  const chunks = { stdout: "", stderr: "" };
  const sink = (key: keyof typeof chunks) =>
    new Writable({
      write(chunk, _encoding, done) {
        chunks[key] += String(chunk);
        done();
      },
    });
  const savedEnv = { ...process.env };
  const savedCwd = process.cwd();
  for (const key of Object.keys(process.env)) if (!key.startsWith("VITEST")) delete process.env[key];
  Object.assign(process.env, { PATH: savedEnv.PATH ?? "", HOME: savedEnv.HOME ?? cwd, ...env });
  process.chdir(cwd);
  try {
    const code = await runCli(args, sink("stdout"), sink("stderr"));
    return { code, ...chunks };
  } finally {
    process.chdir(savedCwd);
    for (const key of Object.keys(process.env)) delete process.env[key];
    Object.assign(process.env, savedEnv);
  }
}
