import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { summarize } from "../src/audit-result.js";
import { CloudTrailClient, CreateEventDataStoreCommand } from "@aws-sdk/client-cloudtrail";
import { evaluateAudit, judgesCovered } from "../src/audit.js";
import { scanOrganization } from "../src/aws/scan.js";
import { renderTextReport } from "../src/reporters/text-report.js";
import type { Inventory } from "../src/inventory.js";
import { evaluateInventory } from "../src/rules/evaluate.js";
import { parseSettings } from "../src/settings.js";
import type { AwsProxy } from "./support/aws-proxy.js";
import {
  motoAvailability,
  resetMotoBehindProxy,
  startMotoBehindProxy,
  stopMotoBehindProxy,
  type MotoServer,
} from "./support/moto-server.js";
import {
  ISSUES_SCENARIO,
  ORGANIZATION_TRAIL_SCENARIO,
  OWN_TRAILS_SCENARIO,
  assumeInto,
  seedOrganization,
  type Scenario,
  type SeededOrganization,
} from "./support/seed-org.js";

const moto = motoAvailability();

/** What a user sees of an account: its verdict, and each finding's rule, message and fix. */
function judged(inventory: Inventory) {
  const { verdicts, findings } = evaluateInventory(inventory);
  return Object.fromEntries(
    verdicts.map((verdict) => [
      verdict.accountId,
      {
        verdict: verdict.verdict,
        coveredBy: verdict.coveredBy,
        findings: findings
          .filter((finding) => finding.accountId === verdict.accountId)
          .map((finding) => ({
            ruleId: finding.ruleId,
            level: finding.level,
            message: finding.message,
            fix: finding.fix,
          })),
      },
    ]),
  );
}

const denyListTrails = {
  status: 400,
  code: "AccessDeniedException",
  message: "not authorized to perform: cloudtrail:ListTrails",
};

/**
 * The ListTrails read plan (global events Region + the home Regions ListTrails names)
 * against the per-Region plan it replaces, on moto with ListTrails answering as AWS does
 * (test/support/moto_aligned.py).
 */
describe.skipIf(!moto.available)("the read plan: calls that do not grow with Regions, verdicts unchanged", () => {
  let server: MotoServer;
  let proxy: AwsProxy;

  beforeAll(async () => ({ server, proxy } = await startMotoBehindProxy()));
  afterAll(() => stopMotoBehindProxy(server, proxy));
  beforeEach(() => resetMotoBehindProxy(server, proxy));

  it.each([
    ["own trails", OWN_TRAILS_SCENARIO],
    ["organization trail", ORGANIZATION_TRAIL_SCENARIO],
    ["issues", ISSUES_SCENARIO],
  ] as [string, Scenario][])(
    "%s scenario: the same verdicts, findings and fixes as reading every Region",
    async (_name, scenario) => {
      await seedOrganization(server.endpoint, scenario);
      const perRegion = await scanOrganization(parseSettings({}), { readPlan: "per-region" });
      const listed = await scanOrganization(parseSettings({}));
      expect(judged(listed)).toEqual(judged(perRegion));
      const active = listed.accounts.filter((account) => account.outcome === "read");
      expect(active.every((account) => account.readPlan === "list-trails")).toBe(true);
      // Fewer DescribeTrails by far: one per account, plus one per Region that homes a trail the global events Region did not show.
      expect(listed.apiStats!.calls["CloudTrail.DescribeTrails"]!).toBeLessThan(
        perRegion.apiStats!.calls["CloudTrail.DescribeTrails"]! / 4,
      );
      expect(listed.apiStats!.calls["EC2.DescribeRegions"] ?? 0).toBe(1); // once per scan, for the organization's Lake stores
    },
  );

  it("an account with one multi-Region trail costs at most 6 calls, whatever the number of Regions", async () => {
    const org = await seedOrganization(server.endpoint, OWN_TRAILS_SCENARIO);
    const account = org.byKey("multi-eu").id;
    for (const regions of ["enabled", "us-east-1,eu-west-1,ap-south-1,sa-east-1"]) {
      proxy.calls.length = 0;
      await scanOrganization(parseSettings({ accounts: account, regions }));
      const ofAccount = proxy.calls.filter(
        (call) =>
          call.accountId === account ||
          (call.operation === "AssumeRole" && decodeURIComponent(call.body).includes(`::${account}:`)),
      );
      expect(ofAccount.map((call) => call.operation).sort()).toEqual([
        "AssumeRole",
        "DescribeTrails",
        "GetEventSelectors",
        "GetTrailStatus",
        "ListEventDataStores",
        "ListTrails",
      ]);
    }
  });

  /**
   * An account's own Lake store homed outside us-east-1 covers it like a trail when it is
   * multi-Region and ingests management events (../shared/aws-facts.md, CloudTrail Lake), and
   * ListEventDataStores answers for its own Region only: the scan looks in the other Regions,
   * but only for accounts the rules would otherwise not judge compliant.
   */
  it("finds an account's own Lake store homed in another Region, reading further only where nothing else covers the account", async () => {
    const org = await seedOrganization(server.endpoint, OWN_TRAILS_SCENARIO);
    const lakeAccount = org.byKey("data-only").id;
    const stoppedAccount = org.byKey("no-trail").id;
    const brokenAccount = org.byKey("flag-off").id;
    const createStore = async (accountId: string, name: string, startIngestion: boolean) => {
      const lake = new CloudTrailClient({
        region: "eu-west-1",
        endpoint: server.endpoint,
        credentials: await assumeInto(server.endpoint, accountId),
      });
      return (
        await lake.send(
          new CreateEventDataStoreCommand({ Name: name, MultiRegionEnabled: true, StartIngestion: startIngestion }),
        )
      ).EventDataStoreArn!;
    };
    const lakeStore = await createStore(lakeAccount, "eu-lake", true);
    const stoppedStore = await createStore(stoppedAccount, "eu-lake-stopped", false);
    proxy.calls.length = 0;
    const inventory = await scanOrganization(parseSettings({}), { judgesCovered });
    const { verdicts, findings } = evaluateInventory(inventory);
    const verdictOf = (id: string) => verdicts.find((verdict) => verdict.accountId === id)!;
    expect(verdictOf(lakeAccount)).toMatchObject({ verdict: "compliant", coveredBy: [lakeStore] });
    const stopped = findings.find((finding) => finding.accountId === stoppedAccount)!;
    expect(stopped).toMatchObject({ ruleId: "cloudtrail/global-events-not-recorded", cause: "store-stopped" });
    expect(stopped.fix.join("\n")).toContain(
      `aws cloudtrail start-event-data-store-ingestion --region eu-west-1 --event-data-store ${stoppedStore}`,
    );
    expect(findings.flatMap((finding) => finding.fix).join("\n")).not.toContain("create-event-data-store");

    const operationsOf = (id: string) =>
      proxy.calls
        .filter(
          (call) =>
            call.accountId === id ||
            (call.operation === "AssumeRole" && decodeURIComponent(call.body).includes(`::${id}:`)),
        )
        .map((call) => `${call.operation} ${call.operation === "ListEventDataStores" ? "" : call.region}`.trim());
    // Covered: no call more than before, even with a warning (reads not recorded).
    expect(operationsOf(org.byKey("multi-eu").id)).toHaveLength(6);
    expect(operationsOf(org.byKey("writes-only").id).filter((call) => call === "ListEventDataStores")).toHaveLength(1);
    expect(operationsOf(org.byKey("multi-eu").id)).not.toContain("DescribeRegions us-east-1");
    // Uncovered: each other enabled Region's stores (listed once per scan, not per account).
    const broken = operationsOf(brokenAccount);
    expect(broken).not.toContain("DescribeRegions us-east-1");
    expect(broken.filter((call) => call === "ListEventDataStores").length).toBeGreaterThan(10);
    const listedIn = proxy.calls
      .filter((call) => call.accountId === brokenAccount && call.operation === "ListEventDataStores")
      .map((call) => call.region);
    expect(new Set(listedIn).size).toBe(listedIn.length);
    expect(listedIn).toContain("eu-west-1");
  });

  it("a Region the account has not enabled answers as such during the search: no failure, no note", async () => {
    const org = await seedOrganization(server.endpoint, OWN_TRAILS_SCENARIO);
    const broken = org.byKey("no-trail").id;
    proxy.faults.push((call) =>
      call.operation === "ListEventDataStores" && call.accountId === broken && call.region === "ap-south-1"
        ? {
            status: 400,
            code: "UnrecognizedClientException",
            message: "The security token included in the request is invalid.",
          }
        : call.operation === "ListEventDataStores" && call.accountId === broken && call.region === "sa-east-1"
          ? {
              status: 400,
              code: "AccessDeniedException",
              message: "not authorized to perform: cloudtrail:ListEventDataStores",
            }
          : undefined,
    );
    const inventory = await scanOrganization(
      parseSettings({ accounts: broken, regions: "us-east-1,ap-south-1,sa-east-1" }),
      {
        judgesCovered,
      },
    );
    const account = inventory.accounts.find((item) => item.id === broken)!;
    // Refused in sa-east-1 is a failure worth a note; not enabled in ap-south-1 is not.
    expect(account.eventDataStoresFailures?.map((failure) => [failure.region, failure.kind])).toEqual([
      ["sa-east-1", "access-denied"],
    ]);
  });

  it("with the Regions given, looks for an uncovered account's stores in those Regions only", async () => {
    const org = await seedOrganization(server.endpoint, OWN_TRAILS_SCENARIO);
    const broken = org.byKey("no-trail").id;
    proxy.calls.length = 0;
    await scanOrganization(parseSettings({ accounts: broken, regions: "us-east-1,eu-west-1,ap-south-1" }), {
      judgesCovered,
    });
    const ofAccount = proxy.calls.filter((call) => call.accountId === broken);
    expect(ofAccount.filter((call) => call.operation === "DescribeRegions")).toEqual([]);
    expect(
      ofAccount
        .filter((call) => call.operation === "ListEventDataStores")
        .map((call) => call.region)
        .sort(),
    ).toEqual(["ap-south-1", "eu-west-1", "us-east-1"]);
  });

  it("describes the home Region of a single-Region trail elsewhere, so its flag and its name still reach the finding", async () => {
    const org = await seedOrganization(server.endpoint, OWN_TRAILS_SCENARIO);
    const inventory = await scanOrganization(parseSettings({ accounts: org.byKey("ineffective").id }));
    const account = inventory.accounts.find((item) => item.id === org.byKey("ineffective").id)!;
    expect(account.regions.map((read) => read.region)).toEqual(["eu-west-1", "us-east-1"]);
    expect(account.trails.map((trail) => trail.name)).toEqual(["eu-only"]);
    const { findings } = evaluateInventory(inventory);
    expect(findings.map((finding) => finding.ruleId)).toEqual(["cloudtrail/global-events-not-recorded"]);
    expect(findings[0]!.message).toContain('"eu-only" (eu-west-1): single-Region outside us-east-1');
  });

  it("when ListTrails is refused, reads that account Region by Region, says so, and judges it the same", async () => {
    const org = await seedOrganization(server.endpoint, OWN_TRAILS_SCENARIO);
    const expected = judged(await scanOrganization(parseSettings({})));
    const refused = org.byKey("ineffective").id;
    proxy.faults.push((call) =>
      call.operation === "ListTrails" && call.accountId === refused ? denyListTrails : undefined,
    );
    const inventory = await scanOrganization(parseSettings({}));
    expect(judged(inventory)).toEqual(expected);
    const account = inventory.accounts.find((item) => item.id === refused)!;
    expect(account.readPlan).toBe("per-region");
    // Recorded as data: what failed, how, and AWS's own words.
    expect(account.sideReadFailures).toEqual([
      {
        kind: "access-denied",
        call: "CloudTrail.ListTrails",
        region: "us-east-1",
        code: "AccessDeniedException",
        status: 400,
        message: "not authorized to perform: cloudtrail:ListTrails",
      },
    ]);
    expect(account.regions.length).toBeGreaterThan(10);
    const others = inventory.accounts.filter((item) => item.id !== refused && item.outcome === "read");
    expect(others.every((item) => item.readPlan === "list-trails")).toBe(true);
    const summary = summarize(inventory, evaluateInventory(inventory));
    expect(summary.perRegionReads).toBe(1);
    // Told once, by its cause, with the fix for that cause.
    expect(renderTextReport(evaluateAudit(inventory))).toContain(
      "ListTrails could not be read in 1 account: AccessDeniedException: not authorized to perform: " +
        "cloudtrail:ListTrails; every Region was described instead (slower, same verdicts); the audit role from an " +
        "older deploy/audit-role.yaml lacks cloudtrail:ListTrails: update that stack.",
    );
  });
});

/**
 * On stock moto, ListTrails lists only the calling Region's trails and multi-Region shadows
 * (../shared/aws-facts.md): a single-Region trail homed elsewhere goes unseen. Verdicts do
 * not depend on ListTrails, so they hold; the per-Region fallback sees everything.
 */
describe.skipIf(!moto.available)("on stock moto, whose ListTrails sees one Region", () => {
  let server: MotoServer;
  let proxy: AwsProxy;
  let org: SeededOrganization;

  beforeAll(async () => {
    ({ server, proxy } = await startMotoBehindProxy({ stock: true }));
    org = await seedOrganization(server.endpoint, OWN_TRAILS_SCENARIO);
  });
  afterAll(() => stopMotoBehindProxy(server, proxy));

  it("verdicts hold under the ListTrails plan; with ListTrails refused the fallback finds every rule", async () => {
    const expected = Object.fromEntries(org.accounts.map((account) => [account.id, [...account.expected].sort()]));
    const listedInventory = await scanOrganization(parseSettings({}));
    // Stock indeed: ListTrails did not name the eu-west-1 trail, so that Region was never described.
    const unseen = listedInventory.accounts.find((account) => account.id === org.byKey("ineffective").id)!;
    expect(unseen.regions.map((read) => read.region)).toEqual(["us-east-1"]);
    const listed = evaluateInventory(listedInventory);
    const perRegion = evaluateInventory(await scanOrganization(parseSettings({}), { readPlan: "per-region" }));
    expect(listed.verdicts.map((verdict) => [verdict.accountId, verdict.verdict])).toEqual(
      perRegion.verdicts.map((verdict) => [verdict.accountId, verdict.verdict]),
    );

    proxy.faults.push((call) => (call.operation === "ListTrails" ? denyListTrails : undefined));
    const fallback = evaluateInventory(await scanOrganization(parseSettings({})));
    const rulesOf = (evaluation: typeof fallback) =>
      Object.fromEntries(
        org.accounts.map((account) => [
          account.id,
          evaluation.findings
            .filter((finding) => finding.accountId === account.id)
            .map((finding) => finding.ruleId)
            .sort(),
        ]),
      );
    expect(rulesOf(fallback)).toEqual(expected);
  });
});
