import type { Failure } from "../src/inventory.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateAudit } from "../src/audit.js";
import { scanOrganization } from "../src/aws/scan.js";
import { FOREIGN_ANSWER_MAX_ATTEMPTS } from "../src/aws/client-config.js";
import { renderTextReport } from "../src/reporters/text-report.js";
import { buildSarif } from "../src/reporters/sarif.js";
import { parseSettings } from "../src/settings.js";
import { describeSideReadFailure, sideReadFailures } from "../src/side-read-failures.js";
import type { AwsProxy } from "./support/aws-proxy.js";
import { motoAvailability, startMotoBehindProxy, stopMotoBehindProxy, type MotoServer } from "./support/moto-server.js";
import { OWN_TRAILS_SCENARIO, seedOrganization } from "./support/seed-org.js";

const moto = motoAvailability();
const PROXY_PAGE =
  "<!doctype html><html><head><title>Blocked</title></head><body>Access to this site is blocked by policy</body></html>";

describe.skipIf(!moto.available)("a side read answered by a proxy's HTML page", () => {
  let server: MotoServer;
  let proxy: AwsProxy;

  beforeAll(async () => {
    ({ server, proxy } = await startMotoBehindProxy());
    await seedOrganization(server.endpoint, OWN_TRAILS_SCENARIO);
  });
  afterAll(() => stopMotoBehindProxy(server, proxy));

  it("is one line in the header, in no finding, and retried no more than the SDK's standard mode would", async () => {
    // A 502: the SDK takes it for a transient AWS error and would retry it 8 times.
    proxy.faults.push((call) =>
      call.operation === "ListEventDataStores"
        ? { page: PROXY_PAGE, status: 502, contentType: "text/html" }
        : undefined,
    );
    const inventory = await scanOrganization(parseSettings({ regions: "us-east-1,eu-west-1" }));
    const result = evaluateAudit(inventory);

    // Every call the scan made went on the wire 3 times, not 8.
    const calls = inventory.apiStats!.calls["CloudTrail.ListEventDataStores"]!;
    expect(calls).toBeGreaterThan(10);
    expect(proxy.count("ListEventDataStores")).toBe(calls * FOREIGN_ANSWER_MAX_ATTEMPTS);

    const report = renderTextReport(result);
    const mentions = report.split("\n").filter((line) => /not an AWS answer|Lake/.test(line));
    expect(mentions).toEqual([
      expect.stringMatching(
        new RegExp(
          "^CloudTrail Lake could not be read in \\d+ accounts \\(\\d+ Regions\\): an HTML page \\(HTTP 502\\) from " +
            "http://127\\.0\\.0\\.1:\\d+, not an AWS answer: a proxy in between\\?; an event data store there was not " +
            "considered: verdicts rest on trails\\.$",
        ),
      ),
    ]);
    expect(report).not.toMatch(/doctype|Deserialization|\$response/i);
    for (const finding of result.evaluation.findings) expect(finding.message).not.toMatch(/Lake|doctype|HTML/);
    const sarif = JSON.stringify(buildSarif(result.inventory, result.evaluation.findings).log);
    expect(sarif).not.toMatch(/doctype|Deserialization/i);
    // Lake is optional evidence: the verdicts are those of the trails.
    expect(result.summary.notAssessed).toBe(0);
  });
});

describe("side read failures, grouped", () => {
  const account = (id: string, eventDataStoresFailures?: Failure[], sideReadFailures?: Failure[]) => ({
    id,
    name: id,
    state: "ACTIVE",
    outcome: "read" as const,
    regions: [],
    trails: [],
    durationMs: 0,
    ...(eventDataStoresFailures ? { eventDataStoresFailures } : {}),
    ...(sideReadFailures ? { sideReadFailures } : {}),
  });
  const inventoryOf = (accounts: ReturnType<typeof account>[]) =>
    ({
      schemaVersion: 2,
      generatedAt: "2026-11-30T00:00:00.000Z",
      partition: "aws",
      globalEventsRegion: "us-east-1",
      organizationTrails: [],
      durationMs: 0,
      accounts,
    }) as never;

  it("one group per cause across accounts and Regions, whatever the Region in the endpoint", () => {
    const refused = (region: string): Failure => ({
      kind: "unreachable",
      call: "CloudTrail.ListEventDataStores",
      region,
      code: "ECONNREFUSED",
      endpoint: `https://cloudtrail.${region}.amazonaws.com`,
    });
    const failures = sideReadFailures(
      inventoryOf([
        account("111111111111", [refused("us-east-1"), refused("eu-west-1")]),
        account(
          "222222222222",
          [refused("eu-west-1")],
          [
            {
              kind: "access-denied",
              call: "CloudTrail.ListTrails",
              region: "us-east-1",
              code: "AccessDeniedException",
              message: "not authorized",
            },
          ],
        ),
        account("333333333333"),
      ]),
    );
    expect(failures.map((failure) => [failure.read, failure.accounts, failure.regions])).toEqual([
      ["CloudTrail Lake", 2, 3],
      ["ListTrails", 1, 1],
    ]);
    expect(describeSideReadFailure(failures[0]!)).toBe(
      "CloudTrail Lake could not be read in 2 accounts (3 Regions): could not reach " +
        "https://cloudtrail.us-east-1.amazonaws.com: nothing is listening there (connection refused) (ECONNREFUSED); an event " +
        "data store there was not considered: verdicts rest on trails.",
    );
  });

  it("names the permission the refused call needs, from the call itself", () => {
    const denied = (call: string): Failure => ({
      kind: "access-denied",
      call,
      region: "us-east-1",
      code: "AccessDenied",
    });
    const lines = sideReadFailures(
      inventoryOf([
        // The organization's enabled Regions (for its Lake stores) and a store's own read, refused.
        account(
          "111111111111",
          [denied("EC2.DescribeRegions"), denied("CloudTrail.GetEventDataStore")],
          [denied("EC2.DescribeRegions")],
        ),
      ]),
    ).map(describeSideReadFailure);
    expect(lines.join("\n")).toContain("lacks ec2:DescribeRegions: update that stack");
    expect(lines.join("\n")).toContain("lacks cloudtrail:GetEventDataStore: update that stack");
    expect(lines.join("\n")).not.toMatch(/account:ListRegions|lacks cloudtrail:ListEventDataStores/);
  });
});
