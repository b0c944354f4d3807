import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { scanOrganization } from "../src/aws/scan.js";
import { evaluateInventory } from "../src/rules/evaluate.js";
import { parseSettings } from "../src/settings.js";
import { seededRandom, startAwsProxy, throttleFor, type AwsProxy } from "./support/aws-proxy.js";
import { awsEnvironment, motoAvailability, startMoto, type MotoServer } from "./support/moto-server.js";
import { OWN_TRAILS_SCENARIO, seedOrganization, type SeededOrganization } from "./support/seed-org.js";

const moto = motoAvailability();

/**
 * Faults injected on the wire between the real SDK and moto. Whatever happens, an account
 * is either judged on what was read or reported not assessed, never compliant by default.
 */
describe.skipIf(!moto.available)("surviving throttling, server errors, resets and stalls", () => {
  let server: MotoServer;
  let proxy: AwsProxy;
  let org: SeededOrganization;
  let expectedVerdicts: Record<string, string>;
  // Per-attempt limits far above what a slow, busy machine needs: faults come from rules
  // (this Region, these calls), never from racing a clock. Only the stall tests wait for a limit.
  const patient = { transport: { callTimeoutMs: 30_000, maxAttempts: 8 } };

  beforeAll(async () => {
    server = await startMoto();
    proxy = await startAwsProxy(server.endpoint);
    Object.assign(process.env, awsEnvironment(proxy.endpoint));
    org = await seedOrganization(server.endpoint, OWN_TRAILS_SCENARIO);
    const clean = evaluateInventory(await scanOrganization(parseSettings({})));
    expectedVerdicts = Object.fromEntries(clean.verdicts.map((verdict) => [verdict.accountId, verdict.verdict]));
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
  });
  beforeEach(() => {
    proxy.faults.length = 0;
  });

  const verdictsOf = async (settings = {}, options = {}) => {
    const inventory = await scanOrganization(parseSettings(settings), { ...patient, ...options });
    const { verdicts } = evaluateInventory(inventory);
    return { inventory, verdicts: Object.fromEntries(verdicts.map((verdict) => [verdict.accountId, verdict.verdict])) };
  };

  it("assesses every account with 10 % of all requests throttled, and reports the retries", async () => {
    const random = seededRandom(7);
    proxy.faults.push((call) => (random() < 0.1 ? throttleFor(call) : undefined));
    const { inventory, verdicts } = await verdictsOf();
    expect(verdicts).toEqual(expectedVerdicts);
    expect(inventory.apiStats!.throttles).toBeGreaterThan(5);
    expect(inventory.apiStats!.retries).toBeGreaterThanOrEqual(inventory.apiStats!.throttles);
    expect(inventory.apiStats!.failures).toBe(0);
  });

  it("rides out HTTP 500 and 503 answers and dropped connections", async () => {
    const random = seededRandom(11);
    proxy.faults.push((call) => {
      const roll = random();
      if (roll < 0.05) return { status: 500, code: "InternalFailure", message: "injected 500" };
      if (roll < 0.1) return { status: 503, code: "ServiceUnavailable", message: "injected 503" };
      if (roll < 0.15 && call.operation !== "AssumeRole") return "reset";
      return undefined;
    });
    const { verdicts, inventory } = await verdictsOf();
    expect(verdicts).toEqual(expectedVerdicts);
    expect(inventory.apiStats!.retries).toBeGreaterThan(0);
  });

  it("slows down under persistent STS throttling instead of failing, backing the concurrency off", async () => {
    const random = seededRandom(3);
    proxy.faults.push((call) => (call.operation === "AssumeRole" && random() < 0.4 ? throttleFor(call) : undefined));
    const { verdicts, inventory } = await verdictsOf(
      { concurrency: "8" },
      { transport: { callTimeoutMs: 30_000, maxAttempts: 12 }, governor: { threshold: 3 } },
    );
    expect(verdicts).toEqual(expectedVerdicts);
    expect(inventory.apiStats!.lowestConcurrency).toBeLessThan(8);
  });

  it("survives Organizations throttling while listing accounts", async () => {
    const random = seededRandom(5);
    proxy.faults.push((call) => (call.service === "organizations" && random() < 0.5 ? throttleFor(call) : undefined));
    const { verdicts } = await verdictsOf({}, { transport: { callTimeoutMs: 30_000, maxAttempts: 12 } });
    expect(verdicts).toEqual(expectedVerdicts);
  });

  it("ends a stalled Region by its call time limit: the verdict rests on what was read and names the Region", async () => {
    // Under the ListTrails plan a Region other than us-east-1 is read only when it homes a
    // trail: this account's single-Region trail is homed in eu-west-1.
    const stalledIn = org.byKey("ineffective").id;
    proxy.faults.push((call) =>
      call.accountId === stalledIn && call.service === "cloudtrail" && call.region === "eu-west-1"
        ? "stall"
        : undefined,
    );
    // One attempt of 5 s: some fifty times what moto's slowest answer takes on a loaded
    // machine, so only the stalled Region reaches the limit (the SDK's own socket timer).
    const { inventory, verdicts } = await verdictsOf({}, { transport: { callTimeoutMs: 5_000, maxAttempts: 1 } });
    const account = inventory.accounts.find((item) => item.id === stalledIn)!;
    expect(account.regions.find((region) => region.region === "eu-west-1")).toMatchObject({ outcome: "failed" });
    expect(verdicts).toEqual(expectedVerdicts);
    const { verdicts: judged, findings } = evaluateInventory(inventory);
    expect(judged.find((verdict) => verdict.accountId === stalledIn)!.failedRegions).toEqual(["eu-west-1"]);
    // us-east-1 was read and shows nothing that covers: not "has no trail", but what was and was not seen.
    expect(findings.find((finding) => finding.accountId === stalledIn)!.message).toContain(
      "1 Region could not be read",
    );
  });

  it("ends a stalled account by its time limit: not assessed with the reason, and the scan finishes", async () => {
    const stalled = org.byKey("no-trail").id;
    // The account's time limit runs out the moment its first call stalls: by rule, not by
    // waiting 20 s; every other account's limit never runs out.
    const expiries = new Map<string, () => void>();
    proxy.faults.push((call) => {
      if (call.accountId !== stalled || call.service === "sts") return undefined;
      setImmediate(() => expiries.get(stalled)?.());
      return "stall";
    });
    const accountTimer = (accountId: string, _ms: number, expire: () => void) => {
      expiries.set(accountId, expire);
      return () => expiries.delete(accountId);
    };
    const { inventory, verdicts } = await verdictsOf(
      {},
      { transport: { callTimeoutMs: 600_000, maxAttempts: 2 }, accountTimeoutMs: 20_000, accountTimer },
    );
    expect(verdicts[stalled]).toBe("not-assessed");
    expect(inventory.accounts.find((item) => item.id === stalled)!.failure).toEqual({
      kind: "timed-out",
      limitMs: 20_000,
    });
    expect(evaluateInventory(inventory).verdicts.find((verdict) => verdict.accountId === stalled)!.reason).toBe(
      "timed out after 20 s",
    );
    const others = Object.fromEntries(Object.entries(expectedVerdicts).filter(([id]) => id !== stalled));
    expect(Object.fromEntries(Object.entries(verdicts).filter(([id]) => id !== stalled))).toEqual(others);
  });

  it("an AssumeRole whose connection is dropped every time: not assessed, blamed on the network, not on the trust policy", async () => {
    const cut = org.byKey("no-trail").id;
    proxy.faults.push((call) => (call.operation === "AssumeRole" && call.body.includes(cut) ? "reset" : undefined));
    const inventory = await scanOrganization(parseSettings({}), {
      transport: { callTimeoutMs: 30_000, maxAttempts: 2 },
    });
    const { verdicts, findings } = evaluateInventory(inventory);
    expect(verdicts.find((verdict) => verdict.accountId === cut)!.verdict).toBe("not-assessed");
    expect(inventory.accounts.find((item) => item.id === cut)!.failure).toMatchObject({
      kind: "unreachable",
      call: "STS.AssumeRole",
      code: "ECONNRESET",
    });
    const reason = verdicts.find((verdict) => verdict.accountId === cut)!.reason!;
    expect(reason).toMatch(
      new RegExp(
        `^AssumeRole for arn:aws:iam::${cut}:role/\\S+ never reached AWS STS: could not reach ` +
          `http://127\\.0\\.0\\.1:\\d+: the connection was reset \\(ECONNRESET\\)$`,
      ),
    );
    const fix = findings.find((finding) => finding.accountId === cut)!.fix.join("\n");
    expect(fix).toContain("check the network path");
    expect(fix).not.toContain("trust policy");
  });
});
