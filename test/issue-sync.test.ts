import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../src/findings.js";
import { syncIssues } from "../src/github/issue-sync.js";
import { GITHUB_PACING } from "../src/github/octokit.js";
import { startFakeGitHub, type FakeGitHub } from "./support/github-api.js";
import { brokenVerdict, noTrailFinding, trackedIssue } from "./support/records.js";
import { UNPACED } from "./support/run-action.js";

const verdict = brokenVerdict;
const finding = noTrailFinding;

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
      github.issues.push(trackedIssue(index + 1, accountId));
    }
  });
  afterAll(async () => github?.close());

  it("finds an account's issue on the second page instead of opening a duplicate", async () => {
    const last = String(100_000_000_000 + 149);
    const first = String(100_000_000_000);
    const result = await syncIssues({
      octokit: createOctokit("ghs_token", () => undefined, undefined, UNPACED),
      owner: "acme",
      repo: "platform",
      labels: ["cloudtrail", "security"],
      maxOperations: 10,
      dryRun: false,
      wanted: [
        { verdict: verdict(first), findings: [finding(first)], owners: [] },
        { verdict: verdict(last), findings: [finding(last)], owners: [] },
      ],
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
      octokit: createOctokit("ghs_token", () => undefined, undefined, UNPACED),
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

  const request = (
    wanted: Parameters<typeof syncIssues>[0]["wanted"],
    extra: Partial<Parameters<typeof syncIssues>[0]> = {},
  ) => ({
    octokit: createOctokit("ghs_token", () => undefined, undefined, UNPACED),
    owner: "acme",
    repo: "platform",
    labels: ["cloudtrail", "security"],
    maxOperations: 50,
    dryRun: false,
    wanted,
    clean: new Set<string>(),
    log: () => undefined,
    ...extra,
  });

  it("a body GitHub refuses (422, too long), a label another job created first, an unassignable owner: each affects its own issue only", async () => {
    github.issues.length = 0;
    github.labels.clear();
    github.labels.add("security");
    github.labelsCreatedElsewhere.add("security");
    github.assignable.add("bob");
    github.revoked.add("bob");
    const ids = ["300000000001", "300000000002", "300000000003"];
    const huge: Finding = { ...finding(ids[1]!), message: "x".repeat(70_000) };
    const result = await syncIssues(
      request([
        { verdict: verdict(ids[0]!), findings: [finding(ids[0]!)], owners: ["bob"] },
        { verdict: verdict(ids[1]!), findings: [huge], owners: [] },
        { verdict: verdict(ids[2]!), findings: [finding(ids[2]!)], owners: [] },
      ]),
    );
    github.labelsCreatedElsewhere.clear();
    expect(result.opened).toBe(2);
    expect(result.failed).toEqual([
      {
        operation: expect.stringContaining(`account ${ids[1]}`),
        reason: "HTTP 422: Validation Failed (body is too long (maximum is 65536 characters))",
      },
    ]);
    expect(github.issues.map((issue) => issue.body.match(/account=(\d+)/)![1])).toEqual([ids[0], ids[2]]);
    expect(github.issues[0]!.assignees).toEqual([]);
  });

  it("a creation GitHub made but answered 502: looked for and found, never made twice", async () => {
    github.issues.length = 0;
    github.requests.length = 0;
    github.failAfterWrite["issues/create"] = 1;
    const id = "131313131313";
    const result = await syncIssues(request([{ verdict: verdict(id), findings: [finding(id)], owners: [] }]));
    expect(github.failAfterWrite["issues/create"]).toBe(0);
    expect(github.issues.filter((issue) => issue.body.includes(`account=${id}`))).toHaveLength(1);
    expect(github.requests.filter((item) => item.operationId === "issues/create")).toHaveLength(1);
    expect(result).toMatchObject({ opened: 1, failed: [] });
    expect(result.links.get(id)).toMatchObject({ number: github.issues[0]!.number });
    expect(github.violations).toEqual([]);
  });

  it("a creation that failed before GitHub made it (502, nothing written) is made once, on the next try", async () => {
    github.issues.length = 0;
    github.requests.length = 0;
    github.secondaryRateLimits = 0;
    const id = "141414141414";
    // A front end that fails before the write: the stand-in's 5xx with nothing performed.
    let refused = 1;
    const octokit = createOctokit("ghs_token", () => undefined, undefined, UNPACED);
    octokit.hook.before("request", (options) => {
      if (options.method === "POST" && String(options.url).endsWith("/issues") && refused-- > 0)
        throw Object.assign(new Error("Server Error"), { status: 502 });
    });
    const result = await syncIssues(
      request([{ verdict: verdict(id), findings: [finding(id)], owners: [] }], { octokit }),
    );
    expect(result.opened).toBe(1);
    expect(github.issues).toHaveLength(1);
  });

  it("a comment GitHub made but answered 502 is not written again", async () => {
    github.issues.length = 0;
    const id = "151515151515";
    github.issues.push(trackedIssue(1, id));
    github.failAfterWrite["issues/create-comment"] = 1;
    const result = await syncIssues(request([], { clean: new Set([id]) }));
    expect(result).toMatchObject({ closed: 1, failed: [] });
    expect(github.issues[0]!.comments).toHaveLength(1);
    expect(github.issues[0]).toMatchObject({ state: "closed", state_reason: "completed" });
  });

  it("two open issues for one account (an older version's retried write): keeps the oldest, closes the other as its duplicate", async () => {
    github.issues.length = 0;
    const id = "161616161616";
    for (const number of [8, 9]) github.issues.push(trackedIssue(number, id));
    const result = await syncIssues(request([{ verdict: verdict(id), findings: [finding(id)], owners: [] }]));
    const [older, newer] = [
      github.issues.find((item) => item.number === 8)!,
      github.issues.find((item) => item.number === 9)!,
    ];
    expect(older.state).toBe("open");
    expect(newer).toMatchObject({ state: "closed", state_reason: "duplicate" });
    expect(newer.comments).toEqual(["Duplicate of #8, which tracks the same account. Closing this one."]);
    expect(result.links.get(id)).toMatchObject({ number: 8 });
    // Next run: nothing left to close.
    const again = await syncIssues(request([{ verdict: verdict(id), findings: [finding(id)], owners: [] }]));
    expect(again.closed).toBe(0);
  });

  it("a secondary rate limit that persists: one retry, then every write is left for the next run, and said", async () => {
    github.issues.length = 0;
    github.requests.length = 0;
    github.labels.clear();
    github.secondaryRateLimits = 1_000;
    const ids = Array.from({ length: 10 }, (_, index) => String(171_717_171_700 + index));
    const result = await syncIssues(
      request(ids.map((id) => ({ verdict: verdict(id), findings: [finding(id)], owners: [] }))),
    );
    github.secondaryRateLimits = 0;
    // The first write (a label) and its one retry; nothing after it.
    expect(github.writes()).toHaveLength(2);
    expect(github.issues).toHaveLength(0);
    expect(result).toMatchObject({ opened: 0, failed: [], deferred: 10 });
    expect(result.rateLimited).toMatch(/^HTTP 403: You have exceeded a secondary rate limit/);
    expect(result.rateLimitedOperations).toHaveLength(10);
    expect(result.rateLimitedOperations[0]).toContain(`open an issue for account ${ids[0]}`);
  });

  it("a rate limit that begins mid-run defers the rest: what was written stays, nothing is hammered", async () => {
    github.issues.length = 0;
    github.requests.length = 0;
    github.labels.add("cloudtrail");
    github.labels.add("security");
    const ids = Array.from({ length: 4 }, (_, index) => String(181_818_181_800 + index));
    const octokit = createOctokit("ghs_token", () => undefined, undefined, UNPACED);
    let creations = 0;
    octokit.hook.before("request", (options) => {
      if (options.method === "POST" && String(options.url).endsWith("/issues") && ++creations === 2)
        github.secondaryRateLimits = 1_000;
    });
    const result = await syncIssues(
      request(
        ids.map((id) => ({ verdict: verdict(id), findings: [finding(id)], owners: [] })),
        { octokit },
      ),
    );
    github.secondaryRateLimits = 0;
    expect(result.opened).toBe(1);
    expect(result.deferred).toBe(3);
    expect(github.writes().filter((write) => write.operationId === "issues/create")).toHaveLength(3);
  });

  it("an owning team is never assigned: mentioned once, when the issue is opened, and named in code after", async () => {
    github.issues.length = 0;
    github.requests.length = 0;
    github.assignable.add("erin");
    const id = "191919191919";
    const owners = ["acme/platform", "erin"];
    const first = await syncIssues(request([{ verdict: verdict(id), findings: [finding(id)], owners }]));
    expect(first.opened).toBe(1);
    const issue = github.issues[0]!;
    expect(issue.assignees).toEqual(["erin"]);
    expect(issue.body).toContain("cc @acme/platform (owning team)");
    expect(issue.body).toContain("`@acme/platform`");
    // No assignability check for a team.
    expect(github.requests.filter((item) => item.path.includes("/assignees/acme"))).toHaveLength(0);
    const changed = { ...finding(id), message: "still no trail" };
    const second = await syncIssues(request([{ verdict: verdict(id), findings: [changed], owners }]));
    expect(second.updated).toBe(1);
    expect(issue.body).not.toContain("cc @acme/platform");
    expect(issue.body).toContain("`@acme/platform`");
  });

  it("spaces writes as GitHub asks, for real: creations 3 s apart, other writes 1 s (the one test that waits on pacing)", async () => {
    github.issues.length = 0;
    github.requests.length = 0;
    github.labels.clear();
    const ids = ["300000000021", "300000000022"];
    github.issues.push(trackedIssue(1, "300000000023", { labels: ["cloudtrail"] }));
    const result = await syncIssues(
      request(
        [...ids, "300000000023"].map((id) => ({ verdict: verdict(id), findings: [finding(id)], owners: [] })),
        { octokit: createOctokit("ghs_token", () => undefined, undefined, GITHUB_PACING), labels: ["cloudtrail"] },
      ),
    );
    expect(result).toMatchObject({ opened: 2, updated: 1 });
    const writes = github.writes();
    expect(writes.map((write) => write.operationId)).toEqual([
      "issues/create-label",
      "issues/create",
      "issues/create",
      "issues/update",
    ]);
    const at = writes.map((write) => write.at!);
    const gaps = at.slice(1).map((time, index) => time - at[index]!);
    // Bottleneck spaces the starts; the stand-in stamps the arrivals: a few ms of slack.
    const slack = 50;
    // Two creations (they notify people) at least 3 s apart; every write at least 1 s after the one before.
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(GITHUB_PACING.notificationIntervalMs - slack);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(GITHUB_PACING.writeIntervalMs - slack);
  });
});
