import { CloudFormationClient, CreateStackCommand } from "@aws-sdk/client-cloudformation";
import { CloudTrailClient, CreateEventDataStoreCommand } from "@aws-sdk/client-cloudtrail";
import { GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { scanOrganization } from "../src/aws/scan.js";
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
  ALL_MANAGEMENT,
  BASIC_READ_ONLY,
  MANAGEMENT_ACCOUNT_ID,
  WRITES_ONLY,
  seedOrganization,
  type Scenario,
} from "./support/seed-org.js";

const moto = motoAvailability();

/**
 * The configurations of issue 8 that moto can hold, scanned end to end through the real
 * SDK: coverage as a union, Lake, a delivery failure (rewritten on the wire: moto never
 * fails a delivery) and a scan from a delegated administrator.
 */
const SCENARIO: Scenario = {
  management: {
    trails: [
      { name: "management-trail", region: "us-east-1", multiRegion: true, logging: true, selectors: ALL_MANAGEMENT },
    ],
    expected: [],
  },
  members: [
    {
      key: "union",
      name: "reads-and-writes-apart",
      trails: [
        { name: "reads", region: "eu-west-1", multiRegion: true, logging: true, selectors: BASIC_READ_ONLY },
        { name: "writes", region: "us-west-2", multiRegion: true, logging: true, selectors: WRITES_ONLY },
      ],
      expected: [],
    },
    {
      key: "reads-only",
      name: "reads-only",
      trails: [{ name: "reads", region: "eu-west-1", multiRegion: true, logging: true, selectors: BASIC_READ_ONLY }],
      expected: ["cloudtrail/global-events-not-recorded"],
    },
    {
      key: "undelivered",
      name: "bucket-deleted",
      trails: [{ name: "audit", region: "us-east-1", multiRegion: true, logging: true, selectors: ALL_MANAGEMENT }],
      expected: ["cloudtrail/global-events-not-delivered"],
    },
    { key: "no-trail", name: "no-trail", trails: [], expected: ["cloudtrail/global-events-not-recorded"] },
  ],
};

describe.skipIf(!moto.available)("verdicts in real configurations, scanned on moto", () => {
  let server: MotoServer;
  let proxy: AwsProxy;

  beforeAll(async () => ({ server, proxy } = await startMotoBehindProxy()));
  afterAll(() => stopMotoBehindProxy(server, proxy));
  beforeEach(() => resetMotoBehindProxy(server, proxy));

  const rulesOf = (findings: { accountId: string; ruleId: string }[], accountId: string) =>
    findings
      .filter((finding) => finding.accountId === accountId)
      .map((finding) => finding.ruleId)
      .sort();

  it("judges the union of trails, and a delivery failure injected into GetTrailStatus", async () => {
    const org = await seedOrganization(server.endpoint, SCENARIO);
    const undelivered = org.byKey("undelivered").id;
    proxy.rewrites.push((call, body) => {
      if (call.operation !== "GetTrailStatus" || call.accountId !== undelivered) return undefined;
      // What AWS answers once the trail's bucket is gone: the error, and no delivery since.
      const status = JSON.parse(body) as Record<string, unknown>;
      return JSON.stringify({
        ...status,
        LatestDeliveryError: "NoSuchBucket",
        LatestDeliveryTime: Date.parse("2026-11-01T00:00:00Z") / 1000,
        LatestDeliveryAttemptTime: "",
      });
    });
    const { findings, verdicts } = evaluateInventory(
      await scanOrganization(parseSettings({ regions: "us-east-1,eu-west-1,us-west-2" })),
    );
    for (const account of org.accounts)
      expect(rulesOf(findings, account.id), account.name).toEqual([...account.expected].sort());
    expect(verdicts.find((verdict) => verdict.accountId === org.byKey("union").id)!.verdict).toBe("compliant");
    const delivery = findings.find((finding) => finding.accountId === undelivered)!;
    expect(delivery.level).toBe("error");
    expect(delivery.message).toContain('"NoSuchBucket"');
    expect(findings.find((finding) => finding.accountId === org.byKey("reads-only").id)!.message).toContain(
      "recorded for reads only",
    );
  });

  it("counts an organization event data store (CloudTrail Lake) as covering every member", async () => {
    const org = await seedOrganization(server.endpoint, SCENARIO);
    const lake = new CloudTrailClient({
      region: "us-east-1",
      endpoint: server.endpoint,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    const created = await lake.send(
      new CreateEventDataStoreCommand({ Name: "org-lake", OrganizationEnabled: true, MultiRegionEnabled: true }),
    );
    const inventory = await scanOrganization(parseSettings({ regions: "us-east-1,eu-west-1" }));
    const { findings, verdicts } = evaluateInventory(inventory);
    expect(inventory.organizationEventDataStores!.map((store) => store.arn)).toEqual([created.EventDataStoreArn]);
    expect(inventory.organizationEventDataStoresFailures).toBeUndefined();
    for (const key of ["no-trail", "reads-only"]) {
      const id = org.byKey(key).id;
      expect(rulesOf(findings, id), key).toEqual([]);
      expect(verdicts.find((verdict) => verdict.accountId === id)!.coveredBy).toEqual([created.EventDataStoreArn]);
    }
  });

  it("scans from a delegated administrator: the management account through its audit role", async () => {
    const org = await seedOrganization(server.endpoint, SCENARIO);
    const base = { region: "us-east-1", endpoint: proxy.endpoint };
    // The audit role in the management account, from the stack deploy/README.md gives for it.
    const management = { accessKeyId: "testing", secretAccessKey: "testing" };
    await new CloudFormationClient({ ...base, endpoint: server.endpoint, credentials: management }).send(
      new CreateStackCommand({
        StackName: "org-trail-audit-role",
        TemplateBody: readFileSync("deploy/audit-role.yaml", "utf8"),
        Capabilities: ["CAPABILITY_NAMED_IAM"],
        Parameters: [
          {
            ParameterKey: "ScanningRoleArn",
            ParameterValue: `arn:aws:iam::${org.byKey("union").id}:role/org-trail-audit-scanner`,
          },
        ],
      }),
    );
    const role = await new IAMClient({ ...base, endpoint: server.endpoint, credentials: management }).send(
      new GetRoleCommand({ RoleName: "OrgTrailAuditRole" }),
    );
    expect(role.Role!.Arn).toBe(`arn:aws:iam::${MANAGEMENT_ACCOUNT_ID}:role/org-trail-audit/OrgTrailAuditRole`);

    // The scan's own credentials are a member's, the delegated administrator.
    const delegated = org.byKey("union").id;
    const { Credentials } = await new STSClient({ ...base, credentials: management }).send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${delegated}:role/OrganizationAccountAccessRole`,
        RoleSessionName: "delegated-admin",
      }),
    );
    const previous = { ...process.env };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: Credentials!.AccessKeyId,
      AWS_SECRET_ACCESS_KEY: Credentials!.SecretAccessKey,
      AWS_SESSION_TOKEN: Credentials!.SessionToken,
    });
    // AWS lets a delegated administrator list the organization; moto answers only the management account, so its calls are signed over.
    proxy.callerSwaps.push((call) =>
      call.service === "organizations" && call.accountId === delegated ? "testing" : undefined,
    );
    try {
      const inventory = await scanOrganization(
        parseSettings({ "role-name": "org-trail-audit/OrgTrailAuditRole", regions: "us-east-1,eu-west-1,us-west-2" }),
      );
      expect(inventory.callerAccountId).toBe(delegated);
      const managementRecord = inventory.accounts.find((account) => account.id === MANAGEMENT_ACCOUNT_ID)!;
      expect(managementRecord.access).toBe(
        `arn:aws:iam::${MANAGEMENT_ACCOUNT_ID}:role/org-trail-audit/OrgTrailAuditRole`,
      );
      expect(inventory.accounts.find((account) => account.id === delegated)!.access).toBe("caller");
      const { verdicts } = evaluateInventory(inventory);
      expect(verdicts.find((verdict) => verdict.accountId === MANAGEMENT_ACCOUNT_ID)!.verdict).toBe("compliant");
      expect(verdicts.find((verdict) => verdict.accountId === delegated)!.verdict).toBe("compliant");
    } finally {
      for (const key of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]) {
        if (previous[key] === undefined) delete process.env[key];
        else process.env[key] = previous[key];
      }
    }
  });
});
