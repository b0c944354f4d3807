import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMarker } from "../src/github/issue-content.js";
import { startFakeGitHub, type FakeGitHub, runnerEnvironment } from "./support/github-api.js";
import { awsEnvironment, motoAvailability, startMoto, type MotoServer } from "./support/moto-server.js";
import { everythingWritten, renderMarkdown, visibleText } from "./support/rendered-markdown.js";
import { runAction } from "./support/run-action.js";
import { ALL_MANAGEMENT, seedOrganization, type SeededOrganization } from "./support/seed-org.js";

const moto = motoAvailability();

/**
 * Anyone who can name an AWS account, tag it or write an exception's reason writes into our
 * issues, comments, summary and log. None of it may notify, reference, link or run a
 * workflow command: only the owners the action assigns are mentioned.
 */
const MENTIONS = "@secops-lead @alice";
const REFERENCES = "see #12 and GH-12 at https://evil.example or www.evil.example, mail mallory@evil.example";
const INJECTION = "x\n::warning title=INJECTED::pwned";

describe.skipIf(!moto.available)("outside text that tries to notify, reference, link or inject", () => {
  let server: MotoServer;
  let github: FakeGitHub;
  let org: SeededOrganization;
  let workspace: string;
  let env: Record<string, string>;
  const written: { what: string; markdown: string }[] = [];
  const stdout: string[] = [];
  const inputs = (extra: Record<string, string> = {}) => ({
    "create-issues": "true",
    "github-token": "ghs_test_token",
    "fail-on": "none",
    ...extra,
  });

  beforeAll(async () => {
    server = await startMoto();
    github = await startFakeGitHub();
    github.assignable.add("bob");
    org = await seedOrganization(server.endpoint, {
      management: {
        trails: [
          {
            name: "management-trail",
            region: "us-east-1",
            multiRegion: true,
            logging: true,
            selectors: ALL_MANAGEMENT,
          },
        ],
        expected: [],
      },
      members: [
        { key: "mentions", name: MENTIONS, tags: { "github-owner": "bob, @everyone" }, trails: [], expected: [] },
        { key: "references", name: REFERENCES, trails: [], expected: [] },
        { key: "injection", name: INJECTION, trails: [], expected: [] },
      ],
    });
    workspace = mkdtempSync(join(tmpdir(), "ota-hostile-"));
    env = {
      ...awsEnvironment(server.endpoint),
      ...runnerEnvironment(github, "7"),
    };
    const run1 = await runAction(inputs(), env, workspace);
    expect(run1.code, run1.stdout).toBe(0);
    stdout.push(run1.stdout);
    written.push({ what: "summary 1", markdown: run1.summary });
    // An exception whose reason names people and issues: the issue closes quoting it.
    const expires = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    writeFileSync(
      join(workspace, "exceptions.yml"),
      `exceptions:\n  - accounts: ["${org.byKey("references").id}"]\n    reason: "ask @alice, see #12 and https://evil.example"\n` +
        `    approved-by: "@secops-lead"\n    expires: "${expires}"\n`,
    );
    const run2 = await runAction(inputs({ "exceptions-file": "exceptions.yml" }), env, workspace);
    expect(run2.code, run2.stdout).toBe(0);
    stdout.push(run2.stdout);
    written.push({ what: "summary 2", markdown: run2.summary });
    written.push(...everythingWritten([], github.issues));
  });
  afterAll(async () => {
    await github?.close();
    await server?.stop();
  });

  it("the hostile names reached what we wrote (as text)", () => {
    expect(github.issues.length).toBeGreaterThanOrEqual(3);
    const text = written.map((item) => visibleText(renderMarkdown(item.markdown)).replaceAll("\u200B", "")).join("\n");
    for (const expected of ["@secops-lead @alice", "see #12 and GH-12", "ask @alice"]) expect(text).toContain(expected);
  });

  it("mentions only the owners it assigns: never a name, a tag value, or an exception's reason", () => {
    for (const { what, markdown } of written) {
      const mentioned = [...visibleText(renderMarkdown(markdown)).matchAll(/(?:^|[^\w`])@([A-Za-z0-9][\w-]*)/g)].map(
        (match) => match[1],
      );
      expect(
        mentioned.filter((login) => login !== "bob"),
        what,
      ).toEqual([]);
    }
    const mentionsIssue = github.issues.find(
      (issue) => readMarker(issue.body)?.key === `account:${org.byKey("mentions").id}`,
    )!;
    expect(mentionsIssue.assignees, mentionsIssue.body).toEqual(["bob"]);
    // @everyone from the tag is not assignable here: named in code, not mentioned.
    expect(mentionsIssue.body).toContain("`@everyone`");
  });

  it("references no issue and links nowhere it was told to", () => {
    for (const { what, markdown } of written) {
      const html = renderMarkdown(markdown);
      const text = visibleText(html);
      expect(text, what).not.toMatch(/(?:^|\W)#12\b/);
      expect(text, what).not.toMatch(/\bGH-12\b/i);
      expect(html, what).not.toMatch(/href="(?:https?:\/\/(?:www\.)?evil|mailto:)/);
    }
  });

  it("lets no name start a workflow command in the log", () => {
    for (const out of stdout) {
      expect(out).toContain("INJECTED");
      expect(out.split("\n").filter((line) => /^\s*::warning title=INJECTED/.test(line))).toEqual([]);
    }
  });
});
