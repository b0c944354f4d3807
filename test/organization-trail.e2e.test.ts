import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import {
  CloudTrailClient,
  CreateTrailCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
  type AdvancedEventSelector,
} from "@aws-sdk/client-cloudtrail";
import { GetBucketEncryptionCommand, HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsEnvironment, motoAvailability, startMoto, type MotoServer } from "./support/moto-server.js";
import { runAction } from "./support/run-action.js";
import {
  ALL_MANAGEMENT,
  MANAGEMENT_ACCOUNT_ID,
  seedOrganization,
  type Scenario,
  type SeededOrganization,
} from "./support/seed-org.js";

/**
 * deploy/organization-trail.yaml, the organization-level fix the plan proposes. What moto's
 * CloudFormation cannot create is checked in the template's text: moto 5.2 skips
 * AWS::S3::BucketPolicy and AWS::CloudTrail::Trail (warning "not supported by moto's
 * CloudFormation implementation") and ignores the bucket's public access block, versioning
 * and ownership properties. It does create the bucket, its encryption and the KMS key.
 */
const TEMPLATE = "deploy/organization-trail.yaml";
const template = parseYaml(readFileSync(TEMPLATE, "utf8"));
const resources = template.Resources as Record<
  string,
  { Type: string; Condition?: string; DependsOn?: string; Properties: any }
>;
const ofType = (type: string) => Object.values(resources).filter((resource) => resource.Type === type);
const TRAIL_ARN = { "Fn::Sub": "arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/${TrailName}" };

describe("the organization trail template, as written", () => {
  it("creates one multi-Region organization trail that logs every management event, with log file validation", () => {
    const [trail] = ofType("AWS::CloudTrail::Trail");
    expect(trail!.Properties).toMatchObject({
      IsOrganizationTrail: true,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      IsLogging: true,
      AdvancedEventSelectors: [
        { Name: "Management events", FieldSelectors: [{ Field: "eventCategory", Equals: ["Management"] }] },
      ],
    });
    // The trail is created only once CloudTrail may write to its bucket.
    expect(trail!.DependsOn).toBe("LogBucketPolicy");
  });

  it("keeps the bucket private and versioned", () => {
    const [bucket] = ofType("AWS::S3::Bucket");
    expect(bucket!.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket!.Properties.VersioningConfiguration).toEqual({ Status: "Enabled" });
  });

  it("lets only CloudTrail write, for this trail and this organization, as AWS documents for organization trails", () => {
    const [policy] = ofType("AWS::S3::BucketPolicy");
    const statements = policy!.Properties.PolicyDocument.Statement as any[];
    const allows = statements.filter((statement) => statement.Effect === "Allow");
    for (const statement of allows) {
      expect(statement.Principal).toEqual({ Service: "cloudtrail.amazonaws.com" });
      expect(statement.Condition.StringEquals["aws:SourceArn"]).toEqual(TRAIL_ARN);
    }
    const writes = allows.filter((statement) => statement.Action === "s3:PutObject");
    expect(writes.map((statement) => statement.Resource["Fn::Sub"]).sort()).toEqual([
      "arn:${AWS::Partition}:s3:::${LogBucket}/AWSLogs/${AWS::AccountId}/*",
      "arn:${AWS::Partition}:s3:::${LogBucket}/AWSLogs/${OrganizationId}/*",
    ]);
    for (const statement of writes)
      expect(statement.Condition.StringEquals["s3:x-amz-acl"]).toBe("bucket-owner-full-control");
    const organizationWrite = writes.find((statement) => statement.Resource["Fn::Sub"].includes("${OrganizationId}"));
    expect(organizationWrite.Condition.StringEquals["aws:SourceOrgID"]).toEqual({ Ref: "OrganizationId" });
    expect(allows.find((statement) => statement.Action === "s3:GetBucketAcl")).toBeDefined();
    expect(statements.find((statement) => statement.Effect === "Deny")?.Condition).toEqual({
      Bool: { "aws:SecureTransport": "false" },
    });
  });

  it("encrypts with its own KMS key only when asked, and that key lets CloudTrail encrypt for this trail", () => {
    const key = resources.TrailKey!;
    expect(key.Condition).toBe("WithKmsKey");
    const cloudTrail = (key.Properties.KeyPolicy.Statement as any[]).find(
      (statement) => statement.Action === "kms:GenerateDataKey*",
    );
    expect(cloudTrail.Principal).toEqual({ Service: "cloudtrail.amazonaws.com" });
    expect(cloudTrail.Condition.StringEquals["aws:SourceArn"]).toEqual(TRAIL_ARN);
    expect(ofType("AWS::CloudTrail::Trail")[0]!.Properties.KMSKeyId["Fn::If"][0]).toBe("WithKmsKey");
  });
});

const moto = motoAvailability();

/** Members that no trail covers, for three causes; the management account has no trail of its own. */
const UNCOVERED: Scenario = {
  management: { trails: [], expected: [] },
  members: [
    {
      key: "eu-only",
      name: "eu-only",
      trails: [{ name: "eu-audit", region: "eu-west-1", globalEvents: true, logging: true, selectors: ALL_MANAGEMENT }],
      expected: ["cloudtrail/global-events-not-recorded"],
    },
    { key: "none", name: "no-trail", trails: [], expected: ["cloudtrail/global-events-not-recorded"] },
    {
      key: "stopped",
      name: "stopped",
      trails: [{ name: "audit", region: "us-west-2", multiRegion: true, logging: false, selectors: ALL_MANAGEMENT }],
      expected: ["cloudtrail/global-events-not-recorded"],
    },
  ],
};

describe.skipIf(!moto.available)("the organization-level fix, deployed on moto", () => {
  let server: MotoServer;
  let org: SeededOrganization;
  const config = () => ({
    region: "us-east-1",
    endpoint: server.endpoint,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
  const scan = () =>
    runAction(
      { "fail-on": "error", "report-file": "report.json" },
      awsEnvironment(server.endpoint),
      mkdtempSync(join(tmpdir(), "ota-org-trail-")),
    );

  beforeAll(async () => {
    server = await startMoto();
    org = await seedOrganization(server.endpoint, UNCOVERED);
  });
  afterAll(async () => server?.stop());

  it("before: the plan proposes the organization trail for the three uncovered members, naming the template", async () => {
    const run = await scan();
    expect(run.code).toBe(1);
    expect(run.outputs["noncompliant-accounts"]).toBe("4");
    // The management account and the three members: one organization trail covers all four.
    expect(run.summary).toContain("would cover **4 accounts**");
    expect(run.summary).toContain("no account records its own copy");
    expect(run.summary).toContain(
      `--template-file deploy/organization-trail.yaml --parameter-overrides OrganizationId=${org.organizationId}`,
    );
  });

  it("the stack creates on moto's CloudFormation (bucket and, when asked, the KMS key and SSE-KMS)", async () => {
    const cloudFormation = new CloudFormationClient(config());
    await cloudFormation.send(
      new CreateStackCommand({
        StackName: "org-trail-audit-organization-trail",
        TemplateBody: readFileSync(TEMPLATE, "utf8"),
        Parameters: [
          { ParameterKey: "OrganizationId", ParameterValue: org.organizationId },
          { ParameterKey: "UseKmsKey", ParameterValue: "true" },
        ],
      }),
    );
    const { Stacks } = await cloudFormation.send(
      new DescribeStacksCommand({ StackName: "org-trail-audit-organization-trail" }),
    );
    expect(Stacks![0]!.StackStatus).toBe("CREATE_COMPLETE");
    const outputs = Object.fromEntries(
      (Stacks![0]!.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]),
    );
    expect(outputs.BucketName).toBe(`org-trail-audit-${MANAGEMENT_ACCOUNT_ID}-us-east-1`);
    expect(outputs.TrailArn).toBe(
      `arn:aws:cloudtrail:us-east-1:${MANAGEMENT_ACCOUNT_ID}:trail/org-trail-audit-organization`,
    );
    const s3 = new S3Client({ ...config(), forcePathStyle: true });
    await s3.send(new HeadBucketCommand({ Bucket: outputs.BucketName! }));
    const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket: outputs.BucketName! }));
    expect(
      encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm,
    ).toBe("aws:kms");
  });

  it("after: with the template's trail in place, every previously uncovered member is compliant", async () => {
    // moto's CloudFormation skips AWS::CloudTrail::Trail: create it through the API, with the template's own properties.
    const properties = ofType("AWS::CloudTrail::Trail")[0]!.Properties;
    const cloudTrail = new CloudTrailClient(config());
    const name = template.Parameters.TrailName.Default as string;
    await cloudTrail.send(
      new CreateTrailCommand({
        Name: name,
        S3BucketName: `org-trail-audit-${MANAGEMENT_ACCOUNT_ID}-us-east-1`,
        IsOrganizationTrail: properties.IsOrganizationTrail,
        IsMultiRegionTrail: properties.IsMultiRegionTrail,
        IncludeGlobalServiceEvents: properties.IncludeGlobalServiceEvents,
        EnableLogFileValidation: properties.EnableLogFileValidation,
      }),
    );
    await cloudTrail.send(
      new PutEventSelectorsCommand({
        TrailName: name,
        AdvancedEventSelectors: properties.AdvancedEventSelectors as AdvancedEventSelector[],
      }),
    );
    if (properties.IsLogging) await cloudTrail.send(new StartLoggingCommand({ Name: name }));

    const run = await scan();
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs["noncompliant-accounts"]).toBe("0");
    const report = JSON.parse(readFileSync(join(run.workspace, "report.json"), "utf8"));
    for (const key of ["eu-only", "none", "stopped"]) {
      const verdict = report.verdicts.find((item: { accountId: string }) => item.accountId === org.byKey(key).id);
      expect(verdict).toMatchObject({
        verdict: "compliant",
        coveredBy: [`arn:aws:cloudtrail:us-east-1:${MANAGEMENT_ACCOUNT_ID}:trail/${name}`],
      });
    }
    expect(report.plan.organizationFix).toBeUndefined();
    expect(run.summary).toContain("Nothing to do");
  });
});
