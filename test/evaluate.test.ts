import { describe, expect, it } from "vitest";
import type { AccountRecord, Failure, Inventory, TrailRecord, TrailSelectors } from "../src/inventory.js";
import type { RuleId } from "../src/rules/catalog.js";
import { evaluateInventory } from "../src/rules/evaluate.js";
import { managementRecording } from "../src/trail-facts.js";

/** A failed call as the scan records it: its kind and AWS's error code. */
const aws = (kind: Failure["kind"], code: string): Failure => ({ kind, code });

const MANAGEMENT = "111111111111";
const MEMBER = "222222222222";

const ALL: TrailSelectors = {
  eventSelectors: [],
  advancedEventSelectors: [{ fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] }],
};
const BASIC_ALL: TrailSelectors = {
  eventSelectors: [{ readWriteType: "All", includeManagementEvents: true }],
  advancedEventSelectors: [],
};
const BASIC_READ_ONLY: TrailSelectors = {
  eventSelectors: [{ readWriteType: "ReadOnly", includeManagementEvents: true }],
  advancedEventSelectors: [],
};
const BASIC_WRITE_ONLY: TrailSelectors = {
  eventSelectors: [{ readWriteType: "WriteOnly" }],
  advancedEventSelectors: [],
};
const EXCLUDED_MANAGEMENT: TrailSelectors = {
  eventSelectors: [{ readWriteType: "All", includeManagementEvents: false }],
  advancedEventSelectors: [],
};
const ADVANCED_WRITES: TrailSelectors = {
  eventSelectors: [],
  advancedEventSelectors: [
    {
      fieldSelectors: [
        { field: "eventCategory", equals: ["Management"] },
        { field: "readOnly", equals: ["false"] },
      ],
    },
  ],
};
const ADVANCED_READS: TrailSelectors = {
  eventSelectors: [],
  advancedEventSelectors: [
    {
      fieldSelectors: [
        { field: "eventCategory", equals: ["Management"] },
        { field: "readOnly", equals: ["true"] },
      ],
    },
  ],
};
const ADVANCED_DATA_ONLY: TrailSelectors = {
  eventSelectors: [],
  advancedEventSelectors: [
    {
      fieldSelectors: [
        { field: "eventCategory", equals: ["Data"] },
        { field: "resources.type", equals: ["AWS::S3::Object"] },
      ],
    },
  ],
};
const ADVANCED_WITHOUT_IAM: TrailSelectors = {
  eventSelectors: [],
  advancedEventSelectors: [
    {
      fieldSelectors: [
        { field: "eventCategory", equals: ["Management"] },
        { field: "eventSource", notEquals: ["iam.amazonaws.com"] },
      ],
    },
  ],
};
const NO_SELECTORS: TrailSelectors = { eventSelectors: [], advancedEventSelectors: [] };

/** logging: "unread" leaves the status out, as when GetTrailStatus failed. */
function trail(
  owner: string,
  name: string,
  shape: Partial<TrailRecord> & { logging?: boolean | "unread" } = {},
): TrailRecord {
  const { logging = true, ...rest } = shape;
  const homeRegion = rest.homeRegion ?? "us-east-1";
  return {
    arn: `arn:aws:cloudtrail:${homeRegion}:${owner}:trail/${name}`,
    name,
    homeRegion,
    ownerAccountId: owner,
    isMultiRegionTrail: false,
    includeGlobalServiceEvents: true,
    isOrganizationTrail: false,
    ...(logging === "unread" ? {} : { status: { isLogging: logging } }),
    selectors: ALL,
    ...rest,
  };
}

function account(id: string, trails: TrailRecord[], extra: Partial<AccountRecord> = {}): AccountRecord {
  return {
    id,
    name: `acct-${id.slice(0, 3)}`,
    state: "ACTIVE",
    outcome: "read",
    regions: [
      { region: "us-east-1", outcome: "read" },
      { region: "eu-west-1", outcome: "read" },
    ],
    trails,
    durationMs: 1,
    ...extra,
  };
}

function inventory(
  accounts: AccountRecord[],
  organizationTrails: TrailRecord[] = [],
  extra: Partial<Inventory> = {},
): Inventory {
  return {
    schemaVersion: 2,
    generatedAt: "2026-11-26T00:00:00.000Z",
    partition: "aws",
    globalEventsRegion: "us-east-1",
    organization: { id: "o-abc", managementAccountId: MANAGEMENT },
    organizationTrails,
    accounts,
    durationMs: 1,
    ...extra,
  };
}

function rulesFor(inv: Inventory, accountId = MEMBER): RuleId[] {
  return evaluateInventory(inv)
    .findings.filter((finding) => finding.accountId === accountId)
    .map((finding) => finding.ruleId)
    .sort();
}

const NOT_RECORDED = "cloudtrail/global-events-not-recorded";
const INEFFECTIVE = "cloudtrail/global-events-flag-ineffective";
const DUPLICATED = "cloudtrail/global-events-duplicated";
const READS = "cloudtrail/global-events-reads-not-recorded";
const NOT_ASSESSED = "cloudtrail/account-not-assessed";
const _NOT_DELIVERED = "cloudtrail/global-events-not-delivered";
const SINGLE_REGION = "cloudtrail/global-events-single-region";

const orgTrail = (shape: Partial<TrailRecord> & { logging?: boolean } = {}) =>
  trail(MANAGEMENT, "org", { isMultiRegionTrail: true, isOrganizationTrail: true, ...shape });
// What a member's DescribeTrails shows of the organization trail: configuration, never status.
const orgShadow = () => {
  const { status: _status, selectors: _selectors, ...shadow } = orgTrail();
  return shadow;
};

interface Case {
  name: string;
  member: TrailRecord[];
  organizationTrails?: TrailRecord[];
  memberExtra?: Partial<AccountRecord>;
  inventoryExtra?: Partial<Inventory>;
  expected: RuleId[];
  verdict: "compliant" | "noncompliant" | "not-assessed" | "skipped";
}

const cases: Case[] = [
  {
    name: "multi-Region trail homed in us-east-1",
    member: [trail(MEMBER, "t", { isMultiRegionTrail: true })],
    expected: [],
    verdict: "compliant",
  },
  {
    name: "multi-Region trail homed anywhere (eu-west-1)",
    member: [trail(MEMBER, "t", { isMultiRegionTrail: true, homeRegion: "eu-west-1" })],
    expected: [],
    verdict: "compliant",
  },
  {
    name: "multi-Region trail whose flag reads false (a combination AWS refuses) still records global events",
    member: [trail(MEMBER, "t", { isMultiRegionTrail: true, includeGlobalServiceEvents: false })],
    expected: [],
    verdict: "compliant",
  },
  {
    name: "single-Region trail in us-east-1 with the flag: covered, with the single-Region note",
    member: [trail(MEMBER, "t")],
    expected: [SINGLE_REGION],
    verdict: "compliant",
  },
  {
    name: "single-Region trail in us-east-1 without the flag",
    member: [trail(MEMBER, "t", { includeGlobalServiceEvents: false })],
    expected: [NOT_RECORDED],
    verdict: "noncompliant",
  },
  {
    name: "single-Region trail outside us-east-1 with the flag: nothing recorded, one finding (the flag is part of it)",
    member: [trail(MEMBER, "t", { homeRegion: "eu-west-1" })],
    expected: [NOT_RECORDED],
    verdict: "noncompliant",
  },
  {
    name: "single-Region trail outside us-east-1 without the flag: nothing recorded, not ineffective",
    member: [trail(MEMBER, "t", { homeRegion: "eu-west-1", includeGlobalServiceEvents: false })],
    expected: [NOT_RECORDED],
    verdict: "noncompliant",
  },
  {
    name: "stopped multi-Region trail",
    member: [trail(MEMBER, "t", { isMultiRegionTrail: true, logging: false })],
    expected: [NOT_RECORDED],
    verdict: "noncompliant",
  },
  {
    name: "basic selectors, All",
    member: [trail(MEMBER, "t", { isMultiRegionTrail: true, selectors: BASIC_ALL })],
    expected: [],
    verdict: "compliant",
  },
  {
    name: "basic selectors, ReadOnly misses every change",
    member: [trail(MEMBER, "t", { isMultiRegionTrail: true, selectors: BASIC_READ_ONLY })],
    expected: [NOT_RECORDED],
    verdict: "noncompliant",
  },
  {
    name: "basic selectors, WriteOnly misses reads",
    member: [trail(MEMBER, "t", { isMultiRegionTrail: true, selectors: BASIC_WRITE_ONLY })],
    expected: [READS],
    verdict: "compliant",
  },
  {
    name: "basic selectors with management events excluded",
    member: [trail(MEMBER, "t", { isMultiRegionTrail: true, selectors: EXCLUDED_MANAGEMENT })],
    expected: [NOT_RECORDED],
    verdict: "noncompliant",
  },
  {
    name: "advanced selectors, writes only",
    member: [trail(MEMBER, "t", { isMultiRegionTrail: true, selectors: ADVANCED_WRITES })],
    expected: [READS],
    verdict: "compliant",
  },
  {
    name: "advanced selectors, reads only",
    member: [trail(MEMBER, "t", { isMultiRegionTrail: true, selectors: ADVANCED_READS })],
    expected: [NOT_RECORDED],
    verdict: "noncompliant",
  },
  {
    name: "advanced selectors, data events only",
    member: [trail(MEMBER, "t", { isMultiRegionTrail: true, selectors: ADVANCED_DATA_ONLY })],
    expected: [NOT_RECORDED],
    verdict: "noncompliant",
  },
  {
    name: "advanced selectors that leave IAM out",
    member: [trail(MEMBER, "t", { isMultiRegionTrail: true, selectors: ADVANCED_WITHOUT_IAM })],
    expected: [NOT_RECORDED],
    verdict: "noncompliant",
  },
  {
    name: "no selectors at all records nothing",
    member: [trail(MEMBER, "t", { isMultiRegionTrail: true, selectors: NO_SELECTORS })],
    expected: [NOT_RECORDED],
    verdict: "noncompliant",
  },
  { name: "no trail at all", member: [], expected: [NOT_RECORDED], verdict: "noncompliant" },
  {
    name: "two logging trails record the same global events",
    member: [trail(MEMBER, "a", { isMultiRegionTrail: true }), trail(MEMBER, "b")],
    expected: [DUPLICATED],
    verdict: "noncompliant",
  },
  {
    name: "a stopped second trail is no duplicate",
    member: [trail(MEMBER, "a", { isMultiRegionTrail: true }), trail(MEMBER, "b", { logging: false })],
    expected: [],
    verdict: "compliant",
  },
  {
    name: "an ineffective second trail is no duplicate (but is flagged, as a note: the account is covered)",
    member: [trail(MEMBER, "a", { isMultiRegionTrail: true }), trail(MEMBER, "b", { homeRegion: "eu-west-1" })],
    expected: [INEFFECTIVE],
    verdict: "compliant",
  },
  {
    name: "member with no trail of its own, covered by the organization trail (not visible in its own view)",
    member: [],
    organizationTrails: [orgTrail()],
    expected: [],
    verdict: "compliant",
  },
  {
    name: "member that sees only the organization trail's shadow (no status of its own): judged by the owner's record",
    member: [orgShadow()],
    organizationTrails: [orgTrail()],
    expected: [],
    verdict: "compliant",
  },
  {
    name: "stopped organization trail and nothing else",
    member: [orgShadow()],
    organizationTrails: [orgTrail({ logging: false })],
    expected: [NOT_RECORDED],
    verdict: "noncompliant",
  },
  {
    name: "organization trail plus the member's own multi-Region trail: a duplicate, as a note",
    member: [trail(MEMBER, "own", { isMultiRegionTrail: true, homeRegion: "eu-west-1" })],
    organizationTrails: [orgTrail()],
    expected: [DUPLICATED],
    verdict: "compliant",
  },
  {
    name: "organization trail plus an ineffective trail of the member: a note, no issue",
    member: [trail(MEMBER, "own", { homeRegion: "eu-west-1" })],
    organizationTrails: [orgTrail()],
    expected: [INEFFECTIVE],
    verdict: "compliant",
  },
  {
    name: "organization trail whose owner could not be read, and nothing else: not assessed",
    member: [orgShadow()],
    organizationTrails: [],
    inventoryExtra: { organizationTrailsFailure: aws("access-denied", "AccessDenied") },
    expected: [NOT_ASSESSED],
    verdict: "not-assessed",
  },
  {
    name: "the member's own covering trail decides even when the organization trails could not be read",
    member: [trail(MEMBER, "own", { isMultiRegionTrail: true })],
    inventoryExtra: { organizationTrailsFailure: aws("access-denied", "AccessDenied") },
    expected: [],
    verdict: "compliant",
  },
  {
    name: "suspended account: skipped, never a finding",
    member: [],
    memberExtra: { state: "SUSPENDED", outcome: "skipped", regions: [] },
    expected: [],
    verdict: "skipped",
  },
  {
    name: "role refused: not assessed",
    member: [],
    memberExtra: {
      outcome: "failed",
      failure: { ...aws("access-denied", "AccessDenied"), call: "STS.AssumeRole", role: "role" },
      regions: [],
    },
    expected: [NOT_ASSESSED],
    verdict: "not-assessed",
  },
  {
    name: "us-east-1 failed and no covering trail seen elsewhere: not assessed, never compliant",
    member: [],
    memberExtra: {
      regions: [
        { region: "us-east-1", outcome: "failed", failure: aws("aws-error", "InternalFailure") },
        { region: "eu-west-1", outcome: "read" },
      ],
    },
    expected: [NOT_ASSESSED],
    verdict: "not-assessed",
  },
  {
    name: "another Region failed, but a covering trail was read: the verdict rests on what was read",
    member: [trail(MEMBER, "t", { isMultiRegionTrail: true })],
    memberExtra: {
      regions: [
        { region: "us-east-1", outcome: "read" },
        { region: "eu-west-1", outcome: "failed", failure: aws("aws-error", "InternalFailure") },
      ],
    },
    expected: [],
    verdict: "compliant",
  },
  {
    name: "the only candidate's status could not be read: not assessed",
    member: [
      trail(MEMBER, "t", {
        isMultiRegionTrail: true,
        logging: "unread",
        statusFailure: aws("access-denied", "AccessDeniedException"),
      }),
    ],
    expected: [NOT_ASSESSED],
    verdict: "not-assessed",
  },
  {
    name: "a known-bad trail plus one whose selectors could not be read: not assessed",
    member: [
      trail(MEMBER, "bad", { isMultiRegionTrail: true, logging: false }),
      trail(MEMBER, "unknown", {
        isMultiRegionTrail: true,
        selectors: undefined,
        selectorsFailure: aws("throttled", "ThrottlingException"),
      }),
    ],
    expected: [NOT_ASSESSED],
    verdict: "not-assessed",
  },
];

describe("rules over the cases of shared/aws-facts.md", () => {
  it.each(cases)("$name", (testCase) => {
    const inv = inventory(
      [account(MANAGEMENT, testCase.organizationTrails ?? []), account(MEMBER, testCase.member, testCase.memberExtra)],
      testCase.organizationTrails ?? [],
      testCase.inventoryExtra,
    );
    expect(rulesFor(inv)).toEqual([...testCase.expected].sort());
    expect(evaluateInventory(inv).verdicts.find((verdict) => verdict.accountId === MEMBER)?.verdict).toBe(
      testCase.verdict,
    );
  });
});

describe("messages and fixes people can act on", () => {
  it("names the account, each trail with its home Region and problem, and the fix command", () => {
    const stopped = trail(MEMBER, "audit", { isMultiRegionTrail: true, homeRegion: "eu-west-1", logging: false });
    const [finding] = evaluateInventory(inventory([account(MEMBER, [stopped])])).findings;
    expect(finding!.message).toContain(`acct-222 (${MEMBER})`);
    expect(finding!.message).toContain('"audit" (eu-west-1): stopped (not logging)');
    expect(finding!.fix).toContain(`aws cloudtrail start-logging --region eu-west-1 --name ${stopped.arn}`);
  });

  it("fixes a single-Region trail outside us-east-1 by making it multi-Region", () => {
    const single = trail(MEMBER, "eu", { homeRegion: "eu-west-1", includeGlobalServiceEvents: false });
    const finding = evaluateInventory(inventory([account(MEMBER, [single])])).findings.find(
      (item) => item.ruleId === NOT_RECORDED,
    );
    expect(finding!.fix).toContain(
      `aws cloudtrail update-trail --region eu-west-1 --name ${single.arn} --is-multi-region-trail`,
    );
  });

  it("suggests creating a trail in us-east-1 when the account has none", () => {
    const [finding] = evaluateInventory(inventory([account(MEMBER, [])])).findings;
    expect(finding!.fix.join("\n")).toMatch(
      /aws cloudtrail create-trail --region us-east-1 .* --is-multi-region-trail/,
    );
    expect(finding!.fix.join("\n")).toContain("aws cloudtrail start-logging --region us-east-1");
  });

  it("lists every problem of a trail and fixes all of them", () => {
    const broken = trail(MEMBER, "t", { isMultiRegionTrail: true, logging: false, selectors: BASIC_READ_ONLY });
    const [finding] = evaluateInventory(inventory([account(MEMBER, [broken])])).findings;
    expect(finding!.trails[0]!.problem).toBe("stopped (not logging); records management reads only, not writes");
    expect(finding!.fix.some((line) => line.startsWith("aws cloudtrail put-event-selectors"))).toBe(true);
    expect(finding!.fix.some((line) => line.startsWith("aws cloudtrail start-logging"))).toBe(true);
  });

  it("says the organization trail is fixed from the management account, and offers no member command for it", () => {
    const inv = inventory([account(MANAGEMENT, []), account(MEMBER, [orgShadow()])], [orgTrail({ logging: false })]);
    const finding = evaluateInventory(inv).findings.find((item) => item.accountId === MEMBER)!;
    expect(finding.message).toContain("must be fixed from the management account");
  });

  it("keeps the organization trail and removes the member's duplicate", () => {
    const own = trail(MEMBER, "own", { isMultiRegionTrail: true, homeRegion: "eu-west-1" });
    const inv = inventory([account(MANAGEMENT, []), account(MEMBER, [own])], [orgTrail()]);
    const finding = evaluateInventory(inv).findings.find((item) => item.ruleId === DUPLICATED)!;
    expect(finding.fix[0]).toContain('Keep "org"');
    // Deleting is left commented out: pasting the block must never delete a trail.
    expect(finding.fix).toContain(`# aws cloudtrail delete-trail --region eu-west-1 --name ${own.arn}`);
  });

  it("orders findings most severe first", () => {
    const inv = inventory([
      account("333333333333", [trail("333333333333", "w", { isMultiRegionTrail: true, selectors: ADVANCED_WRITES })]),
      account(MEMBER, []),
    ]);
    expect(evaluateInventory(inv).findings.map((finding) => finding.level)).toEqual(["error", "note"]);
  });
});

describe("managementRecording", () => {
  it.each([
    ["advanced, no readOnly field", ALL, { reads: true, writes: true }],
    [
      "advanced, readOnly NotEquals true",
      {
        eventSelectors: [],
        advancedEventSelectors: [
          {
            fieldSelectors: [
              { field: "eventCategory", equals: ["Management"] },
              { field: "readOnly", notEquals: ["true"] },
            ],
          },
        ],
      },
      { reads: false, writes: true },
    ],
    [
      "advanced, split in two selectors (reads, writes)",
      {
        eventSelectors: [],
        advancedEventSelectors: [...ADVANCED_READS.advancedEventSelectors, ...ADVANCED_WRITES.advancedEventSelectors],
      },
      { reads: true, writes: true },
    ],
    [
      "advanced, narrowed by eventName",
      {
        eventSelectors: [],
        advancedEventSelectors: [
          {
            fieldSelectors: [
              { field: "eventCategory", equals: ["Management"] },
              { field: "eventName", equals: ["CreateUser"] },
            ],
          },
        ],
      },
      { reads: false, writes: false },
    ],
    [
      "basic, default ReadWriteType",
      { eventSelectors: [{}], advancedEventSelectors: [] },
      { reads: true, writes: true },
    ],
  ] as const)("%s", (_name, selectors, expected) => {
    expect(managementRecording(selectors as TrailSelectors)).toEqual(expected);
  });

  it("is unknown when the selectors were not read", () => {
    expect(managementRecording(undefined)).toBeUndefined();
  });
});
