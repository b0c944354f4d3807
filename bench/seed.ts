import {
  CloseAccountCommand,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import pLimit from "p-limit";
import {
  ALL_MANAGEMENT,
  MANAGEMENT_ACCOUNT_ID,
  seedTrails,
  type SeededAccount,
  type TrailSpec,
} from "../test/support/seed-org.js";

/**
 * A realistic organization of N accounts: most covered by their own multi-Region trail
 * (homed in various Regions), a few broken in each way the rules know, a few suspended;
 * 10 % directly under the root, the rest in OUs of about ACCOUNTS_PER_UNIT accounts (half
 * of them nested one level down), as large organizations are laid out.
 */
export const ACCOUNTS_PER_UNIT = 200;
const MIX: { share: number; name: string; trails: TrailSpec[]; suspended?: boolean }[] = [
  {
    share: 0.7,
    name: "covered",
    trails: [{ name: "audit", region: "us-east-1", multiRegion: true, logging: true, selectors: ALL_MANAGEMENT }],
  },
  {
    share: 0.05,
    name: "stopped",
    trails: [{ name: "audit", region: "eu-west-1", multiRegion: true, logging: false, selectors: ALL_MANAGEMENT }],
  },
  {
    share: 0.05,
    name: "ineffective",
    trails: [
      { name: "eu-audit", region: "eu-central-1", globalEvents: true, logging: true, selectors: ALL_MANAGEMENT },
    ],
  },
  { share: 0.05, name: "no-trail", trails: [] },
  {
    share: 0.04,
    name: "flag-off",
    trails: [{ name: "audit", region: "us-east-1", globalEvents: false, logging: true, selectors: ALL_MANAGEMENT }],
  },
  {
    share: 0.04,
    name: "writes-only",
    trails: [
      {
        name: "audit",
        region: "ap-southeast-2",
        multiRegion: true,
        logging: true,
        selectors: {
          advanced: [
            {
              Name: "w",
              FieldSelectors: [
                { Field: "eventCategory", Equals: ["Management"] },
                { Field: "readOnly", Equals: ["false"] },
              ],
            },
          ],
        },
      },
    ],
  },
  {
    share: 0.04,
    name: "duplicated",
    trails: [
      { name: "multi", region: "us-west-2", multiRegion: true, logging: true, selectors: ALL_MANAGEMENT },
      { name: "single", region: "us-east-1", globalEvents: true, logging: true, selectors: ALL_MANAGEMENT },
    ],
  },
  {
    share: 0.03,
    name: "read-only",
    trails: [
      {
        name: "audit",
        region: "us-east-1",
        multiRegion: true,
        logging: true,
        selectors: { basic: [{ ReadWriteType: "ReadOnly" }] },
      },
    ],
  },
];

export async function seedBenchOrganization(
  endpoint: string,
  accounts: number,
  log: (line: string) => void,
): Promise<void> {
  const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
  const base = { region: "us-east-1", endpoint, credentials };
  const organizations = new OrganizationsClient(base);
  const sts = new STSClient(base);
  await organizations.send(new CreateOrganizationCommand({ FeatureSet: "ALL" }));
  const { Roots } = await organizations.send(new ListRootsCommand({}));
  const rootId = Roots![0]!.Id!;
  const units: string[] = [];
  const unitCount = Math.ceil((accounts * 0.9) / ACCOUNTS_PER_UNIT);
  for (let index = 0; index < unitCount; index += 1) {
    // Every other OU beneath the previous one: a tree two levels deep.
    const parent = index % 2 === 1 ? units[index - 1]! : rootId;
    const { OrganizationalUnit } = await organizations.send(
      new CreateOrganizationalUnitCommand({ ParentId: parent, Name: `unit-${index}` }),
    );
    units.push(OrganizationalUnit!.Id!);
  }
  await seedTrails(
    endpoint,
    { key: "management", name: "management", id: MANAGEMENT_ACCOUNT_ID, trails: MIX[0]!.trails, expected: [] },
    credentials,
  );

  const limit = pLimit(8);
  let done = 0;
  const members = accounts - 1;
  await Promise.all(
    Array.from({ length: members }, (_, index) =>
      limit(async () => {
        const kind = kindFor(index);
        const suspended = index % 100 === 99;
        const created = await organizations.send(
          new CreateAccountCommand({ AccountName: `${kind.name}-${index}`, Email: `bench-${index}@example.com` }),
        );
        const id = created.CreateAccountStatus!.AccountId!;
        if (kind.trails.length > 0) {
          const { Credentials } = await sts.send(
            new AssumeRoleCommand({
              RoleArn: `arn:aws:iam::${id}:role/OrganizationAccountAccessRole`,
              RoleSessionName: "seed",
            }),
          );
          const account: SeededAccount = { key: String(index), name: kind.name, id, trails: kind.trails, expected: [] };
          await seedTrails(endpoint, account, {
            accessKeyId: Credentials!.AccessKeyId!,
            secretAccessKey: Credentials!.SecretAccessKey!,
            sessionToken: Credentials!.SessionToken!,
          });
        }
        if (index % 10 !== 0 && units.length > 0) {
          await organizations.send(
            new MoveAccountCommand({
              AccountId: id,
              SourceParentId: rootId,
              DestinationParentId: units[index % units.length]!,
            }),
          );
        }
        if (suspended) await organizations.send(new CloseAccountCommand({ AccountId: id }));
        done += 1;
        if (done % 200 === 0) log(`seeded ${done}/${members} member accounts`);
      }),
    ),
  );
  // Keep the clients' sockets from holding the process open.
  for (const client of [organizations, sts]) client.destroy();
}

function kindFor(index: number) {
  // Golden-ratio steps spread the kinds evenly through the org, so every page and shard sees the mix.
  const fraction = (index * 0.6180339887) % 1;
  let cumulative = 0;
  for (const kind of MIX) {
    cumulative += kind.share;
    if (fraction < cumulative) return kind;
  }
  return MIX[0]!;
}
