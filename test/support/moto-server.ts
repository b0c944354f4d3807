import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { inject } from "vitest";
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startAwsProxy, type AwsProxy } from "./aws-proxy.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** One moto endpoint per test worker (VITEST_POOL_ID 1..n), or why there is none. */
    moto: { endpoints: string[]; unavailable?: string };
  }
}

/**
 * moto's server, started on a free port for one test file and stopped after it. Outside
 * CI a machine without moto_server skips the AWS tests with a printed reason; under
 * CI=true a missing moto_server fails them, so a broken runner cannot pass silently.
 */
export interface MotoServer {
  endpoint: string;
  port: number;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export function motoAvailability(): { available: boolean; reason?: string } {
  // Inside a test file: what the global setup found (it probed once for the whole run).
  const provided = process.env.VITEST_POOL_ID ? inject("moto") : undefined;
  if (provided) {
    if (provided.unavailable) {
      if (process.env.CI === "true")
        throw new Error(`${provided.unavailable}: the AWS tests cannot be skipped under CI=true`);
      return { available: false, reason: provided.unavailable };
    }
    return { available: true };
  }
  const probe = spawnSync("moto_server", ["--help"], { stdio: "ignore" });
  if (probe.status === 0) return { available: true };
  const reason = 'moto_server is not installed (pip install "moto[server]")';
  if (process.env.CI === "true") throw new Error(`${reason}: the AWS tests cannot be skipped under CI=true`);
  console.warn(`Skipping the AWS tests: ${reason}.`);
  return { available: false, reason };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const ALIGNED_LAUNCHER = fileURLToPath(new URL("./moto_aligned.py", import.meta.url));

/**
 * moto's server with ListTrails and CloudTrail Lake brought in line with AWS
 * (test/support/moto_aligned.py says how), emptied: this worker's, started once by the
 * global setup (stop() leaves it running for the worker's next file). `stock: true` has it
 * answer as moto does unchanged until the next file's start; `own: true` starts a server of
 * the caller's own (the global setup's).
 */
export async function startMoto(options: { stock?: boolean; own?: boolean } = {}): Promise<MotoServer> {
  const shared = options.own ? undefined : workerEndpoint();
  if (shared) {
    const mode = options.stock ? "stock" : "aligned";
    const reset = async () => {
      await fetch(`${shared}/moto-api/reset`, { method: "POST" });
      const set = await fetch(`${shared}/moto-api/org-trail-audit/mode`, { method: "POST", body: mode });
      if (!set.ok) throw new Error(`moto at ${shared} did not switch to ${mode}: ${await set.text()}`);
    };
    await reset();
    return { endpoint: shared, port: Number(new URL(shared).port), reset, stop: async () => {} };
  }
  const port = await freePort();
  const logPath = join(mkdtempSync(join(tmpdir(), "moto-")), "server.log");
  const logFd = openSync(logPath, "w");
  const child: ChildProcess = spawn(
    "python3",
    [ALIGNED_LAUNCHER, ...(options.stock ? ["--stock"] : []), "-H", "127.0.0.1", "-p", String(port)],
    // moto logs every request to stderr: into a file, not a pipe, which a test that blocks
    // its event loop (spawnSync) would stop draining, stalling moto once the pipe is full.
    { stdio: ["ignore", "ignore", logFd] },
  );
  closeSync(logFd);
  const stderrTail = () => readFileSync(logPath, "utf8").slice(-4000);
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}): ${stderrTail()}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`moto_server did not start on ${endpoint}: ${stderrTail()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    endpoint,
    port,
    reset: async () => {
      await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 3000).unref();
      }),
  };
}

function workerEndpoint(): string | undefined {
  const pool = Number(process.env.VITEST_POOL_ID);
  if (!pool) return undefined;
  const provided = inject("moto");
  return provided.endpoints[(pool - 1) % Math.max(1, provided.endpoints.length)];
}

/** The environment that points the real SDK at a local AWS: the standard variables only. */
export function awsEnvironment(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_REGION: "us-east-1",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
}

/**
 * The environment of a user whose keys live in a named profile of their AWS config files
 * (in dir), not in variables: what `--profile NAME` must pick up.
 */
export function awsProfileEnvironment(endpoint: string, dir: string, profile: string): Record<string, string> {
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, ...withoutKeys } = awsEnvironment(endpoint);
  writeFileSync(
    join(dir, "credentials"),
    `[${profile}]\naws_access_key_id = ${AWS_ACCESS_KEY_ID}\naws_secret_access_key = ${AWS_SECRET_ACCESS_KEY}\n`,
  );
  writeFileSync(join(dir, "config"), `[profile ${profile}]\nregion = us-east-1\n`);
  return {
    ...withoutKeys,
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials"),
    AWS_CONFIG_FILE: join(dir, "config"),
  };
}

/**
 * moto behind the recording proxy, with this process's SDK pointed at the proxy: what
 * most scan tests start in beforeAll. resetMotoBehindProxy empties moto and every fault,
 * rewrite and swap between tests.
 */
export async function startMotoBehindProxy(
  options: { stock?: boolean } = {},
): Promise<{ server: MotoServer; proxy: AwsProxy }> {
  const server = await startMoto(options);
  const proxy = await startAwsProxy(server.endpoint);
  Object.assign(process.env, awsEnvironment(proxy.endpoint));
  return { server, proxy };
}

export async function resetMotoBehindProxy(server: MotoServer, proxy: AwsProxy): Promise<void> {
  await server.reset();
  proxy.faults.length = 0;
  proxy.rewrites.length = 0;
  proxy.callerSwaps.length = 0;
  proxy.calls.length = 0;
}

export async function stopMotoBehindProxy(server: MotoServer | undefined, proxy: AwsProxy | undefined): Promise<void> {
  await proxy?.close();
  await server?.stop();
}
