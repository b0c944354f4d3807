import {
  CreateOrganizationalUnitCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAwsProxy, type AwsProxy } from "./support/aws-proxy.js";
import { startFakeGitHub, type FakeGitHub, runnerEnvironment } from "./support/github-api.js";
import { awsEnvironment, motoAvailability, startMoto, type MotoServer } from "./support/moto-server.js";
import { runAction } from "./support/run-action.js";
import { everythingWritten, markdownDefects } from "./support/rendered-markdown.js";
import { ISSUES_SCENARIO, seedOrganization, type SeededOrganization } from "./support/seed-org.js";

const moto = motoAvailability();
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/**
 * Accepted exceptions through `node dist/index.js`, on moto and the GitHub stand-in: an
 * excepted error leaves the step green, closes its issue with the entry's terms and
 * dismisses its alert (never fixed); expired, it fails the step again and reopens both.
 */
describe.skipIf(!moto.available)("accepted exceptions", () => {
  let server: MotoServer;
  let proxy: AwsProxy;
  let github: FakeGitHub;
  let org: SeededOrganization;
  let workspace: string;
  let env: Record<string, string>;
  let outerUnit = "";
  const errorAccounts = () => ["tagged", "by-file", "by-ou", "unowned"].map((key) => org.byKey(key).id);

  /** Every run's job summary, for the rendering check at the end. */
  const summaries: string[] = [];
  const act = async (...args: Parameters<typeof runAction>) => {
    const run = await runAction(...args);
    summaries.push(run.summary);
    return run;
  };
  const inputs = (extra: Record<string, string> = {}) => ({
    "create-issues": "true",
    "default-assignees": "dave",
    "github-token": "ghs_test_token",
    "fail-on": "error",
    "report-file": "report.json",
    ...extra,
  });
  const uploadSarif = () => github.uploadSarifFrom(workspace);
  const alertsOf = (accountId: string) =>
    github.alerts.filter(
      (alert) =>
        alert.path.startsWith(`aws/accounts/${accountId}/cloudtrail`) &&
        alert.ruleId === "cloudtrail/global-events-not-recorded",
    );
  const issueOf = (accountId: string) => github.issues.find((issue) => issue.body.includes(`account=${accountId}`));
  const writeExceptions = (expiresFirst: string) =>
    writeFileSync(
      join(workspace, "exceptions.yml"),
      `exceptions:
  - accounts: ["${org.byKey("tagged").id}", "${org.byKey("by-file").id}", "${org.byKey("unowned").id}"]
    rules: [cloudtrail/global-events-not-recorded]
    reason: "Sandbox accounts, closed in January"
    approved-by: secops-lead
    expires: "${expiresFirst}"
  - organizational-units: [${outerUnit}]
    reason: "Vendor-managed trail"
    approved-by: platform-lead
    expires: "${day(10)}"
  - accounts: ["999999999999"]
    reason: "Left the organization"
    expires: "${day(30)}"
`,
    );

  beforeAll(async () => {
    server = await startMoto();
    proxy = await startAwsProxy(server.endpoint);
    github = await startFakeGitHub();
    github.assignable.add("dave");
    org = await seedOrganization(server.endpoint, ISSUES_SCENARIO);
    // by-ou sits in an OU nested under the one the exceptions file names.
    const organizations = new OrganizationsClient({
      region: "us-east-1",
      endpoint: server.endpoint,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    const { OrganizationalUnit: outer } = await organizations.send(
      new CreateOrganizationalUnitCommand({ ParentId: org.rootId, Name: "vendors" }),
    );
    const { OrganizationalUnit: inner } = await organizations.send(
      new CreateOrganizationalUnitCommand({ ParentId: outer!.Id!, Name: "acme-vendor" }),
    );
    await organizations.send(
      new MoveAccountCommand({
        AccountId: org.byKey("by-ou").id,
        SourceParentId: org.rootId,
        DestinationParentId: inner!.Id!,
      }),
    );
    organizations.destroy();
    outerUnit = outer!.Id!;
    workspace = mkdtempSync(join(tmpdir(), "ota-exceptions-"));
    env = {
      ...awsEnvironment(proxy.endpoint),
      ...runnerEnvironment(github),
      GITHUB_REF: "refs/heads/main",
    };
  });
  afterAll(async () => {
    await github?.close();
    await proxy?.close();
    await server?.stop();
  });

  it("run 1, without exceptions: the errors fail the step, open their issues and alerts", async () => {
    const run = await act(inputs(), env, workspace);
    expect(run.code, run.stdout).toBe(1);
    uploadSarif();
    for (const id of errorAccounts()) {
      expect(issueOf(id)?.state).toBe("open");
      expect(alertsOf(id).map((alert) => alert.state)).toEqual(["open"]);
    }
  });

  it("run 2: excepted errors leave the step green; issues close with the terms, alerts are dismissed, not fixed", async () => {
    writeExceptions(day(60));
    const run = await act(inputs({ "exceptions-file": "exceptions.yml" }), env, workspace);
    expect(run.code, run.stdout).toBe(0);
    for (const id of errorAccounts()) {
      const issue = issueOf(id)!;
      expect(issue.state).toBe("closed");
      expect(issue.state_reason).toBe("not_planned");
      const [alert] = alertsOf(id);
      expect(alert!.state).toBe("dismissed");
      expect(alert!.dismissedReason).toBe("won't fix");
      expect(alert!.dismissedComment!.length).toBeLessThanOrEqual(280);
    }
    const sandbox = issueOf(org.byKey("tagged").id)!;
    // The file's words, Markdown-escaped in the comment.
    const comment = sandbox.comments.at(-1)!.replaceAll("\\", "");
    expect(comment).toContain("> Sandbox accounts, closed in January");
    expect(comment).toContain(`Approved by secops-lead; expires ${day(60)} (exceptions.yml, entry 1`);
    expect(comment).toContain("This issue reopens if the exception expires or is removed while they remain.");
    expect(alertsOf(org.byKey("by-ou").id)[0]!.dismissedComment).toBe(
      `org-trail-audit exception: Vendor-managed trail (approved by platform-lead; expires ${day(10)}); ` +
        `exceptions.yml, entry 2 ("Vendor-managed trail"; OUs ${outerUnit})`,
    );
    // Warned, each entry named as in the file: expiring in 10 days, and the stale one.
    expect(run.stdout).toContain(
      `::warning title=Exception expiring::exceptions.yml, entry 2 ("Vendor-managed trail"; OUs ${outerUnit}) ` +
        `expires on ${day(10)} (in 10 days)`,
    );
    expect(run.stdout).toContain(
      '::warning title=Exception matches nothing::exceptions.yml, entry 3 ("Left the organization"; accounts 999999999999)',
    );
    // The summary lists them; the JSON report keeps them, marked.
    expect(run.summary).toContain("### Accepted exceptions");
    // (escapeMarkdown's backslashes taken out)
    const summary = run.summary.replaceAll("\\", "");
    expect(summary).toContain(`| Sandbox accounts, closed in January | secops-lead | ${day(60)} | entry 1 |`);
    expect(summary).toContain(
      `| Vendor-managed trail | platform-lead | **${day(10)}** (:warning: in 10 days) | entry 2 |`,
    );
    expect(summary).toContain("Code-scanning alerts of exceptions: 4 dismissed as won't fix.");
    expect(run.outputs["noncompliant-accounts"]).toBe("0");
    const report = JSON.parse(readFileSync(join(workspace, "report.json"), "utf8"));
    const excepted = report.findings.filter((finding: any) => finding.exception);
    expect(excepted.map((finding: any) => finding.accountId).sort()).toEqual([...errorAccounts()].sort());
    // The upload keeps the results: GitHub keeps the alerts dismissed.
    uploadSarif();
    for (const id of errorAccounts()) expect(alertsOf(id)[0]!.state).toBe("dismissed");
  });

  it("run 3: an expired entry counts again: the step fails, its issues and alerts are reopened", async () => {
    writeExceptions(day(-1));
    const run = await act(inputs({ "exceptions-file": "exceptions.yml" }), env, workspace);
    expect(run.code, run.stdout).toBe(1);
    expect(run.stdout).toContain(
      `::warning title=Exception expired::exceptions.yml, entry 1 ("Sandbox accounts, closed in January"`,
    );
    for (const key of ["tagged", "by-file", "unowned"]) {
      const id = org.byKey(key).id;
      expect(issueOf(id)!.state).toBe("open");
      expect(alertsOf(id)[0]!.state).toBe("open");
    }
    // The OU entry still holds.
    expect(issueOf(org.byKey("by-ou").id)!.state).toBe("closed");
    expect(alertsOf(org.byKey("by-ou").id)[0]!.state).toBe("dismissed");
  });

  it("refuses a malformed file with one error naming it, before any AWS call", async () => {
    const cases: [string, RegExp][] = [
      ["exceptions: [", /Exceptions file bad\.yml: not valid YAML or JSON/],
      [
        'exceptions:\n  - accounts: ["12345"]\n    reason: r\n    expires: "2027-01-01"',
        /Exceptions file bad\.yml: entry 1 \("r"; accounts 12345\), field "accounts": "12345" is not a 12-digit account id/,
      ],
      [
        `exceptions:\n  - accounts: ["444455556666"]\n    reason: r\n    expires: "${day(400)}"`,
        /field "expires": \S+ is more than a year ahead/,
      ],
      ["accounts: []", /Exceptions file bad\.yml: expected a top-level "exceptions:" list of entries\./],
      [
        'exceptions:\n  - accounts: ["444455556666"]\n    reason: r\n    expiry: "2027-01-01"',
        /entry 1 \("r"; accounts 444455556666\), field "expiry": not a field of an entry/,
      ],
      [
        'exceptions:\n  - organizational-units: ["ou-1"]\n    reason: r\n    expires: "2027-01-01"',
        /field "organizational-units": "ou-1" is not an OU id/,
      ],
      [
        'exceptions:\n  - reason: r\n    expires: "2027-01-01"',
        /entry 1 \("r"\): give "accounts", "organizational-units" or both/,
      ],
      [
        'exceptions:\n  - accounts: ["444455556666"]\n    rules: [made-up]\n    reason: r\n    expires: "2027-01-01"',
        /field "rules": "made-up" is not a rule of this tool/,
      ],
      ['exceptions:\n  - accounts: ["444455556666"]\n    expires: "2027-01-01"', /field "reason": required/],
      ['exceptions:\n  - accounts: ["444455556666"]\n    reason: r', /field "expires": required/],
      [
        'exceptions:\n  - accounts: ["444455556666"]\n    reason: r\n    expires: "2027-13-01"',
        /field "expires": "2027-13-01" is not a date/,
      ],
    ];
    for (const [text, message] of cases) {
      writeFileSync(join(workspace, "bad.yml"), text);
      proxy.calls.length = 0;
      const run = await act(inputs({ "exceptions-file": "bad.yml" }), env, workspace);
      expect(run.code).toBe(1);
      expect(run.stdout.split("\n").filter((line) => line.startsWith("::error::"))).toEqual([
        expect.stringMatching(message),
      ]);
      expect(proxy.calls).toEqual([]);
    }
    proxy.calls.length = 0;
    const missing = await act(inputs({ "exceptions-file": "missing.yml" }), env, workspace);
    expect(missing.stdout).toMatch(
      /::error::Input "exceptions-file" names "missing\.yml", which cannot be read \(ENOENT\)/,
    );
    expect(proxy.calls).toEqual([]);
    expect(github.violations).toEqual([]);
  });

  it("renders as GitHub renders it: every run's summary, every issue and comment", () => {
    expect(summaries.length).toBeGreaterThan(2);
    expect(github.issues.length).toBeGreaterThan(2);
    for (const { what, markdown } of everythingWritten(summaries, github.issues))
      expect(markdownDefects(markdown), what).toEqual([]);
  });
});
