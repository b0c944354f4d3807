import { describe, expect, it } from "vitest";
import type { AccountRecord, EventDataStoreRecord, Failure, Inventory, TrailRecord } from "../src/inventory.js";
import { CAUSE_PLANS, LEVEL_RANK, type RuleId } from "../src/rules/catalog.js";
import { evaluateInventory } from "../src/rules/evaluate.js";
import { describeSideReadFailure, sideReadFailures } from "../src/side-read-failures.js";
import { seededRandom } from "./support/aws-proxy.js";
import { SELECTORS, trail } from "./support/records.js";

/**
 * Coverage as a union of trails and event data stores, delivery failures, partitions and
 * the levels on covered accounts (shared/aws-facts.md), at the inventory level.
 */
const MANAGEMENT = "111111111111";
const MEMBER = "222222222222";
const SCANNED_AT = "2026-11-26T12:00:00.000Z";

const MANAGEMENT_SELECTOR = [{ fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] }];

function store(owner: string, name: string, shape: Partial<EventDataStoreRecord> = {}): EventDataStoreRecord {
  const homeRegion = shape.homeRegion ?? "us-east-1";
  return {
    arn: `arn:aws:cloudtrail:${homeRegion}:${owner}:eventdatastore/${name}`,
    name,
    homeRegion,
    ownerAccountId: owner,
    status: "ENABLED",
    multiRegionEnabled: true,
    organizationEnabled: false,
    advancedEventSelectors: MANAGEMENT_SELECTOR,
    ...shape,
  };
}

function account(id: string, trails: TrailRecord[], extra: Partial<AccountRecord> = {}): AccountRecord {
  const region = extra.regions?.[0]?.region ?? "us-east-1";
  return {
    id,
    name: `acct-${id.slice(0, 3)}`,
    state: "ACTIVE",
    outcome: "read",
    regions: [{ region, outcome: "read" }],
    trails,
    durationMs: 1,
    ...extra,
  };
}

function inventory(member: AccountRecord, extra: Partial<Inventory> = {}): Inventory {
  return {
    schemaVersion: 2,
    generatedAt: SCANNED_AT,
    partition: "aws",
    globalEventsRegion: "us-east-1",
    organization: { id: "o-abc", managementAccountId: MANAGEMENT },
    organizationTrails: [],
    organizationEventDataStores: [],
    accounts: [member],
    durationMs: 1,
    ...extra,
  };
}

function judge(inv: Inventory) {
  const evaluation = evaluateInventory(inv);
  const findings = evaluation.findings.filter((finding) => finding.accountId === MEMBER);
  return {
    findings,
    rules: findings.map((finding) => finding.ruleId).sort(),
    verdict: evaluation.verdicts.find((item) => item.accountId === MEMBER)!,
  };
}

const NR: RuleId = "cloudtrail/global-events-not-recorded";
const READS: RuleId = "cloudtrail/global-events-reads-not-recorded";
const DUP: RuleId = "cloudtrail/global-events-duplicated";
const ND: RuleId = "cloudtrail/global-events-not-delivered";
const FLAG: RuleId = "cloudtrail/global-events-flag-ineffective";
const SINGLE: RuleId = "cloudtrail/global-events-single-region";

describe("coverage is the union of what the trails record", () => {
  type Kind = "-" | "R" | "W" | "A";
  // own trail × organization trail → rules, verdict. Written out, not computed.
  const table: [Kind, Kind, RuleId[], "compliant" | "noncompliant"][] = [
    ["-", "-", [NR], "noncompliant"],
    ["-", "R", [NR], "noncompliant"],
    ["-", "W", [READS], "compliant"],
    ["-", "A", [], "compliant"],
    ["R", "-", [NR], "noncompliant"],
    ["R", "R", [NR], "noncompliant"],
    ["R", "W", [], "compliant"],
    ["R", "A", [DUP], "compliant"],
    ["W", "-", [READS], "compliant"],
    ["W", "R", [], "compliant"],
    ["W", "W", [DUP, READS], "compliant"],
    ["W", "A", [DUP], "compliant"],
    ["A", "-", [], "compliant"],
    ["A", "R", [DUP], "compliant"],
    ["A", "W", [DUP], "compliant"],
    ["A", "A", [DUP], "compliant"],
  ];
  it.each(table)("own %s, organization %s", (own, org, rules, verdict) => {
    const organizationTrails =
      org === "-" ? [] : [trail(MANAGEMENT, "org", { isOrganizationTrail: true, selectors: SELECTORS[org] })];
    const member = account(
      MEMBER,
      own === "-" ? [] : [trail(MEMBER, "own", { homeRegion: "eu-west-1", selectors: SELECTORS[own] })],
    );
    const result = judge(inventory(member, { organizationTrails }));
    expect(result.rules).toEqual([...rules].sort());
    expect(result.verdict.verdict).toBe(verdict);
    // With an organization trail, a duplicate is a note.
    expect(result.findings.find((finding) => finding.ruleId === DUP)?.level ?? "note").toBe("note");
  });

  it("a ReadOnly and a WriteOnly trail of the account's own: covered, no duplicate, no reads note", () => {
    const result = judge(
      inventory(
        account(MEMBER, [
          trail(MEMBER, "reads", { selectors: SELECTORS.R }),
          trail(MEMBER, "writes", { selectors: SELECTORS.W }),
        ]),
      ),
    );
    expect(result.rules).toEqual([]);
    expect(result.verdict.coveredBy).toEqual([trail(MEMBER, "writes").arn]);
  });

  it("two WriteOnly trails of its own overlap: a duplicate warning and the reads note", () => {
    const result = judge(
      inventory(
        account(MEMBER, [
          trail(MEMBER, "a", { selectors: SELECTORS.W }),
          trail(MEMBER, "b", { selectors: SELECTORS.W }),
        ]),
      ),
    );
    expect(result.rules).toEqual([DUP, READS]);
    expect(result.findings.find((finding) => finding.ruleId === DUP)!.level).toBe("warning");
  });

  it("a ReadOnly-only account: the error says reads only, and names the trail", () => {
    const result = judge(inventory(account(MEMBER, [trail(MEMBER, "reader", { selectors: SELECTORS.R })])));
    const message = result.findings[0]!.message;
    expect(message).toContain("recorded for reads only");
    expect(message).toContain('"reader"');
    expect(message).not.toContain("no trail records global service events");
  });
});

describe("delivery", () => {
  const failing = (status: Partial<NonNullable<TrailRecord["status"]>>, shape: Partial<TrailRecord> = {}) =>
    trail(MEMBER, "audit", { status: { isLogging: true, ...status }, ...shape });

  it("a logging trail whose deliveries fail, and nothing else: error, with the error, since when, cause and fix", () => {
    const result = judge(
      inventory(
        account(MEMBER, [
          failing({ latestDeliveryError: "NoSuchBucket", latestDeliveryTime: "2026-11-20T08:00:00.000Z" }),
        ]),
      ),
    );
    expect(result.rules).toEqual([ND]);
    expect(result.verdict.verdict).toBe("noncompliant");
    const [finding] = result.findings;
    expect(finding!.level).toBe("error");
    expect(finding!.message).toContain('"NoSuchBucket"');
    expect(finding!.message).toContain("2026-11-20T08:00:00.000Z");
    expect(finding!.message).toContain('the S3 bucket "bucket-audit" no longer exists');
    expect(finding!.fix.join("\n")).toContain("--s3-bucket-name YOUR-CLOUDTRAIL-BUCKET");
  });

  it("a KMS error points at the key; a bucket-policy error at the policy", () => {
    const kms = judge(
      inventory(
        account(MEMBER, [
          failing(
            { latestDeliveryError: "KMS.DisabledException" },
            { kmsKeyId: "arn:aws:kms:eu-west-1:222222222222:key/k1" },
          ),
        ]),
      ),
    );
    expect(kms.findings[0]!.fix.join("\n")).toContain(
      "aws kms describe-key --region eu-west-1 --key-id arn:aws:kms:eu-west-1:222222222222:key/k1",
    );
    const policy = judge(
      inventory(account(MEMBER, [failing({ latestDeliveryError: "InsufficientS3BucketPolicyException" })])),
    );
    expect(policy.findings[0]!.fix.join("\n")).toContain("aws s3api get-bucket-policy --bucket bucket-audit");
  });

  it("an old error followed by a successful delivery is not failing", () => {
    const recent = judge(
      inventory(
        account(MEMBER, [
          failing({ latestDeliveryError: "AccessDenied", latestDeliveryTime: "2026-11-26T11:50:00.000Z" }),
        ]),
      ),
    );
    expect(recent.rules).toEqual([]);
    const byAttempt = judge(
      inventory(
        account(MEMBER, [
          failing({
            latestDeliveryError: "AccessDenied",
            latestDeliveryTime: "2026-11-01T10:00:00.000Z",
            latestDeliveryAttemptTime: "2026-11-01T10:00:00Z",
          }),
        ]),
      ),
    );
    expect(byAttempt.rules).toEqual([]);
  });

  it("a later failed attempt than the last success is failing, however recent the success", () => {
    const result = judge(
      inventory(
        account(MEMBER, [
          failing({
            latestDeliveryError: "AccessDenied",
            latestDeliveryTime: "2026-11-26T11:50:00.000Z",
            latestDeliveryAttemptTime: "2026-11-26T11:55:00Z",
          }),
        ]),
      ),
    );
    expect(result.rules).toEqual([ND]);
  });

  it("a new trail with no delivery yet and no error is not failing", () => {
    expect(judge(inventory(account(MEMBER, [failing({})]))).rules).toEqual([]);
  });

  it("a failing second trail while another covers: a warning", () => {
    const result = judge(
      inventory(
        account(MEMBER, [
          failing({ latestDeliveryError: "NoSuchBucket" }),
          trail(MEMBER, "good", { homeRegion: "eu-west-1" }),
        ]),
      ),
    );
    expect(result.rules).toEqual([ND]);
    expect(result.findings[0]!.level).toBe("warning");
    expect(result.verdict.coveredBy).toEqual([trail(MEMBER, "good", { homeRegion: "eu-west-1" }).arn]);
  });

  it("a failing organization trail leaves its members uncovered, to be fixed from the management account", () => {
    const org = trail(MANAGEMENT, "org", {
      isOrganizationTrail: true,
      status: { isLogging: true, latestDeliveryError: "NoSuchBucket" },
    });
    const result = judge(inventory(account(MEMBER, []), { organizationTrails: [org] }));
    expect(result.rules).toEqual([ND]);
    expect(result.findings[0]!.level).toBe("error");
    expect(result.findings[0]!.fix[0]).toContain("management account");
  });
});

describe("the flag on a covered account", () => {
  const eu = () => trail(MEMBER, "eu-only", { homeRegion: "eu-west-1", isMultiRegionTrail: false });

  it("is a note (no issue) when another trail records the global events", () => {
    const result = judge(
      inventory(account(MEMBER, [eu()]), {
        organizationTrails: [trail(MANAGEMENT, "org", { isOrganizationTrail: true })],
      }),
    );
    expect(result.rules).toEqual([FLAG]);
    expect(result.findings[0]!.level).toBe("note");
    expect(result.verdict.verdict).toBe("compliant");
    expect(result.findings[0]!.fix.join("\n")).toContain("--no-include-global-service-events");
  });

  it("is no alert of its own when nothing records them: the one not-recorded finding names the flag and fixes the trail", () => {
    const result = judge(inventory(account(MEMBER, [eu()])));
    expect(result.rules).toEqual([NR]);
    const [only] = result.findings;
    expect(only!.cause).toBe("single-region-elsewhere");
    expect(only!.message).toContain("its IncludeGlobalServiceEvents flag is on, but has no effect there");
    expect(only!.fix.join("\n")).toContain("--is-multi-region-trail");
    expect(only!.fix.join("\n")).not.toContain("--no-include-global-service-events");
  });
});

describe("partitions", () => {
  const cn = (trails: TrailRecord[]) =>
    judge(
      inventory(account(MEMBER, trails, { regions: [{ region: "cn-north-1", outcome: "read" }] }), {
        partition: "aws-cn",
        globalEventsRegion: "cn-north-1",
      }),
    );

  it("aws-cn: a single-Region trail in cn-north-1 misses CloudFront (cn-northwest-1), so it does not cover", () => {
    const result = cn([trail(MEMBER, "bj", { homeRegion: "cn-north-1", isMultiRegionTrail: false }, "aws-cn")]);
    expect(result.rules).toEqual([NR]);
    expect(result.findings[0]!.message).toContain(
      "receives IAM and STS events but not CloudFront (recorded in cn-northwest-1)",
    );
  });

  it("aws-cn: a multi-Region trail covers", () => {
    expect(cn([trail(MEMBER, "all", { homeRegion: "cn-northwest-1" }, "aws-cn")]).rules).toEqual([]);
  });

  it("aws-us-gov: undocumented, so only a multi-Region trail covers, and the finding says why", () => {
    const gov = (trails: TrailRecord[]) =>
      judge(
        inventory(account(MEMBER, trails, { regions: [{ region: "us-gov-west-1", outcome: "read" }] }), {
          partition: "aws-us-gov",
          globalEventsRegion: "us-gov-west-1",
        }),
      );
    const single = gov([trail(MEMBER, "g", { homeRegion: "us-gov-west-1", isMultiRegionTrail: false }, "aws-us-gov")]);
    expect(single.rules).toEqual([NR]);
    expect(single.findings[0]!.message).toContain(
      "AWS does not document which GovCloud (US) Region records the global service events",
    );
    expect(gov([trail(MEMBER, "g", { homeRegion: "us-gov-east-1" }, "aws-us-gov")]).rules).toEqual([]);
  });

  it("an unknown partition counts only multi-Region trails", () => {
    const result = judge(
      inventory(
        account(MEMBER, [trail(MEMBER, "i", { homeRegion: "us-iso-east-1", isMultiRegionTrail: false }, "aws-iso")], {
          regions: [{ region: "us-iso-east-1", outcome: "read" }],
        }),
        {
          partition: "aws-iso",
          globalEventsRegion: "us-iso-east-1",
        },
      ),
    );
    expect(result.rules).toEqual([NR]);
  });
});

describe("CloudTrail Lake", () => {
  it("an organization event data store covers a member with no trail, and is named in coveredBy", () => {
    const orgStore = store(MANAGEMENT, "org-lake", { organizationEnabled: true });
    const result = judge(inventory(account(MEMBER, []), { organizationEventDataStores: [orgStore] }));
    expect(result.rules).toEqual([]);
    expect(result.verdict.coveredBy).toEqual([orgStore.arn]);
  });

  it.each<[string, Partial<EventDataStoreRecord>]>([
    ["not ingesting", { status: "STOPPED_INGESTION" }],
    ["single-Region outside us-east-1", { multiRegionEnabled: false, homeRegion: "eu-west-1" }],
    [
      "no management events",
      { advancedEventSelectors: [{ fieldSelectors: [{ field: "eventCategory", equals: ["Data"] }] }] },
    ],
  ])("an organization store that is %s does not cover", (_name, shape) => {
    const result = judge(
      inventory(account(MEMBER, []), {
        organizationEventDataStores: [store(MANAGEMENT, "org-lake", { organizationEnabled: true, ...shape })],
      }),
    );
    expect(result.rules).toEqual([NR]);
  });

  it("the account's own multi-Region store in the global events Region covers it", () => {
    const own = store(MEMBER, "own-lake");
    expect(judge(inventory(account(MEMBER, [], { eventDataStores: [own] }))).verdict.coveredBy).toEqual([own.arn]);
  });

  it("the account's own store that stopped ingesting: restart it in its home Region (never create-trail), grouped apart", () => {
    const own = store(MEMBER, "own-lake", { status: "STOPPED_INGESTION", homeRegion: "eu-west-1" });
    const evaluation = evaluateInventory(inventory(account(MEMBER, [], { eventDataStores: [own] })));
    const finding = evaluation.findings.find((item) => item.accountId === MEMBER)!;
    expect(finding).toMatchObject({ ruleId: NR, cause: "store-stopped" });
    expect(finding.fix.join("\n")).toContain(
      `aws cloudtrail start-event-data-store-ingestion --region eu-west-1 --event-data-store ${own.arn}`,
    );
    expect(finding.fix.join("\n")).not.toContain("create-trail");
    expect(CAUSE_PLANS["store-stopped"].command).toMatch(
      /^aws cloudtrail start-event-data-store-ingestion --region HOME/,
    );
  });

  it("when Lake could not be read the verdict rests on trails; the header says so once, not each finding", () => {
    const denied: Failure = {
      kind: "access-denied",
      call: "CloudTrail.ListEventDataStores",
      region: "us-east-1",
      code: "AccessDeniedException",
      message: "denied",
    };
    const unread = inventory(account(MEMBER, [], { eventDataStoresFailures: [denied] }), {
      organizationEventDataStores: [],
      organizationEventDataStoresFailures: [denied],
    });
    const result = judge(unread);
    expect(result.verdict.verdict).toBe("noncompliant");
    expect(result.findings[0]!.message).not.toContain("Lake");
    expect(sideReadFailures(unread).map(describeSideReadFailure)).toEqual([
      "CloudTrail Lake could not be read in 2 accounts: AccessDeniedException: denied; an event data " +
        "store there was not considered: verdicts rest on trails; the audit role from an older " +
        "deploy/audit-role.yaml lacks cloudtrail:ListEventDataStores: update that stack.",
    ]);
  });
});

describe("single-Region coverage", () => {
  it("notes a single-Region us-east-1 trail as the only cover, with the command to make it multi-Region", () => {
    const single = trail(MEMBER, "use1", { isMultiRegionTrail: false });
    const result = judge(inventory(account(MEMBER, [single])));
    expect(result.rules).toEqual([SINGLE]);
    expect(result.findings[0]!.message).toContain("regional endpoints");
    expect(result.findings[0]!.fix).toContain(
      `aws cloudtrail update-trail --region us-east-1 --name ${single.arn} --is-multi-region-trail`,
    );
  });
});

describe("levels on covered accounts", () => {
  it("no account that records its global events gets an error or warning, but for a delivery failure on another trail or a duplicate", () => {
    const random = seededRandom(42);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    let covered = 0;
    for (let round = 0; round < 400; round += 1) {
      const trails = Array.from({ length: Math.floor(random() * 4) }, (_, index) =>
        trail(MEMBER, `t${index}`, {
          homeRegion: pick(["us-east-1", "eu-west-1"]),
          isMultiRegionTrail: random() < 0.5,
          includeGlobalServiceEvents: random() < 0.8,
          selectors: SELECTORS[pick(["R", "W", "A"] as const)],
          status: { isLogging: random() < 0.8, ...(random() < 0.2 ? { latestDeliveryError: "NoSuchBucket" } : {}) },
        }),
      );
      const organizationTrails =
        random() < 0.3
          ? [
              trail(MANAGEMENT, "org", {
                isOrganizationTrail: true,
                selectors: SELECTORS[pick(["R", "W", "A"] as const)],
              }),
            ]
          : [];
      const result = judge(inventory(account(MEMBER, trails), { organizationTrails }));
      if (result.verdict.coveredBy.length === 0) continue;
      covered += 1;
      for (const finding of result.findings.filter((item) => LEVEL_RANK[item.level] >= LEVEL_RANK.warning)) {
        expect([ND, DUP]).toContain(finding.ruleId);
      }
    }
    expect(covered).toBeGreaterThan(100);
  });
});
