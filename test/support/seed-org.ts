import {
  CloudTrailClient,
  CreateTrailCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
  StopLoggingCommand,
  type AdvancedEventSelector,
  type EventSelector,
} from "@aws-sdk/client-cloudtrail";
import {
  CloseAccountCommand,
  CreateAccountCommand,
  CreateOrganizationCommand,
  ListRootsCommand,
  OrganizationsClient,
  TagResourceCommand,
} from "@aws-sdk/client-organizations";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity } from "@smithy/types";
import type { RuleId } from "../../src/rules/catalog.js";

/**
 * Seeds moto, through the real SDK, with an organization whose accounts carry the trail
 * shapes of every rule. Each account states the rule ids the scan must give it; the
 * tests compare them exactly. moto gives new trails no selectors (AWS gives the
 * management default), so every trail here sets its selectors explicitly.
 */
export const MANAGEMENT_ACCOUNT_ID = "123456789012";

export interface TrailSpec {
  name: string;
  region: string;
  multiRegion?: boolean;
  /** IncludeGlobalServiceEvents; AWS's default is true. */
  globalEvents?: boolean;
  organization?: boolean;
  logging: boolean;
  selectors: { basic: EventSelector[] } | { advanced: AdvancedEventSelector[] };
}

export interface AccountSpec {
  key: string;
  name: string;
  trails: TrailSpec[];
  expected: RuleId[];
  suspended?: boolean;
  tags?: Record<string, string>;
}

export interface Scenario {
  /** The management account's own trails (it is the caller). */
  management: Omit<AccountSpec, "key" | "name"> & { name?: string };
  members: AccountSpec[];
}

export const ALL_MANAGEMENT: TrailSpec["selectors"] = {
  advanced: [{ Name: "Management events", FieldSelectors: [{ Field: "eventCategory", Equals: ["Management"] }] }],
};
export const WRITES_ONLY: TrailSpec["selectors"] = {
  advanced: [
    {
      Name: "Writes",
      FieldSelectors: [
        { Field: "eventCategory", Equals: ["Management"] },
        { Field: "readOnly", Equals: ["false"] },
      ],
    },
  ],
};
const BASIC_ALL: TrailSpec["selectors"] = { basic: [{ ReadWriteType: "All", IncludeManagementEvents: true }] };
export const BASIC_READ_ONLY: TrailSpec["selectors"] = {
  basic: [{ ReadWriteType: "ReadOnly", IncludeManagementEvents: true }],
};
const DATA_ONLY: TrailSpec["selectors"] = {
  basic: [
    {
      ReadWriteType: "All",
      IncludeManagementEvents: false,
      DataResources: [{ Type: "AWS::S3::Object", Values: ["arn:aws:s3"] }],
    },
  ],
};

/** No organization trail: each account stands on its own trails. */
export const OWN_TRAILS_SCENARIO: Scenario = {
  management: {
    trails: [
      { name: "management-trail", region: "us-east-1", multiRegion: true, logging: true, selectors: ALL_MANAGEMENT },
    ],
    expected: [],
  },
  members: [
    {
      key: "multi-eu",
      name: "covered-multi-eu",
      trails: [{ name: "audit", region: "eu-west-1", multiRegion: true, logging: true, selectors: BASIC_ALL }],
      expected: [],
    },
    {
      key: "single-use1",
      name: "covered-single-us-east-1",
      trails: [{ name: "audit", region: "us-east-1", globalEvents: true, logging: true, selectors: ALL_MANAGEMENT }],
      expected: ["cloudtrail/global-events-single-region"],
    },
    {
      key: "ineffective",
      name: "ineffective-flag-only",
      trails: [{ name: "eu-only", region: "eu-west-1", globalEvents: true, logging: true, selectors: ALL_MANAGEMENT }],
      expected: ["cloudtrail/global-events-not-recorded"],
    },
    {
      key: "stopped",
      name: "stopped-trail",
      trails: [{ name: "audit", region: "us-west-2", multiRegion: true, logging: false, selectors: ALL_MANAGEMENT }],
      expected: ["cloudtrail/global-events-not-recorded"],
    },
    {
      key: "read-only",
      name: "read-only-trail",
      trails: [{ name: "audit", region: "us-east-1", multiRegion: true, logging: true, selectors: BASIC_READ_ONLY }],
      expected: ["cloudtrail/global-events-not-recorded"],
    },
    {
      key: "data-only",
      name: "data-events-only",
      trails: [{ name: "data", region: "us-east-1", multiRegion: true, logging: true, selectors: DATA_ONLY }],
      expected: ["cloudtrail/global-events-not-recorded"],
    },
    {
      key: "writes-only",
      name: "writes-only-trail",
      trails: [{ name: "audit", region: "ap-southeast-2", multiRegion: true, logging: true, selectors: WRITES_ONLY }],
      expected: ["cloudtrail/global-events-reads-not-recorded"],
    },
    {
      key: "duplicated",
      name: "duplicated-trails",
      trails: [
        { name: "multi", region: "us-east-1", multiRegion: true, logging: true, selectors: ALL_MANAGEMENT },
        { name: "single", region: "us-east-1", globalEvents: true, logging: true, selectors: BASIC_ALL },
        // Stopped: receives nothing, so no duplicate.
        { name: "stopped", region: "us-east-1", globalEvents: true, logging: false, selectors: ALL_MANAGEMENT },
      ],
      expected: ["cloudtrail/global-events-duplicated"],
    },
    {
      key: "flag-off",
      name: "us-east-1-flag-off",
      trails: [{ name: "audit", region: "us-east-1", globalEvents: false, logging: true, selectors: ALL_MANAGEMENT }],
      expected: ["cloudtrail/global-events-not-recorded"],
    },
    { key: "no-trail", name: "no-trail", trails: [], expected: ["cloudtrail/global-events-not-recorded"] },
    { key: "suspended", name: "suspended-account", trails: [], expected: [], suspended: true },
  ],
};

/** An organization trail covers every member: no false alarm for members without trails of their own. */
export const ORGANIZATION_TRAIL_SCENARIO: Scenario = {
  management: {
    trails: [
      {
        name: "org-trail",
        region: "us-east-1",
        multiRegion: true,
        organization: true,
        logging: true,
        selectors: ALL_MANAGEMENT,
      },
    ],
    expected: [],
  },
  members: [
    { key: "org-only-1", name: "org-covered-1", trails: [], expected: [] },
    { key: "org-only-2", name: "org-covered-2", trails: [], expected: [] },
    {
      key: "org-plus-own",
      name: "org-plus-own-trail",
      trails: [{ name: "own", region: "eu-central-1", multiRegion: true, logging: true, selectors: ALL_MANAGEMENT }],
      expected: ["cloudtrail/global-events-duplicated"],
    },
    {
      key: "org-plus-ineffective",
      name: "org-plus-ineffective",
      trails: [{ name: "eu-only", region: "eu-west-2", globalEvents: true, logging: true, selectors: ALL_MANAGEMENT }],
      expected: ["cloudtrail/global-events-flag-ineffective"],
    },
    {
      key: "org-plus-stopped",
      name: "org-plus-stopped",
      trails: [{ name: "old", region: "us-east-1", multiRegion: true, logging: false, selectors: ALL_MANAGEMENT }],
      expected: [],
    },
    { key: "org-closed", name: "org-closed", trails: [], expected: [], suspended: true },
    { key: "org-only-3", name: "org-covered-3", trails: [], expected: [] },
    { key: "org-only-4", name: "org-covered-4", trails: [], expected: [] },
  ],
};

/** For the remediation-issue lifecycle: a few accounts that need an issue, owners from each source. */
export const ISSUES_SCENARIO: Scenario = {
  management: {
    trails: [
      { name: "management-trail", region: "us-east-1", multiRegion: true, logging: true, selectors: ALL_MANAGEMENT },
    ],
    expected: [],
  },
  members: [
    {
      key: "tagged",
      name: "payments",
      tags: { "github-owner": "alice, not a login!" },
      trails: [{ name: "audit", region: "us-east-1", multiRegion: true, logging: false, selectors: ALL_MANAGEMENT }],
      expected: ["cloudtrail/global-events-not-recorded"],
    },
    {
      key: "by-file",
      name: "data <img src=x onerror=alert(1)>",
      trails: [],
      expected: ["cloudtrail/global-events-not-recorded"],
    },
    {
      key: "by-ou",
      name: "| **pwned** |",
      trails: [{ name: "eu-only", region: "eu-west-1", globalEvents: true, logging: true, selectors: ALL_MANAGEMENT }],
      expected: ["cloudtrail/global-events-not-recorded"],
    },
    {
      key: "unowned",
      name: "sandbox",
      trails: [{ name: "audit", region: "us-east-1", globalEvents: false, logging: true, selectors: ALL_MANAGEMENT }],
      expected: ["cloudtrail/global-events-not-recorded"],
    },
    {
      key: "notes-only",
      name: "analytics",
      trails: [{ name: "audit", region: "us-east-1", multiRegion: true, logging: true, selectors: WRITES_ONLY }],
      expected: ["cloudtrail/global-events-reads-not-recorded"],
    },
  ],
};

export interface SeededAccount extends AccountSpec {
  id: string;
}

export interface SeededOrganization {
  organizationId: string;
  rootId: string;
  accounts: SeededAccount[];
  byKey(key: string): SeededAccount;
}

export async function seedOrganization(endpoint: string, scenario: Scenario): Promise<SeededOrganization> {
  const base = { region: "us-east-1", endpoint, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } };
  const organizations = new OrganizationsClient(base);
  const { Organization } = await organizations.send(new CreateOrganizationCommand({ FeatureSet: "ALL" }));
  const { Roots } = await organizations.send(new ListRootsCommand({}));
  const rootId = Roots?.[0]?.Id ?? "";
  const sts = new STSClient(base);

  const management: SeededAccount = {
    key: "management",
    name: "management",
    ...scenario.management,
    id: MANAGEMENT_ACCOUNT_ID,
  };
  const accounts: SeededAccount[] = [management];
  await seedTrails(endpoint, management, base.credentials);
  for (const spec of scenario.members) {
    const created = await organizations.send(
      new CreateAccountCommand({ AccountName: spec.name, Email: `${spec.key}@example.com` }),
    );
    const id = created.CreateAccountStatus?.AccountId ?? "";
    const account: SeededAccount = { ...spec, id };
    accounts.push(account);
    if (spec.tags) {
      await organizations.send(
        new TagResourceCommand({
          ResourceId: id,
          Tags: Object.entries(spec.tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
    }
    if (spec.trails.length > 0) {
      const { Credentials } = await sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${id}:role/OrganizationAccountAccessRole`,
          RoleSessionName: "seed",
        }),
      );
      await seedTrails(endpoint, account, {
        accessKeyId: Credentials!.AccessKeyId!,
        secretAccessKey: Credentials!.SecretAccessKey!,
        sessionToken: Credentials!.SessionToken!,
      });
    }
    if (spec.suspended) await organizations.send(new CloseAccountCommand({ AccountId: id }));
  }
  return {
    organizationId: Organization?.Id ?? "",
    rootId,
    accounts,
    byKey: (key) => {
      const found = accounts.find((account) => account.key === key);
      if (!found) throw new Error(`no seeded account ${key}`);
      return found;
    },
  };
}

export async function seedTrails(
  endpoint: string,
  account: SeededAccount,
  credentials: AwsCredentialIdentity,
): Promise<void> {
  if (account.trails.length === 0) return;
  const bucket = `trails-${account.id}`;
  await new S3Client({ region: "us-east-1", endpoint, credentials, forcePathStyle: true }).send(
    new CreateBucketCommand({ Bucket: bucket }),
  );
  for (const trail of account.trails) {
    const cloudTrail = new CloudTrailClient({ region: trail.region, endpoint, credentials });
    await cloudTrail.send(
      new CreateTrailCommand({
        Name: trail.name,
        S3BucketName: bucket,
        IsMultiRegionTrail: trail.multiRegion ?? false,
        IncludeGlobalServiceEvents: trail.multiRegion ? true : (trail.globalEvents ?? true),
        IsOrganizationTrail: trail.organization ?? false,
      }),
    );
    // moto resolves these by name only (by ARN it answers 500), and in the home Region.
    if ("basic" in trail.selectors) {
      await cloudTrail.send(
        new PutEventSelectorsCommand({ TrailName: trail.name, EventSelectors: trail.selectors.basic }),
      );
    } else {
      await cloudTrail.send(
        new PutEventSelectorsCommand({ TrailName: trail.name, AdvancedEventSelectors: trail.selectors.advanced }),
      );
    }
    if (trail.logging) await cloudTrail.send(new StartLoggingCommand({ Name: trail.name }));
  }
}

export async function setTrailLogging(
  endpoint: string,
  accountId: string,
  trail: TrailSpec,
  logging: boolean,
): Promise<void> {
  const credentials =
    accountId === MANAGEMENT_ACCOUNT_ID
      ? { accessKeyId: "testing", secretAccessKey: "testing" }
      : await assumeInto(endpoint, accountId);
  const cloudTrail = new CloudTrailClient({ region: trail.region, endpoint, credentials });
  await cloudTrail.send(
    logging ? new StartLoggingCommand({ Name: trail.name }) : new StopLoggingCommand({ Name: trail.name }),
  );
}

export async function assumeInto(endpoint: string, accountId: string): Promise<AwsCredentialIdentity> {
  const sts = new STSClient({
    region: "us-east-1",
    endpoint,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
  const { Credentials } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${accountId}:role/OrganizationAccountAccessRole`,
      RoleSessionName: "seed",
    }),
  );
  return {
    accessKeyId: Credentials!.AccessKeyId!,
    secretAccessKey: Credentials!.SecretAccessKey!,
    sessionToken: Credentials!.SessionToken!,
  };
}
