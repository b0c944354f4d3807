import { describe, expect, it } from "vitest";
import {
  accountKey,
  ORGANIZATION_KEY,
  ownerKey,
  readMarker,
  renderIssue,
  renderOrganizationIssue,
} from "../src/github/issue-content.js";
import type { RemediationPlan } from "../src/remediation-plan.js";
import {
  currentIssues,
  decideIssues,
  needsIssue,
  planIssueOperations,
  type AccountForIssue,
  type ExistingIssue,
  type IssueDecisionInput,
} from "../src/github/issue-plan.js";
import type { AccountVerdict } from "../src/findings.js";
import { brokenVerdict, noTrailFinding } from "./support/records.js";

/**
 * Deciding the issues, in-process and pure: from this run's findings and settings and the
 * issues as they are, what to open, update, reopen, close or leave. No GitHub, no pacing;
 * issue-sync.ts and the e2e tests cover the writing.
 */
const account = (accountId: string, owners: string[] = []): AccountForIssue => ({
  verdict: brokenVerdict(accountId),
  findings: [noTrailFinding(accountId)],
  owners,
});
const issue = (number: number, key: string, extra: Partial<ExistingIssue> = {}): ExistingIssue => ({
  number,
  state: "open",
  key: key as ExistingIssue["key"],
  digest: "stale",
  ...extra,
});

const [BROKEN, FIXED, UNREAD, REOPENED, SAME, ACCEPTED] = [
  "111111111111",
  "222222222222",
  "333333333333",
  "444444444444",
  "555555555555",
  "666666666666",
];

function input(existing: ExistingIssue[], extra: Partial<IssueDecisionInput> = {}): IssueDecisionInput {
  return {
    accounts: [account(BROKEN, ["alice", "mallory"]), account(REOPENED), account(SAME)],
    clean: new Set([FIXED]),
    excepted: new Map([[ACCEPTED, "accepted by entry 1"]]),
    grouping: "account",
    current: currentIssues(existing),
    assignable: new Set(["alice"]),
    organizationSettled: false,
    ...extra,
  };
}

describe("decideIssues and planIssueOperations", () => {
  it("per account: opens, reopens, updates only what changed, closes the fixed and the accepted, leaves the unread alone", () => {
    const same = renderIssue({ ...account(SAME), assignees: [], mentioned: [] });
    const existing = [
      issue(1, accountKey(FIXED)),
      issue(2, accountKey(UNREAD)),
      issue(3, accountKey(REOPENED), { state: "closed" }),
      issue(4, accountKey(SAME), { digest: same.digest }),
      issue(5, accountKey(ACCEPTED)),
    ];
    const decided = decideIssues(input(existing));
    const { operations, unchanged } = planIssueOperations({ ...decided, existing });
    expect(operations.map((operation) => [operation.kind, "issue" in operation ? operation.issue.number : 0])).toEqual([
      ["create", 0],
      ["reopen", 3],
      ["close", 1],
      ["close", 5],
    ]);
    expect(unchanged).toBe(1);
    // Only an assignable owner is assigned; the other is named in the body.
    const create = operations[0]!;
    expect(create.kind === "create" && create.assignees).toEqual(["alice"]);
    expect(create.kind === "create" && create.content.body).toContain("mallory");
    const closes = operations.filter((operation) => operation.kind === "close");
    expect(closes.map((operation) => operation.kind === "close" && operation.reason.kind)).toEqual([
      "fixed",
      "excepted",
    ]);
    // The account that could not be read keeps its issue: nothing touches #2.
    expect(operations.some((operation) => "issue" in operation && operation.issue.number === 2)).toBe(false);
    expect(decided.trackedBy.get(BROKEN)).toBe(accountKey(BROKEN));
  });

  it("per owner: one issue per owner that keeps the accounts not read this run, and account issues move into it", () => {
    const ownerIssueKey = ownerKey(["alice"]);
    const existing = [issue(7, accountKey(BROKEN)), issue(8, ownerIssueKey, { accounts: [UNREAD, FIXED] })];
    const decided = decideIssues(
      input(existing, { grouping: "owner", accounts: [account(BROKEN, ["alice"]), account(SAME, ["bob"])] }),
    );
    const alice = decided.wanted.find((wanted) => wanted.content.key === ownerIssueKey)!;
    // Listed before and not judged this run: kept in the list; the fixed one is dropped.
    expect(alice.content.body).toContain(UNREAD);
    expect(alice.content.body).not.toContain(FIXED);
    expect(decided.close.get(accountKey(BROKEN))).toMatchObject({ kind: "moved", to: [ownerIssueKey] });
    const { operations } = planIssueOperations({ ...decided, existing });
    expect(operations.map((operation) => operation.kind)).toEqual(["update", "create", "close"]);
  });

  it("closes the organization issue only when the run says it is settled", () => {
    const existing = [issue(9, ORGANIZATION_KEY)];
    expect(decideIssues(input(existing)).close.has(ORGANIZATION_KEY)).toBe(false);
    expect(decideIssues(input(existing, { organizationSettled: true })).close.get(ORGANIZATION_KEY)).toMatchObject({
      kind: "fixed",
    });
  });
});

describe("counts from a scan that did not assess every account", () => {
  it("an owner issue that keeps accounts not read this run counts at least what it knows, and says how many more", () => {
    const ownerIssueKey = ownerKey(["alice"]);
    const unread = Array.from({ length: 36 }, (_, index) => String(200_000_000_000 + index));
    const existing = [issue(8, ownerIssueKey, { accounts: [...unread, BROKEN] })];
    const decided = decideIssues(input(existing, { grouping: "owner", accounts: [account(BROKEN, ["alice"])] }));
    const wanted = decided.wanted.find((item) => item.content.key === ownerIssueKey)!;
    expect(wanted.content.title).toBe(
      "CloudTrail global service events: at least 1 account of @alice needs work (36 more not assessed this run)",
    );
    expect(readMarker(wanted.content.body)!.accounts).toHaveLength(37);
  });

  it("the organization issue's count is a floor when accounts were not assessed, and agrees with its noun", () => {
    const plan = (wouldCover: number, notAssessed: number): RemediationPlan => ({
      noncompliant: wouldCover,
      groups: [],
      notAssessed:
        notAssessed > 0
          ? [
              {
                kind: "network",
                title: "AWS could not be reached",
                fix: "Check the network.",
                example: "x",
                accounts: Array.from({ length: notAssessed }, (_, index) => ({ id: String(index), name: "n" })),
              },
            ]
          : [],
      organizationFix: {
        kind: "create",
        wouldCover,
        accountIds: [],
        secondCopies: 0,
        managementAccountId: "111122223333",
        organizationId: "o-abc",
        region: "us-east-1",
        commands: [],
      },
    });
    const title = (wouldCover: number, notAssessed: number) =>
      renderOrganizationIssue({ plan: plan(wouldCover, notAssessed), assignees: [], mentioned: [] }).title;
    expect(title(37, 0)).toBe(
      "Organization o-abc: one organization trail would record global service events for 37 more accounts",
    );
    expect(title(9, 156)).toBe(
      "Organization o-abc: one organization trail would record global service events for at least 9 more accounts (156 accounts not assessed)",
    );
    expect(title(1, 0)).toMatch(/for 1 more account$/);
    const one = renderOrganizationIssue({ plan: plan(1, 0), assignees: [], mentioned: [] }).body;
    expect(one).toContain("would cover **1 account** that records no global service events today");
  });
});

describe("needsIssue", () => {
  const notAssessed = (failure: AccountVerdict["failure"]): AccountVerdict => ({
    ...brokenVerdict("121212121212"),
    verdict: "not-assessed",
    ...(failure ? { failure } : {}),
  });
  const finding = { ...noTrailFinding("121212121212"), ruleId: "cloudtrail/account-not-assessed" as const };

  it("opens an issue where the audit role refused the scanner: only the account's owners can fix that", () => {
    expect(
      needsIssue(notAssessed({ kind: "access-denied", call: "STS.AssumeRole", code: "AccessDenied" }), [finding]),
    ).toBe(true);
  });

  it("opens none for failures that are not the account's (network, throttling, a stopped scan), nor for notes only", () => {
    for (const failure of [
      { kind: "unreachable", call: "STS.AssumeRole", code: "ECONNRESET" },
      { kind: "throttled", code: "Throttling" },
      { kind: "stopped" },
      { kind: "access-denied", call: "CloudTrail.DescribeTrails", code: "AccessDeniedException" },
    ] as const)
      expect(needsIssue(notAssessed(failure), [finding]), failure.kind).toBe(false);
    expect(needsIssue(brokenVerdict("1"), [{ ...noTrailFinding("1"), level: "note" }])).toBe(false);
    expect(needsIssue(brokenVerdict("1"), [noTrailFinding("1")])).toBe(true);
  });
});
