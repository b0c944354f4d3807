import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { GetRoleCommand, GetRolePolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { motoAvailability, startMoto, type MotoServer } from "./support/moto-server.js";

/**
 * The IAM templates grant exactly what the scanner calls. The calls are derived from the
 * code itself (every SDK command and paginator it imports), not from a second list.
 */
const IAM_PREFIX: Record<string, string> = {
  cloudtrail: "cloudtrail",
  organizations: "organizations",
  sts: "sts",
  ec2: "ec2",
};
// Answers for any credentials: AWS requires no permission for it.
const NEEDS_NO_PERMISSION = new Set(["sts:GetCallerIdentity"]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith(".ts")
        ? [join(dir, entry.name)]
        : [],
  );
}

function callsIn(file: string): Set<string> {
  const calls = new Set<string>();
  const text = readFileSync(file, "utf8");
  for (const match of text.matchAll(/import\s*\{([^}]+)\}\s*from\s*"@aws-sdk\/client-([a-z0-9-]+)"/g)) {
    const prefix = IAM_PREFIX[match[2]!];
    if (!prefix)
      throw new Error(
        `${file} imports @aws-sdk/client-${match[2]}: add its IAM prefix here and its actions to deploy/`,
      );
    for (const raw of match[1]!.split(",")) {
      const name = raw.trim().replace(/^type\s+/, "");
      const operation = /^paginate(\w+)$/.exec(name)?.[1] ?? /^(\w+)Command$/.exec(name)?.[1];
      if (operation) calls.add(`${prefix}:${operation}`);
    }
  }
  return calls;
}

// The modules that run with the audit role's credentials in each account.
const memberAccountCalls = new Set(
  ["src/aws/account-trails.ts", "src/aws/event-data-stores.ts"].flatMap((file) => [...callsIn(file)]),
);
const allCalls = new Set(
  sourceFiles("src")
    .flatMap((file) => [...callsIn(file)])
    .filter((call) => !NEEDS_NO_PERMISSION.has(call)),
);

function policyActions(template: string): string[] {
  const parsed = parseYaml(readFileSync(template, "utf8"));
  const role = Object.values(parsed.Resources as Record<string, { Type: string; Properties: any }>).find(
    (resource) => resource.Type === "AWS::IAM::Role",
  )!;
  return role.Properties.Policies.flatMap((policy: any) =>
    policy.PolicyDocument.Statement.flatMap((statement: any) => statement.Action),
  ).sort();
}

describe("least-privilege IAM templates", () => {
  it("derives the scanner's calls from the code", () => {
    // A sanity check on the derivation itself: these calls certainly happen.
    expect(memberAccountCalls).toEqual(
      new Set([
        "cloudtrail:DescribeTrails",
        "cloudtrail:GetEventDataStore",
        "cloudtrail:GetEventSelectors",
        "cloudtrail:GetTrailStatus",
        "cloudtrail:ListEventDataStores",
        "cloudtrail:ListTrails",
        "ec2:DescribeRegions",
      ]),
    );
    expect(allCalls.has("organizations:ListAccounts")).toBe(true);
    expect(allCalls.has("sts:AssumeRole")).toBe(true);
  });

  it("the audit role allows exactly the calls made in member accounts", () => {
    expect(policyActions("deploy/audit-role.yaml")).toEqual([...memberAccountCalls].sort());
  });

  it("the scanning role allows exactly the calls made with the caller's credentials", () => {
    expect(policyActions("deploy/scanning-role.yaml")).toEqual([...allCalls].sort());
  });
});

const moto = motoAvailability();

describe.skipIf(!moto.available)("the templates deploy (moto's CloudFormation)", () => {
  let server: MotoServer;
  let cloudFormation: CloudFormationClient;
  let iam: IAMClient;
  beforeAll(async () => {
    server = await startMoto();
    const config = {
      region: "us-east-1",
      endpoint: server.endpoint,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    };
    cloudFormation = new CloudFormationClient(config);
    iam = new IAMClient(config);
  });
  afterAll(async () => server?.stop());

  const deploy = async (name: string, template: string, parameters: Record<string, string>) => {
    await cloudFormation.send(
      new CreateStackCommand({
        StackName: name,
        TemplateBody: readFileSync(template, "utf8"),
        Capabilities: ["CAPABILITY_NAMED_IAM"],
        Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({
          ParameterKey,
          ParameterValue,
        })),
      }),
    );
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: name }));
    return Stacks![0]!;
  };
  const inlinePolicy = async (roleName: string, policyName: string) => {
    const { PolicyDocument } = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }));
    return parsePolicy(PolicyDocument!);
  };

  it("creates the audit role, trusting only the scanning role, with the ExternalId condition", async () => {
    const stack = await deploy("org-trail-audit-role", "deploy/audit-role.yaml", {
      ScanningRoleArn: "arn:aws:iam::123456789012:role/OrgTrailAuditScanner",
      ExternalId: "ext-1234",
    });
    expect(stack.StackStatus).toBe("CREATE_COMPLETE");
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: "OrgTrailAuditRole" }));
    expect(Role!.Path).toBe("/org-trail-audit/");
    const trust = parsePolicy(Role!.AssumeRolePolicyDocument!);
    expect(trust.Statement).toEqual([
      expect.objectContaining({
        Principal: { AWS: "arn:aws:iam::123456789012:role/OrgTrailAuditScanner" },
        Condition: { StringEquals: { "sts:ExternalId": "ext-1234" } },
      }),
    ]);
    const policy = await inlinePolicy("OrgTrailAuditRole", "org-trail-audit-read");
    expect(policy.Statement.flatMap((statement: any) => statement.Action).sort()).toEqual(
      [...memberAccountCalls].sort(),
    );
  });

  it("creates the scanning role with OIDC trust scoped to one repository and branch", async () => {
    const stack = await deploy("org-trail-audit-scanner", "deploy/scanning-role.yaml", {
      GitHubOidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
      GitHubRepository: "acme/platform",
    });
    expect(stack.StackStatus).toBe("CREATE_COMPLETE");
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: "OrgTrailAuditScanner" }));
    const trust = parsePolicy(Role!.AssumeRolePolicyDocument!);
    expect(trust.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"]).toBe(
      "repo:acme/platform:ref:refs/heads/main",
    );
    const policy = await inlinePolicy("OrgTrailAuditScanner", "org-trail-audit-scan");
    const assume = policy.Statement.find((statement: any) => statement.Sid === "AssumeTheAuditRoleOnly");
    expect(assume.Resource).toBe("arn:aws:iam::*:role/org-trail-audit/OrgTrailAuditRole");
  });
});

/** AWS returns policy documents as URL-encoded JSON; moto 5 returns inline policies as Python's repr of a dict. */
function parsePolicy(document: string): any {
  const text = decodeURIComponent(document);
  try {
    return JSON.parse(text);
  } catch {
    return JSON.parse(text.replace(/'/g, '"'));
  }
}
