import { describe, expect, it } from "vitest";
import { daysBetween } from "../src/calendar.js";
import { compareWithBaseline, findingKey } from "../src/changes.js";
import { ageFindings } from "../src/remediation-history.js";
import { failingFindings } from "../src/fail-on.js";
import { CAUSE_PLANS } from "../src/rules/catalog.js";
import type { AccountRecord, EventDataStoreRecord, Failure, Inventory, TrailRecord } from "../src/inventory.js";
import { buildRemediationPlan } from "../src/remediation-plan.js";
import { evaluateInventory } from "../src/rules/evaluate.js";
import { SELECTORS, trail } from "./support/records.js";

/** The plan and "what changed", pure: inventories in, groups, counts and commands out. */
const MANAGEMENT = "111111111111";
const READS_ONLY = SELECTORS.R;

function account(
  index: number,
  trails: (id: string) => TrailRecord[],
  extra: Partial<AccountRecord> = {},
): AccountRecord {
  const id = String(222_222_222_200 + index);
  return {
    id,
    name: `acct-${index}`,
    state: "ACTIVE",
    outcome: "read",
    regions: [
      { region: "us-east-1", outcome: "read" },
      { region: "eu-west-1", outcome: "read" },
    ],
    trails: trails(id),
    durationMs: 1,
    ...extra,
  };
}

function inventory(accounts: AccountRecord[], extra: Partial<Inventory> = {}): Inventory {
  return {
    schemaVersion: 2,
    generatedAt: "2026-11-26T12:00:00.000Z",
    partition: "aws",
    globalEventsRegion: "us-east-1",
    organization: { id: "o-abcdefghij", managementAccountId: MANAGEMENT },
    organizationTrails: [],
    organizationEventDataStores: [],
    accounts,
    durationMs: 1,
    ...extra,
  };
}

const plan = (inv: Inventory) => buildRemediationPlan(inv, evaluateInventory(inv));

// One account for each cause of a gap, one duplicated, two covered by a trail of their own.
const MIXED = [
  account(0, (id) => [trail(id, "eu", { homeRegion: "eu-west-1", isMultiRegionTrail: false })]),
  account(1, () => []),
  account(2, (id) => [trail(id, "stopped", { status: { isLogging: false } })]),
  account(3, (id) => [trail(id, "reads", { selectors: READS_ONLY })]),
  account(4, (id) => [trail(id, "flag-off", { isMultiRegionTrail: false, includeGlobalServiceEvents: false })]),
  account(5, (id) => [
    trail(id, "failing", {
      status: {
        isLogging: true,
        latestDeliveryError: "NoSuchBucket",
        latestDeliveryAttemptTime: "2026-11-26T11:00:00.000Z",
      },
    }),
  ]),
  account(6, (id) => [trail(id, "a"), trail(id, "b", { isMultiRegionTrail: false })]),
  account(7, (id) => [trail(id, "fine")]),
  account(8, (id) => [trail(id, "fine")]),
];

describe("the plan", () => {
  it("groups every non-compliant account once, by the cause of its most severe finding", () => {
    const result = plan(inventory(MIXED));
    expect(result.noncompliant).toBe(7);
    const causes = Object.fromEntries(
      result.groups.map((group) => [group.cause, group.accounts.map((item) => item.name)]),
    );
    expect(causes).toEqual({
      "single-region-elsewhere": ["acct-0"],
      "no-trail": ["acct-1"],
      stopped: ["acct-2"],
      "management-events": ["acct-3"],
      "global-events-excluded": ["acct-4"],
      "delivery-failing": ["acct-5"],
      duplicated: ["acct-6"],
    });
    expect(result.groups.reduce((sum, group) => sum + group.accounts.length, 0)).toBe(result.noncompliant);
  });

  it("proposes one organization trail for the gaps, and counts who would pay for a second copy", () => {
    const fix = plan(inventory(MIXED)).organizationFix!;
    // Six gaps; the duplicated account is covered already and is not one of them.
    expect(fix).toMatchObject({
      kind: "create",
      wouldCover: 6,
      organizationId: "o-abcdefghij",
      managementAccountId: MANAGEMENT,
    });
    expect(fix.accountIds).toHaveLength(6);
    // acct-6, acct-7, acct-8 record their own copy today.
    expect(fix.secondCopies).toBe(3);
    expect(fix.commands).toContain(
      "aws organizations enable-aws-service-access --service-principal cloudtrail.amazonaws.com",
    );
    expect(fix.commands.join("\n")).toContain(
      "--template-file deploy/organization-trail.yaml --parameter-overrides OrganizationId=o-abcdefghij",
    );
  });

  it("repairs a stopped organization trail instead, counting the accounts it would restore", () => {
    const organizationTrail = trail(MANAGEMENT, "org", { isOrganizationTrail: true, status: { isLogging: false } });
    const result = plan(
      inventory([account(1, () => []), account(2, () => []), account(3, (id) => [trail(id, "own")])], {
        organizationTrails: [organizationTrail],
      }),
    );
    expect(result.groups.map((group) => [group.cause, group.accounts.length])).toEqual([["organization-trail", 2]]);
    expect(result.organizationFix).toMatchObject({
      kind: "repair",
      wouldCover: 2,
      recorder: { arn: organizationTrail.arn, problem: "stopped (not logging)" },
    });
    expect(result.organizationFix!.commands).toEqual([
      `aws cloudtrail start-logging --region us-east-1 --name ${organizationTrail.arn}`,
    ]);
  });

  it("proposes nothing organization-wide when an organization event data store covers every account", () => {
    const store: EventDataStoreRecord = {
      arn: `arn:aws:cloudtrail:us-east-1:${MANAGEMENT}:eventdatastore/org`,
      name: "org",
      homeRegion: "us-east-1",
      ownerAccountId: MANAGEMENT,
      status: "ENABLED",
      multiRegionEnabled: true,
      organizationEnabled: true,
      advancedEventSelectors: [{ fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] }],
    };
    const result = plan(inventory([account(1, () => [])], { organizationEventDataStores: [store] }));
    expect(result.noncompliant).toBe(0);
    expect(result.organizationFix).toBeUndefined();
    // Stopped, the store is the fix.
    const stopped = plan(
      inventory([account(1, () => [])], { organizationEventDataStores: [{ ...store, status: "STOPPED_INGESTION" }] }),
    );
    expect(stopped.organizationFix).toMatchObject({ kind: "repair", wouldCover: 1 });
    expect(stopped.organizationFix!.commands).toEqual([
      `aws cloudtrail start-event-data-store-ingestion --region us-east-1 --event-data-store ${store.arn}`,
    ]);
  });

  it("says nothing organization-wide when the organization trails could not be read, or there is no organization", () => {
    expect(
      plan(
        inventory([account(1, () => [])], {
          organizationTrailsFailure: { kind: "access-denied", code: "AccessDenied" },
        }),
      ).organizationFix,
    ).toBeUndefined();
    expect(
      plan(inventory([account(1, () => [])], { organization: undefined as never })).organizationFix,
    ).toBeUndefined();
  });

  it("groups accounts not assessed by the kind of failure", () => {
    const failed = (index: number, failure: Failure) => account(index, () => [], { outcome: "failed", failure });
    const assume = { call: "STS.AssumeRole", code: "AccessDenied", message: "not authorized" };
    const result = plan(
      inventory([
        failed(1, { kind: "access-denied", ...assume, role: "arn:aws:iam::1:role/R" }),
        failed(2, { kind: "access-denied", ...assume, role: "arn:aws:iam::2:role/R" }),
        failed(3, {
          kind: "unreachable",
          call: "STS.AssumeRole",
          code: "ECONNREFUSED",
          endpoint: "http://127.0.0.1:1",
        }),
        failed(4, { kind: "aws-error", call: "CloudTrail.DescribeTrails", region: "us-east-1", code: "InternalError" }),
      ]),
    );
    expect(result.notAssessed.map((group) => [group.kind, group.accounts.length])).toEqual([
      ["role-refused", 2],
      ["network", 1],
      ["other", 1],
    ]);
  });
});

describe("what changed since the last run", () => {
  const before = inventory(MIXED);
  const evaluation = evaluateInventory(before);
  const entries = evaluation.findings.map((finding) => ({
    ruleId: finding.ruleId,
    accountId: finding.accountId,
    ...(finding.trailArn ? { trailArn: finding.trailArn } : {}),
    since: "2026-11-01T00:00:00.000Z",
  }));

  it("counts new, resolved and still-open findings, with their age", () => {
    // acct-1 fixed, acct-7 broken.
    const after = inventory(
      MIXED.map((item) =>
        item.name === "acct-1"
          ? account(1, (id) => [trail(id, "new")])
          : item.name === "acct-7"
            ? account(7, () => [])
            : item,
      ),
    );
    const changes = compareWithBaseline(evaluateInventory(after), { kind: "known", source: "test", entries });
    if (!changes.known) throw new Error("known");
    expect(changes.added.map((finding) => finding.accountName)).toEqual(["acct-7"]);
    expect(changes.resolved.map((entry) => entry.accountId)).toEqual([MIXED[1]!.id]);
    expect(changes.stillOpen).toHaveLength(entries.length - 1);
    expect(daysBetween(changes.stillOpen[0]!.since, after.generatedAt)).toBe(25);
    const seen = ageFindings({
      findings: [...changes.added, ...changes.stillOpen.map(({ finding }) => finding)],
      now: after.generatedAt,
      changes,
      changesSource: "baseline report",
    });
    expect(seen.get(findingKey(changes.added[0]!))?.firstSeen).toBe(after.generatedAt);
    expect(seen.get(findingKey(changes.stillOpen[0]!.finding))?.firstSeen).toBe("2026-11-01T00:00:00.000Z");
  });

  it("never counts a finding of an account not assessed this run as resolved, and names accounts newly not assessed", () => {
    const after = inventory(
      MIXED.map((item) =>
        item.name === "acct-0"
          ? { ...item, outcome: "failed" as const, reason: "could not assume: AccessDenied", trails: [] }
          : item,
      ),
    );
    const changes = compareWithBaseline(evaluateInventory(after), { kind: "known", source: "test", entries });
    if (!changes.known) throw new Error("known");
    expect(changes.resolved).toEqual([]);
    expect(changes.newlyNotAssessed.map((verdict) => verdict.accountName)).toEqual(["acct-0"]);
  });

  it("fail-on-scope new fails only on new findings, and on all of them when what changed is unknown", () => {
    const after = evaluateInventory(inventory([...MIXED, account(9, () => [])]));
    const known = compareWithBaseline(after, { kind: "known", source: "test", entries });
    expect(
      failingFindings(after.findings, "error", "new", known).findings.map((finding) => finding.accountName),
    ).toEqual(["acct-9"]);
    const unknown = compareWithBaseline(after, { kind: "unknown", reason: "no token" });
    const failing = failingFindings(after.findings, "error", "new", unknown);
    expect(failing.findings.length).toBe(after.findings.filter((finding) => finding.level === "error").length);
    expect(failing.scopeUnknown).toBe("no token");
    expect(failingFindings(after.findings, "error", "all", known).findings.length).toBe(failing.findings.length);
  });
});

describe("the plan's group commands", () => {
  it("are ones AWS accepts for every account of the group: none turns global events off (refused on a multi-Region trail)", () => {
    for (const [cause, plan] of Object.entries(CAUSE_PLANS)) {
      if (!plan.command) continue;
      expect(plan.command, cause).not.toContain("--no-include-global-service-events");
      // Every command names its Region and trail by placeholder or value: update-trail needs the home Region.
      if (plan.command.includes("update-trail")) expect(plan.command, cause).toMatch(/--region \S+ --name \S+/);
    }
    expect(CAUSE_PLANS.duplicated.command).toBeUndefined();
  });
});
