import {
  CreateOrganizationalUnitCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { scanOrganization } from "../src/aws/scan.js";
import { evaluateInventory } from "../src/rules/evaluate.js";
import { parseSettings } from "../src/settings.js";
import { TOOL_NAME, TOOL_VERSION } from "../src/version.js";
import type { AwsProxy } from "./support/aws-proxy.js";
import {
  awsEnvironment,
  motoAvailability,
  resetMotoBehindProxy,
  startMoto,
  startMotoBehindProxy,
  stopMotoBehindProxy,
  type MotoServer,
} from "./support/moto-server.js";
import {
  MANAGEMENT_ACCOUNT_ID,
  ORGANIZATION_TRAIL_SCENARIO,
  OWN_TRAILS_SCENARIO,
  seedOrganization,
  type SeededOrganization,
} from "./support/seed-org.js";

const moto = motoAvailability();

describe.skipIf(!moto.available)("scanning an organization on moto through the real SDK", () => {
  let server: MotoServer;
  let proxy: AwsProxy;

  beforeAll(async () => ({ server, proxy } = await startMotoBehindProxy()));
  afterAll(() => stopMotoBehindProxy(server, proxy));
  beforeEach(() => resetMotoBehindProxy(server, proxy));

  const rulesByAccount = (org: SeededOrganization, findings: { accountId: string; ruleId: string }[]) =>
    Object.fromEntries(
      org.accounts.map((account) => [
        account.name,
        findings
          .filter((finding) => finding.accountId === account.id)
          .map((finding) => finding.ruleId)
          .sort(),
      ]),
    );
  const expectedByAccount = (org: SeededOrganization) =>
    Object.fromEntries(org.accounts.map((account) => [account.name, [...account.expected].sort()]));

  it("gives every account of an org without an organization trail exactly its rule ids", async () => {
    const org = await seedOrganization(server.endpoint, OWN_TRAILS_SCENARIO);
    proxy.calls.length = 0;
    const inventory = await scanOrganization(parseSettings({}));
    const { findings, verdicts } = evaluateInventory(inventory);

    expect(rulesByAccount(org, findings)).toEqual(expectedByAccount(org));
    expect(verdicts.find((verdict) => verdict.accountId === org.byKey("suspended").id)?.verdict).toBe("skipped");
    expect(verdicts.find((verdict) => verdict.accountId === MANAGEMENT_ACCOUNT_ID)?.verdict).toBe("compliant");
    // The management account is read with the caller's credentials: one AssumeRole per other active account.
    const active = org.accounts.filter((account) => !account.suspended).length;
    expect(proxy.count("AssumeRole")).toBe(active - 1);
    // The OU tree is walked once, for every account's OU path; one ListAccounts page holds this organization.
    expect(proxy.count("ListAccounts")).toBeLessThanOrEqual(1);
    expect(proxy.count("ListRoots")).toBe(1);
    expect(Object.values(inventory.organizationalUnits ?? {})).toEqual([{ name: "Root" }]);
    expect(inventory.accounts.every((account) => account.parentId === org.rootId)).toBe(true);
    // Every call names the tool and its version, which CloudTrail records as the event's userAgent.
    expect(proxy.calls.length).toBeGreaterThan(20);
    for (const call of proxy.calls)
      expect(String(call.headers["user-agent"]), `${call.service}.${call.operation}`).toContain(
        `${TOOL_NAME}/${TOOL_VERSION}`,
      );
  });

  it("counts members covered by the organization trail as compliant and reads the trail once", async () => {
    const org = await seedOrganization(server.endpoint, ORGANIZATION_TRAIL_SCENARIO);
    proxy.calls.length = 0;
    const inventory = await scanOrganization(parseSettings({}));
    const { findings, verdicts } = evaluateInventory(inventory);

    expect(rulesByAccount(org, findings)).toEqual(expectedByAccount(org));
    expect(verdicts.find((verdict) => verdict.accountId === org.byKey("org-only-1").id)).toMatchObject({
      verdict: "compliant",
      coveredBy: [`arn:aws:cloudtrail:us-east-1:${MANAGEMENT_ACCOUNT_ID}:trail/org-trail`],
    });
    const duplicate = findings.find((finding) => finding.ruleId === "cloudtrail/global-events-duplicated");
    expect(duplicate?.level).toBe("note");
    // The organization trail's status is read once per scan, by its owner, not once per member.
    const statusReads = proxy.calls.filter(
      (call) => call.operation === "GetTrailStatus" && call.body.includes("trail/org-trail"),
    );
    expect(statusReads).toHaveLength(1);
  });

  it("reports an account whose role is refused as not assessed, and the rest as usual", async () => {
    const org = await seedOrganization(server.endpoint, OWN_TRAILS_SCENARIO);
    const refused = org.byKey("multi-eu");
    proxy.faults.push((call) =>
      call.operation === "AssumeRole" && decodeURIComponent(call.body).includes(`::${refused.id}:role/`)
        ? {
            status: 403,
            code: "AccessDenied",
            message: `User is not authorized to perform: sts:AssumeRole on ${refused.id}`,
          }
        : undefined,
    );
    const { findings, verdicts } = evaluateInventory(await scanOrganization(parseSettings({})));

    expect(verdicts.find((verdict) => verdict.accountId === refused.id)?.verdict).toBe("not-assessed");
    const notAssessed = findings.filter((finding) => finding.accountId === refused.id);
    expect(notAssessed.map((finding) => finding.ruleId)).toEqual(["cloudtrail/account-not-assessed"]);
    expect(notAssessed[0]!.message).toContain("AccessDenied");
    expect(notAssessed[0]!.message).toContain(`arn:aws:iam::${refused.id}:role/OrganizationAccountAccessRole`);
    expect(verdicts.find((verdict) => verdict.accountId === org.byKey("single-use1").id)?.verdict).toBe("compliant");
  });

  it("never calls an account compliant when us-east-1 fails and nothing else covers it", async () => {
    const org = await seedOrganization(server.endpoint, OWN_TRAILS_SCENARIO);
    const target = org.byKey("flag-off");
    // CloudTrail in us-east-1 answers 500 for this account only.
    const { id } = target;
    proxy.faults.push((call) =>
      call.operation === "DescribeTrails" && call.region === "us-east-1" && call.accountId === id
        ? { status: 500, code: "InternalFailure", message: "injected" }
        : undefined,
    );
    const inventory = await scanOrganization(parseSettings({}), { transport: { maxAttempts: 2 } });
    const { verdicts, findings } = evaluateInventory(inventory);
    const verdict = verdicts.find((item) => item.accountId === id);
    expect(verdict?.verdict).toBe("not-assessed");
    expect(verdict?.failedRegions).toEqual(["us-east-1"]);
    expect(findings.filter((finding) => finding.accountId === id).map((finding) => finding.ruleId)).toEqual([
      "cloudtrail/account-not-assessed",
    ]);
  });
});

describe.skipIf(!moto.available)("selecting accounts by organizational unit on moto", () => {
  let server: MotoServer;
  beforeAll(async () => {
    server = await startMoto();
    Object.assign(process.env, awsEnvironment(server.endpoint));
  });
  afterAll(async () => server?.stop());

  it("scans every account beneath the OUs, recursively, plus the listed accounts, less the exclusions", async () => {
    const org = await seedOrganization(server.endpoint, OWN_TRAILS_SCENARIO);
    const client = new OrganizationsClient({ region: "us-east-1" });
    const { OrganizationalUnit: parent } = await client.send(
      new CreateOrganizationalUnitCommand({ ParentId: org.rootId, Name: "workloads" }),
    );
    const { OrganizationalUnit: child } = await client.send(
      new CreateOrganizationalUnitCommand({ ParentId: parent!.Id!, Name: "prod" }),
    );
    const move = (key: string, to: string) =>
      client.send(
        new MoveAccountCommand({ AccountId: org.byKey(key).id, SourceParentId: org.rootId, DestinationParentId: to }),
      );
    await move("stopped", parent!.Id!);
    await move("no-trail", child!.Id!);
    await move("read-only", child!.Id!);

    const settings = parseSettings({
      "organizational-units": parent!.Id!,
      accounts: org.byKey("multi-eu").id,
      "exclude-accounts": org.byKey("read-only").id,
    });
    const inventory = await scanOrganization(settings);
    expect(inventory.accounts.map((account) => account.name).sort()).toEqual([
      "covered-multi-eu",
      "no-trail",
      "stopped-trail",
    ]);
  });
});
