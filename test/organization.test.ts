import {
  CreateOrganizationalUnitCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { scanOrganization } from "../src/aws/scan.js";
import { unitPath } from "../src/organizational-units.js";
import { parseSettings } from "../src/settings.js";
import { startAwsProxy, type AwsProxy } from "./support/aws-proxy.js";
import { awsEnvironment, motoAvailability, startMoto, type MotoServer } from "./support/moto-server.js";
import { seedOrganization, type Scenario, type SeededOrganization } from "./support/seed-org.js";

const moto = motoAvailability();

// 64 members without trails, spread over nested OUs below: listing is what is under test.
const WIDE_ORGANIZATION: Scenario = {
  management: { trails: [], expected: [] },
  members: Array.from({ length: 64 }, (_, index) => ({
    key: `m${index}`,
    name: `member-${index}`,
    trails: [],
    expected: ["cloudtrail/global-events-not-recorded"],
  })),
};

/** Listing at AWS's page size (20, enforced by the proxy), raced by the OU walk. */
describe.skipIf(!moto.available)("listing a large organization", () => {
  let server: MotoServer;
  let proxy: AwsProxy;
  let org: SeededOrganization;
  /** Each root and OU's path, and each member's parent, as seeded. */
  const paths = new Map<string, string>();
  const parentOf = new Map<string, string>();

  beforeAll(async () => {
    server = await startMoto();
    proxy = await startAwsProxy(server.endpoint);
    proxy.organizationsPageSize = 20;
    Object.assign(process.env, awsEnvironment(proxy.endpoint));
    org = await seedOrganization(server.endpoint, WIDE_ORGANIZATION);
    // root → 4 OUs, each with 2 child OUs; accounts spread over root, OUs and child OUs.
    const client = new OrganizationsClient({
      region: "us-east-1",
      endpoint: server.endpoint,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    const parents: string[] = [org.rootId];
    paths.set(org.rootId, "Root");
    for (let top = 0; top < 4; top += 1) {
      const { OrganizationalUnit: unit } = await client.send(
        new CreateOrganizationalUnitCommand({ ParentId: org.rootId, Name: `top-${top}` }),
      );
      parents.push(unit!.Id!);
      paths.set(unit!.Id!, `Root/top-${top}`);
      for (let child = 0; child < 2; child += 1) {
        const { OrganizationalUnit: nested } = await client.send(
          new CreateOrganizationalUnitCommand({ ParentId: unit!.Id!, Name: `top-${top}-${child}` }),
        );
        parents.push(nested!.Id!);
        paths.set(nested!.Id!, `Root/top-${top}/top-${top}-${child}`);
      }
    }
    const members = org.accounts.filter((account) => account.key !== "management");
    for (const [index, account] of members.entries()) {
      const to = parents[index % parents.length]!;
      parentOf.set(account.id, to);
      if (to !== org.rootId)
        await client.send(
          new MoveAccountCommand({ AccountId: account.id, SourceParentId: org.rootId, DestinationParentId: to }),
        );
    }
    client.destroy();
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
  });
  beforeEach(() => {
    proxy.faults.length = 0;
    proxy.calls.length = 0;
  });

  const listedIds = async () => {
    const inventory = await scanOrganization(parseSettings({ regions: "us-east-1" }));
    return inventory.accounts.map((account) => account.id);
  };

  it("lists every account exactly once, asking for 20 a page, with the OU walk racing the ListAccounts chain", async () => {
    const ids = await listedIds();
    expect(ids.sort()).toEqual(org.accounts.map((account) => account.id).sort());
    const listCalls = proxy.calls.filter(
      (call) =>
        call.service === "organizations" &&
        call.operation.startsWith("List") &&
        call.operation !== "ListTagsForResource",
    );
    for (const call of listCalls.filter((item) => item.operation !== "ListRoots"))
      expect(JSON.parse(call.body).MaxResults).toBe(20);
    // 65 accounts: more than one page, so the walk started, once.
    expect(proxy.count("ListRoots")).toBe(1);
    expect(proxy.count("ListAccountsForParent")).toBeGreaterThan(0);
  });

  it("still lists everything when the walk is refused (ListRoots denied), from the chain alone", async () => {
    proxy.faults.push((call) =>
      call.operation === "ListRoots"
        ? { status: 400, code: "AccessDeniedException", message: "not authorized to perform: organizations:ListRoots" }
        : undefined,
    );
    expect((await listedIds()).sort()).toEqual(org.accounts.map((account) => account.id).sort());
    expect(proxy.count("ListAccounts")).toBe(4);
  });

  it("still lists everything when the chain fails midway, from the walk", async () => {
    let pages = 0;
    proxy.faults.push((call) =>
      call.operation === "ListAccounts" && ++pages > 1
        ? { status: 400, code: "AccessDeniedException", message: "denied midway" }
        : undefined,
    );
    expect((await listedIds()).sort()).toEqual(org.accounts.map((account) => account.id).sort());
  });

  it("records every account's OU path, and selects the accounts beneath a nested OU", async () => {
    const inventory = await scanOrganization(parseSettings({ regions: "us-east-1" }));
    for (const account of inventory.accounts) {
      const expected = paths.get(parentOf.get(account.id) ?? org.rootId);
      expect(unitPath(inventory.organizationalUnits, account.parentId), account.id).toBe(expected);
    }
    const [, top] = [...paths.keys()];
    const nestedPaths = [...paths].filter(([, path]) => path.startsWith(`${paths.get(top!)}`)).map(([id]) => id);
    const beneath = [...parentOf]
      .filter(([, parent]) => nestedPaths.includes(parent))
      .map(([id]) => id)
      .sort();
    const selected = await scanOrganization(parseSettings({ regions: "us-east-1", "organizational-units": top! }));
    expect(selected.accounts.map((account) => account.id).sort()).toEqual(beneath);
    expect(beneath.length).toBeGreaterThan(4);
    await expect(
      scanOrganization(parseSettings({ regions: "us-east-1", "organizational-units": "ou-zzzz-zzzzzzzz" })),
    ).rejects.toThrow(/names ou-zzzz-zzzzzzzz, which this organization does not hold/);
  });
});
