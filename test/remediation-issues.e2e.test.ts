import {
  CreateOrganizationalUnitCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { readFileSync, writeFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMarker } from "../src/github/issue-content.js";
import { startAwsProxy, type AwsProxy } from "./support/aws-proxy.js";
import { startFakeGitHub, type FakeGitHub, runnerEnvironment } from "./support/github-api.js";
import { awsEnvironment, motoAvailability, startMoto, type MotoServer } from "./support/moto-server.js";
import { runAction } from "./support/run-action.js";
import { everythingWritten, markdownDefects } from "./support/rendered-markdown.js";
import { ISSUES_SCENARIO, seedOrganization, setTrailLogging, type SeededOrganization } from "./support/seed-org.js";

const moto = motoAvailability();

/**
 * The remediation-issue lifecycle end to end: the action as GitHub runs it, AWS on moto,
 * GitHub on a local server that checks every request against GitHub's OpenAPI description.
 * The runs build on each other, as scheduled runs do.
 */
describe.skipIf(!moto.available)("remediation issues kept in step with each account", () => {
  let server: MotoServer;
  let proxy: AwsProxy;
  let github: FakeGitHub;
  let org: SeededOrganization;
  let workspace: string;
  let env: Record<string, string>;
  let refusedAccount = "";

  /** Every run's job summary, for the rendering check at the end. */
  const summaries: string[] = [];
  const act = async (...args: Parameters<typeof runAction>) => {
    const run = await runAction(...args);
    summaries.push(run.summary);
    return run;
  };
  const inputs = (extra: Record<string, string> = {}) => ({
    "create-issues": "true",
    "owners-file": "owners.yml",
    "default-assignees": "dave",
    "github-token": "ghs_test_token",
    "fail-on": "none",
    "report-file": "report.json",
    ...extra,
  });
  /** The workflow's upload-sarif step: GitHub's code scanning takes this run's SARIF. */
  const uploadSarif = () => github.uploadSarifFrom(workspace);
  const openAlerts = (accountId: string) =>
    github.alerts.filter(
      (alert) => alert.path.startsWith(`aws/accounts/${accountId}/cloudtrail`) && alert.state === "open",
    );
  const issueFor = (key: string) => github.issues.find((issue) => issue.body.includes(`account=${org.byKey(key).id}`));
  const organizationIssue = () => github.issues.find((issue) => readMarker(issue.body)?.key === "organization");

  beforeAll(async () => {
    server = await startMoto();
    proxy = await startAwsProxy(server.endpoint);
    github = await startFakeGitHub();
    for (const login of ["alice", "bob", "carol", "dave"]) github.assignable.add(login);
    org = await seedOrganization(server.endpoint, ISSUES_SCENARIO);

    const organizations = new OrganizationsClient({
      region: "us-east-1",
      endpoint: server.endpoint,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    const { OrganizationalUnit } = await organizations.send(
      new CreateOrganizationalUnitCommand({ ParentId: org.rootId, Name: "data" }),
    );
    await organizations.send(
      new MoveAccountCommand({
        AccountId: org.byKey("by-ou").id,
        SourceParentId: org.rootId,
        DestinationParentId: OrganizationalUnit!.Id!,
      }),
    );

    workspace = mkdtempSync(join(tmpdir(), "ota-issues-"));
    writeFileSync(
      join(workspace, "owners.yml"),
      `# account or OU -> GitHub logins\n"${org.byKey("by-file").id}": [bob, ` +
        `ghost-user]\n${OrganizationalUnit!.Id}: carol\n# two keys that match nothing: reported, not ` +
        `silently ignored\n"999999999999": erin\nou-zz99-zzzzzzzz: erin\n`,
    );
    env = {
      ...awsEnvironment(proxy.endpoint),
      ...runnerEnvironment(github),
    };
    proxy.faults.push((call) =>
      refusedAccount &&
      call.operation === "AssumeRole" &&
      decodeURIComponent(call.body).includes(`::${refusedAccount}:role/`)
        ? { status: 403, code: "AccessDenied", message: "not authorized to perform: sts:AssumeRole" }
        : undefined,
    );
  });
  afterAll(async () => {
    await github?.close();
    await proxy?.close();
    await server?.stop();
  });

  it("run 1 opens one issue per account needing work, assigned to its owners, through a secondary rate limit", async () => {
    github.secondaryRateLimits = 1;
    proxy.calls.length = 0;
    const run = await act(inputs(), env, workspace);
    expect(run.code, run.stdout).toBe(0);

    // One per account that needs work, and one for the organization-level fix (no organization trail here).
    expect(github.issues).toHaveLength(5);
    expect(issueFor("tagged")!.assignees).toEqual(["alice"]);
    expect(issueFor("by-file")!.assignees).toEqual(["bob"]);
    expect(issueFor("by-file")!.body).toContain("@ghost-user");
    expect(issueFor("by-ou")!.assignees).toEqual(["carol"]);
    expect(issueFor("unowned")!.assignees).toEqual(["dave"]);
    expect(issueFor("notes-only")).toBeUndefined();
    // The organization issue: assigned to default-assignees, counting the four uncovered members and the two
    // accounts (the management account and notes-only) that already record their own copy.
    const orgIssue = organizationIssue()!;
    expect(orgIssue.assignees).toEqual(["dave"]);
    expect(orgIssue.title).toMatch(/one organization trail would record global service events for 4 more accounts/);
    expect(orgIssue.body).toContain("would cover **4 accounts**");
    expect(orgIssue.body).toContain("**2 accounts** already record their own copy");
    expect(orgIssue.body).toContain(
      "aws organizations enable-aws-service-access --service-principal cloudtrail.amazonaws.com",
    );
    // Each account issue links to it and to the run.
    for (const key of ["tagged", "by-file", "by-ou", "unowned"])
      expect(issueFor(key)!.body).toContain(
        `The organization-level fix in [#${orgIssue.number}](https://github.com/acme/platform/issues/${orgIssue.number}) would cover this account too.`,
      );
    for (const issue of github.issues) expect(issue.labels).toEqual(["cloudtrail", "security"]);
    expect(github.labels).toEqual(new Set(["cloudtrail", "security"]));

    const body = issueFor("by-ou")!.body;
    expect(body).toContain(`arn:aws:cloudtrail:eu-west-1:${org.byKey("by-ou").id}:trail/eu-only`);
    expect(body).toContain("--is-multi-region-trail");
    expect(body).toContain("https://github.com/acme/platform/actions/runs/4242");
    expect(body).not.toContain("**pwned**");

    // Tags were read for the four accounts that needed an issue, and for no other.
    expect(proxy.count("ListTagsForResource")).toBe(4);
    expect(run.outputs["issues-opened"]).toBe("5");
    expect(run.summary).toContain("ghost-user");
    expect(run.summary).toContain("5 opened");
    // The plan opens the summary, and each account row links to its issue.
    expect(run.summary.indexOf("### What to do")).toBeLessThan(run.summary.indexOf("### Findings"));
    expect(run.summary).toContain(
      `Tracked in [#${orgIssue.number}](https://github.com/acme/platform/issues/${orgIssue.number})`,
    );
    const unownedIssue = issueFor("unowned")!.number;
    expect(run.summary).toContain(
      `| sandbox (${org.byKey("unowned").id}) | [#${unownedIssue}](https://github.com/acme/platform/issues/${unownedIssue}) | Root | @\u200Bdave |`,
    );
    // The first analysis: nothing was open before, so everything is new.
    expect(run.outputs["new-findings"]).toBe(run.outputs.findings);
    expect(run.outputs["resolved-findings"]).toBe("0");
    expect(run.summary).toContain("owners-file names an account this scan did not include: 999999999999");
    // The real OU key is not among them.
    expect(run.summary).toContain(
      "owners-file names OU or root ids this organization does not hold: ou-zz99-zzzzzzzz. Check",
    );
    expect(github.violations).toEqual([]);
    uploadSarif();
    expect(openAlerts(org.byKey("unowned").id).length).toBeGreaterThan(0);
  });

  it("run 2, nothing changed, makes no write at all", async () => {
    const before = github.writes().length;
    const run = await act(inputs(), env, workspace);
    expect(run.code).toBe(0);
    expect(github.writes().length).toBe(before);
    expect(run.outputs["issues-opened"]).toBe("0");
    expect(run.summary).toContain("5 unchanged");
    // Compared with the alerts the first run's upload opened: nothing new, nothing resolved.
    expect(run.outputs["new-findings"]).toBe("0");
    expect(run.outputs["resolved-findings"]).toBe("0");
    expect(run.summary).toContain("still open");
    uploadSarif();
  });

  it("run 3 closes exactly the issue of the account that was fixed, and keeps a refused account's issue open, saying why", async () => {
    await setTrailLogging(server.endpoint, org.byKey("tagged").id, ISSUES_SCENARIO.members[0]!.trails[0]!, true);
    refusedAccount = org.byKey("unowned").id;
    const refusedBefore = structuredClone(issueFor("unowned")!);

    const run = await act(inputs(), env, workspace);
    expect(run.code).toBe(0);
    const fixed = issueFor("tagged")!;
    expect(fixed).toMatchObject({ state: "closed", state_reason: "completed" });
    expect(fixed.comments.at(-1)).toContain("assessed clean");
    expect(github.issues.filter((issue) => issue.state === "closed")).toHaveLength(1);
    // The refused role is its owners' to fix: the issue stays open (the same one) and says so, with the fix.
    const refused = issueFor("unowned")!;
    expect(refused).toMatchObject({ number: refusedBefore.number, state: "open", assignees: refusedBefore.assignees });
    expect(refused.body).toContain("was not assessed");
    expect(refused.body).toContain("trust policy");
    expect(run.outputs["issues-closed"]).toBe("1");
    expect(run.outputs["not-assessed-accounts"]).toBe("1");

    // Its code-scanning alerts too: read back and written again, so the upload keeps them open.
    const refusedAlerts = openAlerts(refusedAccount);
    const sarif = JSON.parse(readFileSync(join(workspace, "org-trail-audit.sarif"), "utf8"));
    const carried = sarif.runs
      .flatMap((sarifRun: any) => sarifRun.results)
      .filter((result: any) => result.properties.carriedOver);
    expect(carried.map((result: any) => result.partialFingerprints.primaryLocationLineHash).sort()).toEqual(
      refusedAlerts.map((alert) => alert.fingerprint).sort(),
    );
    for (const result of carried)
      expect(result.message.text).toMatch(/^Carried over \(\d{4}-\d{2}-\d{2}\): account .*not assessed.*AccessDenied/);
    expect(run.summary).toContain(`${refusedAlerts.length} open code-scanning alert`);
    const taggedAlerts = openAlerts(org.byKey("tagged").id);
    uploadSarif();
    expect(openAlerts(refusedAccount).map((alert) => alert.number)).toEqual(
      expect.arrayContaining(refusedAlerts.map((alert) => alert.number)),
    );
    // The fixed account's alerts close: its absence is a fix, not a gap.
    expect(taggedAlerts.length).toBeGreaterThan(0);
    expect(openAlerts(org.byKey("tagged").id)).toEqual([]);
    expect(github.violations).toEqual([]);
  });

  it(
    "run 3 again without security-events: read: the summary names the accounts whose alerts may close, " +
      "and the step fails unless fail-on is none",
    async () => {
      github.alertsAnswer = { status: 403, message: "Resource not accessible by integration" };
      try {
        const passing = await act(inputs(), env, workspace);
        expect(passing.code).toBe(0);
        expect(passing.stdout).toContain(
          "::warning title=Open alerts may close::The open code-scanning alerts could not be read",
        );
        expect(passing.summary).toContain("[!CAUTION]");
        expect(passing.summary).toContain(refusedAccount);
        expect(passing.summary).toContain("security-events: read");
        // Without the alerts, what changed is unknown: said so, not everything called new.
        expect(passing.summary).toContain("What changed since the last run is unknown: GitHub answered 403");
        expect(passing.outputs["new-findings"]).toBe("");
        expect(passing.outputs["resolved-findings"]).toBe("");

        const failing = await act(inputs({ "fail-on": "error" }), env, workspace);
        expect(failing.code).toBe(1);
        expect(failing.stdout).toMatch(
          /::error::The open code-scanning alerts could not be read, so alerts of accounts not assessed this run may close/,
        );
        // The SARIF is still written: the scan's results are not lost with the alerts.
        expect(JSON.parse(readFileSync(join(workspace, "org-trail-audit.sarif"), "utf8")).runs).toHaveLength(10);
      } finally {
        github.alertsAnswer = undefined;
      }
    },
  );

  it("run 4 reopens the issue when the account breaks again, keeping whoever a person assigned", async () => {
    await setTrailLogging(server.endpoint, org.byKey("tagged").id, ISSUES_SCENARIO.members[0]!.trails[0]!, false);
    // Between runs a person assigned erin to the closed issue.
    github.assignable.add("erin");
    issueFor("tagged")!.assignees.push("erin");
    const run = await act(inputs(), env, workspace);
    expect(run.code).toBe(0);
    expect(issueFor("tagged")).toMatchObject({ state: "open", assignees: ["alice", "erin"] });
    expect(github.issues).toHaveLength(5);
    expect(run.outputs["issues-opened"]).toBe("1");
    expect(github.violations).toEqual([]);
  });

  it("run 5: an owner change adds the new owner and removes only the owner the action had assigned", async () => {
    const owners = join(workspace, "owners.yml");
    const before = readFileSync(owners, "utf8");
    writeFileSync(owners, before.replace(/\[bob, ghost-user\]/, "[carol]"));
    issueFor("by-file")!.assignees.push("dave");
    try {
      const run = await act(inputs(), env, workspace);
      expect(run.code, run.stdout).toBe(0);
      expect(issueFor("by-file")!.assignees.sort()).toEqual(["carol", "dave"]);
      expect(readMarker(issueFor("by-file")!.body)!.assigned).toEqual(["carol"]);
      expect(github.violations).toEqual([]);
    } finally {
      writeFileSync(owners, before);
    }
    // And back: bob is added again, carol (assigned by the action) removed, dave (by a person) stays.
    const back = await act(inputs(), env, workspace);
    expect(back.code, back.stdout).toBe(0);
    expect(issueFor("by-file")!.assignees.sort()).toEqual(["bob", "dave"]);
  });

  it("a dry run prints the planned operations and writes nothing", async () => {
    await setTrailLogging(server.endpoint, org.byKey("tagged").id, ISSUES_SCENARIO.members[0]!.trails[0]!, true);
    const before = github.writes().length;
    const run = await act(inputs({ "dry-run": "true" }), env, workspace);
    expect(run.stdout).toMatch(/dry run, would close issue #\d+: account \d{12} is assessed clean/);
    expect(github.writes().length).toBe(before);
    expect(run.outputs["issues-closed"]).toBe("0");
  });

  it("defers writes beyond max-issue-operations and says so", async () => {
    // Closing takes two writes (comment, close): a budget of one defers it (the organization issue, updated first, may take the one).
    const before = github.writes().length;
    const run = await act(inputs({ "max-issue-operations": "1" }), env, workspace);
    expect(github.writes().length - before).toBeLessThanOrEqual(1);
    expect(issueFor("tagged")!.state).toBe("open");
    expect(run.summary).toContain("1 issue operation was deferred by max-issue-operations");
  });

  it("without issues: write, fails with one clear error naming the permission, after the SARIF and summary are written", async () => {
    github.denyWrites = true;
    try {
      const run = await act(inputs(), env, workspace);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/::error::Could not .*; the token lacks `permissions: issues: write`/);
      expect(run.summary).toContain("## CloudTrail global service events");
      expect(JSON.parse(readFileSync(join(workspace, "org-trail-audit.sarif"), "utf8")).version).toBe("2.1.0");
    } finally {
      github.denyWrites = false;
    }
  });

  it("renders as GitHub renders it: every run's summary, every issue and comment", () => {
    expect(summaries.length).toBeGreaterThan(2);
    expect(github.issues.length).toBeGreaterThan(2);
    for (const { what, markdown } of everythingWritten(summaries, github.issues))
      expect(markdownDefects(markdown), what).toEqual([]);
  });
});
