#!/usr/bin/env tsx
/**
 * npm run bench -- [--accounts 200] [--latency 50] [--concurrency 64] [--fault-rate 0]
 *                  [--no-serial] [--sweep 8,32,64] [--output bench/results/latest.json]
 *
 * Starts moto behind our proxy, seeds an organization of N accounts, records every answer
 * in a warm-up scan, then measures the scan against the proxy replaying those answers with
 * a fixed latency per request (moto, at ~400 requests/s on two cores, would otherwise be
 * the limit). It prints one table and writes the figures as JSON.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { seededRandom, startAwsProxy, throttleFor, type AwsProxy } from "../test/support/aws-proxy.js";
import { awsEnvironment, startMoto } from "../test/support/moto-server.js";
import { ORGANIZATIONS_PAGE_SIZE } from "../src/aws/organization.js";
import { INPUT_DEFAULTS } from "../src/settings.js";
import { ACCOUNTS_PER_UNIT, seedBenchOrganization } from "./seed.js";

const { values } = parseArgs({
  options: {
    accounts: { type: "string", default: "200" },
    latency: { type: "string", default: "50" },
    // The product's default, which this benchmark chose.
    concurrency: { type: "string", default: INPUT_DEFAULTS.concurrency },
    "fault-rate": { type: "string", default: "0" },
    "no-serial": { type: "boolean", default: false },
    // More concurrencies to time on the same replayed organization, to choose the default by.
    sweep: { type: "string", default: "" },
    output: { type: "string", default: "bench/results/latest.json" },
  },
});
const N = Number(values.accounts);
const LATENCY = Number(values.latency);
const CONCURRENCY = Number(values.concurrency);
const FAULT_RATE = Number(values["fault-rate"]);
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

interface ScanRun {
  concurrency: number;
  processWallMs: number;
  scanWallMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  peakRssMb: number;
  calls: Record<string, number>;
  retries: number;
  throttles: number;
  lowestConcurrency: number;
  accounts: number;
  accountsScanned: number;
  notAssessed: number;
  regionReads: number;
  findings: number;
}

// Loaded into the scanning process: reports its own CPU time and peak RSS when it exits.
const USAGE_HOOK = `data:text/javascript,${encodeURIComponent(
  'import { writeFileSync } from "node:fs"; process.on("exit", () => writeFileSync(process.env.BENCH_USAGE_FILE, JSON.stringify(process.resourceUsage())));',
)}`;

async function scan(proxy: AwsProxy, concurrency: number): Promise<ScanRun> {
  const dir = mkdtempSync(join(tmpdir(), "ota-bench-"));
  const usageFile = join(dir, "usage.json");
  const reportFile = join(dir, "report.json");
  proxy.calls.length = 0;
  const started = process.hrtime.bigint();
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      // BENCH_NODE_ARGS passes flags to the scanning process, such as --cpu-prof for a profile.
      [
        ...(process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
        "--import",
        USAGE_HOOK,
        "dist/cli/index.js",
        "scan",
        "--concurrency",
        String(concurrency),
        "--report-file",
        reportFile,
        "--sarif-file",
        join(dir, "out.sarif"),
        "--fail-on",
        "none",
      ],
      {
        env: { ...process.env, ...awsEnvironment(proxy.endpoint), BENCH_USAGE_FILE: usageFile },
        stdio: ["ignore", "ignore", "inherit"],
      },
    );
    child.on("error", reject);
    child.on("close", resolve);
  });
  const processWallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (code !== 0) throw new Error(`scan exited with ${code}`);
  const usage = JSON.parse(readFileSync(usageFile, "utf8"));
  const report = JSON.parse(readFileSync(reportFile, "utf8"));
  const calls: Record<string, number> = {};
  for (const call of proxy.calls)
    calls[`${call.service}.${call.operation}`] = (calls[`${call.service}.${call.operation}`] ?? 0) + 1;
  return {
    concurrency,
    processWallMs,
    scanWallMs: report.inventory.durationMs,
    cpuUserMs: usage.userCPUTime / 1000,
    cpuSystemMs: usage.systemCPUTime / 1000,
    peakRssMb: usage.maxRSS / 1024,
    calls,
    retries: report.summary.retries,
    throttles: report.summary.throttles,
    lowestConcurrency: report.inventory.apiStats?.lowestConcurrency ?? concurrency,
    accounts: report.summary.accountsInScope,
    accountsScanned: report.summary.accountsScanned,
    notAssessed: report.summary.notAssessed,
    regionReads: report.summary.regionsRead,
    findings: report.summary.findings,
  };
}

/**
 * The round-trip critical path with C accounts in flight: the caller's identity and the
 * organization (2 round trips), then the longer of the listing and the accounts
 * themselves, ceil(active / C) waves of 3 round trips each (AssumeRole; the global events
 * Region's DescribeTrails beside ListTrails and ListEventDataStores; status and selectors),
 * starting one page in. The listing's own path is the shorter of the ListAccounts chain
 * (its pages) and the OU walk (ListRoots, then the deepest chain of OU pages).
 */
function lowerBoundMs(active: number, concurrency: number, listingRoundTrips: number): number {
  return LATENCY * (2 + Math.max(listingRoundTrips, 1 + Math.ceil(active / concurrency) * 3));
}

async function main() {
  const server = await startMoto();
  const proxy = await startAwsProxy(server.endpoint);
  // AWS's page size for Organizations' List calls; moto would answer 100 a page.
  proxy.organizationsPageSize = ORGANIZATIONS_PAGE_SIZE;
  try {
    log(`seeding ${N} accounts into moto`);
    const seedStarted = Date.now();
    await seedBenchOrganization(server.endpoint, N, log);
    log(`seeded in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s; warm-up scan recording moto's answers`);

    proxy.mode = "record";
    await scan(proxy, CONCURRENCY);
    if (!values["no-serial"]) await scan(proxy, 1);
    proxy.mode = "replay";
    proxy.latencyMs = LATENCY;
    if (FAULT_RATE > 0) {
      const random = seededRandom(42);
      proxy.faults.push((call) => (random() < FAULT_RATE ? throttleFor(call) : undefined));
    }

    log(
      `measured scan: concurrency ${CONCURRENCY}, ${LATENCY} ms per request${FAULT_RATE ? `, ${FAULT_RATE * 100} % throttled` : ""}`,
    );
    const main = await scan(proxy, CONCURRENCY);
    const misses = proxy.replayMisses;
    let serial: ScanRun | undefined;
    if (!values["no-serial"]) {
      log("the same scan at concurrency 1");
      serial = await scan(proxy, 1);
    }

    const sweep: ScanRun[] = [];
    for (const concurrency of (values.sweep ?? "").split(",").filter(Boolean).map(Number)) {
      log(`the same scan at concurrency ${concurrency}`);
      sweep.push(await scan(proxy, concurrency));
    }

    const active = main.accountsScanned;
    const chainPages = Math.ceil(main.accounts / ORGANIZATIONS_PAGE_SIZE);
    // ListRoots, then a top OU's pages beside its child OU's (two levels): the walk's path.
    const walkRoundTrips = 1 + 2 * Math.ceil(ACCOUNTS_PER_UNIT / ORGANIZATIONS_PAGE_SIZE) + 1;
    const listingRoundTrips = Math.min(chainPages, walkRoundTrips);
    const bound = lowerBoundMs(active, CONCURRENCY, listingRoundTrips);
    const serialBound = lowerBoundMs(active, 1, listingRoundTrips);
    const totalCalls = Object.values(main.calls).reduce((sum, count) => sum + count, 0);
    const regions = main.regionReads / Math.max(1, active);
    const result = {
      date: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        model: cpus()[0]?.model ?? "unknown",
        memoryGb: Math.round(totalmem() / 2 ** 30),
        node: process.version,
      },
      parameters: { accounts: N, latencyMs: LATENCY, concurrency: CONCURRENCY, faultRate: FAULT_RATE },
      replayMisses: misses,
      boundMs: bound,
      ratio: main.scanWallMs / bound,
      serialBoundMs: serialBound,
      serialRatio: serial ? serial.scanWallMs / serialBound : undefined,
      cpuMsPerAccountRegion: (main.cpuUserMs + main.cpuSystemMs) / Math.max(1, main.regionReads),
      callsPerAccount: totalCalls / Math.max(1, active),
      main,
      serial,
      sweep: sweep.map((run) => ({
        concurrency: run.concurrency,
        scanWallMs: run.scanWallMs,
        boundMs: lowerBoundMs(active, run.concurrency, listingRoundTrips),
        cpuMs: run.cpuUserMs + run.cpuSystemMs,
        peakRssMb: run.peakRssMb,
        retries: run.retries,
      })),
    };
    writeFileSync(values.output!, `${JSON.stringify(result, null, 2)}\n`);

    const rows: [string, string][] = [
      ["accounts (scanned / in org)", `${active} / ${main.accounts}`],
      ["Regions per account", regions.toFixed(1)],
      ["latency per request, concurrency", `${LATENCY} ms, ${CONCURRENCY}`],
      ["API calls", `${totalCalls} (${result.callsPerAccount.toFixed(1)} per account)`],
      ...Object.entries(main.calls)
        .sort()
        .map(([operation, count]): [string, string] => [
          `  ${operation}`,
          `${count} (${(count / Math.max(1, active)).toFixed(2)} per account)`,
        ]),
      ["retries, throttled attempts", `${main.retries}, ${main.throttles}`],
      ["lowest account concurrency (governor)", String(main.lowestConcurrency)],
      ["not assessed", String(main.notAssessed)],
      [
        "wall time (scan / process)",
        `${(main.scanWallMs / 1000).toFixed(2)} s / ${(main.processWallMs / 1000).toFixed(2)} s`,
      ],
      ["critical-path lower bound", `${(bound / 1000).toFixed(2)} s (listing: ${listingRoundTrips} round trips)`],
      ["wall / bound", result.ratio.toFixed(2)],
      [
        "CPU time (user + sys)",
        `${((main.cpuUserMs + main.cpuSystemMs) / 1000).toFixed(2)} s (${result.cpuMsPerAccountRegion.toFixed(2)} ms per account-Region)`,
      ],
      ["peak RSS", `${main.peakRssMb.toFixed(0)} MB`],
      ...(serial
        ? ([
            [
              "concurrency 1: wall / bound",
              `${(serial.scanWallMs / 1000).toFixed(2)} s / ${(serialBound / 1000).toFixed(2)} s = ${result.serialRatio!.toFixed(2)}`,
            ],
            ["speed-up over concurrency 1", `${(serial.scanWallMs / main.scanWallMs).toFixed(1)}x`],
          ] as [string, string][])
        : []),
      ...result.sweep.map((run): [string, string] => [
        `concurrency ${run.concurrency}: wall / bound, CPU, RSS`,
        `${(run.scanWallMs / 1000).toFixed(2)} s / ${(run.boundMs / 1000).toFixed(2)} s = ` +
          `${(run.scanWallMs / run.boundMs).toFixed(2)}, ${(run.cpuMs / 1000).toFixed(2)} s, ` +
          `${run.peakRssMb.toFixed(0)} MB`,
      ]),
      ["replay misses (forwarded to moto)", String(misses)],
    ];
    const width = Math.max(...rows.map(([label]) => label.length));
    process.stdout.write(
      `\n${rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join("\n")}\n\nwritten to ${values.output}\n`,
    );
  } finally {
    await proxy.close();
    await server.stop();
  }
}

await main();
