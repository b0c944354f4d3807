import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccountVerdict, Finding } from "../src/findings.js";
import { syncIssues } from "../src/github/issue-sync.js";
import { startFakeGitHub, type FakeGitHub } from "./support/github-api.js";

const verdict = (accountId: string): AccountVerdict => ({ accountId, accountName: `acct-${accountId}`, state: "ACTIVE", verdict: "noncompliant", coveredBy: [], failedRegions: [] });
const finding = (accountId: string): Finding => ({
  ruleId: "cloudtrail/global-events-not-recorded",
  level: "error",
  accountId,
  accountName: `acct-${accountId}`,
  trails: [],
  message: "no trail",
  fix: ["aws cloudtrail start-logging --region us-east-1 --name arn"],
});

describe("issue sync through Octokit against the local GitHub REST API", () => {
  let github: FakeGitHub;
  let createOctokit: typeof import("../src/github/octokit.js").createOctokit;
  beforeAll(async () => {
    github = await startFakeGitHub();
    // @actions/github reads GITHUB_API_URL when it is loaded, as on a runner, where it is set first.
    process.env.GITHUB_API_URL = github.url;
    ({ createOctokit } = await import("../src/github/octokit.js"));
    // 150 tracked issues: the list comes back in two pages of 100, linked by a Link header.
    for (let index = 0; index < 150; index += 1) {
      const accountId = String(100_000_000_000 + index);
      github.issues.push({ number: index + 1, title: "t", body: `<!-- org-trail-audit:account=${accountId} digest=stale -->`, state: "open", state_reason: null, labels: ["cloudtrail", "security"], assignees: [], comments: [] });
    }
  });
  afterAll(async () => github?.close());

  it("finds an account's issue on the second page instead of opening a duplicate", async () => {
    const last = String(100_000_000_000 + 149);
    const first = String(100_000_000_000);
    const result = await syncIssues({
      octokit: createOctokit("ghs_token", () => undefined),
      owner: "acme",
      repo: "platform",
      labels: ["cloudtrail", "security"],
      maxOperations: 10,
      dryRun: false,
      wanted: [{ verdict: verdict(first), findings: [finding(first)], owners: [] }, { verdict: verdict(last), findings: [finding(last)], owners: [] }],
      clean: new Set(),
      log: () => undefined,
    });
    const listCalls = github.requests.filter((request) => request.operationId === "issues/list-for-repo");
    expect(listCalls).toHaveLength(2);
    expect(listCalls[1]!.path).toContain("page=2");
    expect(result).toMatchObject({ opened: 0, updated: 2 });
    expect(github.issues).toHaveLength(150);
    expect(github.issues.find((issue) => issue.number === 150)!.body).toContain(`account=${last}`);
    expect(github.violations).toEqual([]);
  });

  it("still opens the issue, unassigned, for an owner who lost access between the assignee check and the write (GitHub's 422)", async () => {
    github.issues.length = 0;
    github.requests.length = 0;
    github.assignable.add("alice");
    github.revoked.add("alice");
    const accountId = "123412341234";
    const result = await syncIssues({
      octokit: createOctokit("ghs_token", () => undefined),
      owner: "acme",
      repo: "platform",
      labels: ["cloudtrail"],
      maxOperations: 10,
      dryRun: false,
      wanted: [{ verdict: verdict(accountId), findings: [finding(accountId)], owners: ["alice"] }],
      clean: new Set(),
      log: () => undefined,
    });
    const creates = github.requests.filter((request) => request.operationId === "issues/create");
    expect(creates.map((request) => (request.body as { assignees: string[] }).assignees)).toEqual([["alice"], []]);
    expect(result.opened).toBe(1);
    expect(github.issues).toHaveLength(1);
    expect(github.issues[0]!.body).toContain(`account=${accountId}`);
  });
});
