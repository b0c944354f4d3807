import type { TestProject } from "vitest/node";
import { motoAvailability, startMoto, type MotoServer } from "./moto-server.js";

/**
 * Starts moto once per test worker, not once per file: a worker runs its files one after
 * another, each resetting moto first (startMoto), so no two files share state at a time.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const availability = motoAvailability();
  if (!availability.available) {
    project.provide("moto", { endpoints: [], unavailable: availability.reason ?? "moto_server is not installed" });
    return async () => {};
  }
  const workers = Math.max(1, Number(project.config.maxWorkers) || 1);
  const servers: MotoServer[] = await Promise.all(Array.from({ length: workers }, () => startMoto({ own: true })));
  project.provide("moto", { endpoints: servers.map((server) => server.endpoint) });
  return async () => {
    await Promise.all(servers.map((server) => server.stop()));
  };
}
