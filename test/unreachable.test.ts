import { describeStoppedEarly } from "../src/error-description.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { evaluateAudit } from "../src/audit.js";
import { scanOrganization } from "../src/aws/scan.js";
import { UnreachableBreaker } from "../src/aws/unreachable.js";
import { renderTextReport } from "../src/reporters/text-report.js";
import { parseSettings } from "../src/settings.js";
import type { AwsProxy } from "./support/aws-proxy.js";
import { motoAvailability, startMotoBehindProxy, stopMotoBehindProxy, type MotoServer } from "./support/moto-server.js";
import { OWN_TRAILS_SCENARIO, seedOrganization } from "./support/seed-org.js";

const moto = motoAvailability();
const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), {
  code: "ECONNREFUSED",
  $orgTrailAuditEndpoint: "https://cloudtrail.eu-west-1.amazonaws.com",
});
const htmlPage = Object.assign(new SyntaxError("Unexpected token '<' Deserialization error"), {
  $response: { statusCode: 502, headers: { "content-type": "text/html" } },
});
const denied = Object.assign(new Error("not authorized"), { name: "AccessDeniedException", $response: {} });

describe("the unreachable breaker", () => {
  it("stops after the calls in a row that never reached AWS, naming the last cause", () => {
    const reasons: string[] = [];
    const breaker = new UnreachableBreaker((why) => reasons.push(describeStoppedEarly(why)), 3);
    breaker.failed("CloudTrail", refused);
    breaker.failed("CloudTrail", refused);
    expect(reasons).toEqual([]);
    breaker.failed("STS", refused);
    expect(reasons).toEqual([]);
    breaker.failed("STS", refused);
    expect(reasons).toEqual([
      "4 AWS calls in a row failed and none was answered: the last could not reach " +
        "https://cloudtrail.eu-west-1.amazonaws.com: nothing is listening there (connection refused) (ECONNREFUSED)",
    ]);
    breaker.failed("STS", refused);
    expect(reasons).toHaveLength(1);
  });

  it("never stops for one blocked Region or service, for AWS's own errors, nor for a proxy's page", () => {
    const reasons: string[] = [];
    const breaker = new UnreachableBreaker((why) => reasons.push(describeStoppedEarly(why)), 3);
    // One Region's CloudTrail endpoint firewalled: its failures can come 100 in a row.
    for (let call = 0; call < 100; call += 1) breaker.failed("CloudTrail", refused);
    for (let call = 0; call < 100; call += 1) {
      breaker.failed("STS", refused);
      breaker.failed("CloudTrail", refused);
      if (call % 3 === 0) breaker.answered();
      else if (call % 3 === 1) breaker.failed("CloudTrail", denied);
      else breaker.failed("CloudTrail", htmlPage);
    }
    expect(reasons).toEqual([]);
  });
});

describe.skipIf(!moto.available)("an endpoint that dies mid-scan", () => {
  let server: MotoServer;
  let proxy: AwsProxy;

  beforeAll(async () => {
    ({ server, proxy } = await startMotoBehindProxy());
    await seedOrganization(server.endpoint, OWN_TRAILS_SCENARIO);
  });
  afterAll(() => stopMotoBehindProxy(server, proxy));
  beforeEach(() => {
    proxy.faults.length = 0;
  });

  it("stops early, says so once, and groups the accounts not read instead of a block each", async () => {
    // Dead after the third account's AssumeRole: every connection from then on is dropped.
    let assumed = 0;
    let dead = false;
    proxy.faults.push((call) => {
      if (call.operation === "AssumeRole" && !dead && ++assumed > 3) dead = true;
      return dead ? "reset" : undefined;
    });
    const inventory = await scanOrganization(parseSettings({ concurrency: "1", regions: "us-east-1" }), {
      transport: { maxAttempts: 2 },
      unreachableCallsToStop: 4,
    });
    expect(inventory.stoppedEarly).toMatchObject({ kind: "unreachable", callsInARow: 4, code: "ECONNRESET" });
    expect(describeStoppedEarly(inventory.stoppedEarly!)).toMatch(
      /^4 AWS calls in a row failed and none was answered: the last could not reach/,
    );
    const stopped = inventory.accounts.filter((account) => account.failure?.kind === "stopped");
    expect(stopped.length).toBeGreaterThan(3);
    // The accounts after the stop were never tried: at most one AssumeRole each before it.
    expect(proxy.count("AssumeRole")).toBeLessThan(inventory.accounts.length);

    const result = evaluateAudit(inventory);
    expect(result.summary.stoppedEarly).toBe(describeStoppedEarly(inventory.stoppedEarly!));
    const report = renderTextReport(result);
    const lines = report.split("\n");
    expect(lines.filter((line) => line.startsWith("The scan stopped early:"))).toHaveLength(1);
    // One example reason for the group, not one block per account.
    expect(lines.filter((line) => line.includes("not read: the scan stopped early")).length).toBeLessThanOrEqual(1);
    expect(lines.filter((line) => line.includes("was not assessed"))).toEqual([]);
    expect(lines).toContain(
      `Not assessed (AWS could not be reached (connection refused, DNS, TLS or no answer)): ${result.summary.notAssessed} accounts`,
    );
    // Nothing is lost: every account is in the result, read or not assessed.
    expect(result.summary.notAssessed).toBeGreaterThanOrEqual(stopped.length);
    expect(
      result.summary.compliant + result.summary.noncompliant + result.summary.notAssessed + result.summary.skipped,
    ).toBe(inventory.accounts.length);
  });
});
