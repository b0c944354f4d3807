import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMarker } from "../src/github/issue-content.js";
import { startFakeGitHub, type FakeGitHub } from "./support/github-api.js";
import { accountIdOf, largeInventory, type LargeOrganization } from "./support/large-inventory.js";
import { runAction } from "./support/run-action.js";

/**
 * Changing issue-grouping moves every account to an issue of the new grouping and closes
 * the old issues only once their accounts' new issues exist, pointing to them: through
 * `node dist/index.js` on a saved scan and the GitHub stand-in.
 */
describe("switching issue-grouping", () => {
  let github: FakeGitHub;
  let dir: string;
  let env: Record<string, string>;
  const shape: LargeOrganization = { total: 8, singleRegionEu: 3, noTrail: 2, stopped: 1 };
  const accounts = [1, 2, 3, 4, 5, 6].map(accountIdOf);
  const inputs = (grouping: string) => ({
    "inventory-file": "inventory.json",
    "create-issues": "true",
    "issue-grouping": grouping,
    "owners-file": "owners.yml",
    "github-token": "ghs_test_token",
    "fail-on": "none",
  });
  const byKey = (key: string) => github.issues.find((issue) => readMarker(issue.body)?.key === key)!;

  beforeAll(async () => {
    github = await startFakeGitHub();
    github.assignable.add("alice");
    github.assignable.add("bob");
    dir = mkdtempSync(join(tmpdir(), "ota-switch-"));
    writeFileSync(join(dir, "inventory.json"), JSON.stringify(largeInventory(shape)));
    writeFileSync(
      join(dir, "owners.yml"),
      accounts.map((id, index) => `"${id}": ${index % 2 === 0 ? "alice" : "bob"}`).join("\n"),
    );
    env = { GITHUB_API_URL: github.url, GITHUB_REPOSITORY: "acme/platform", GITHUB_SERVER_URL: "https://github.com" };
  });
  afterAll(async () => github?.close());

  it("account → owner closes each account issue as a duplicate of its owner's new issue, and back again; nothing is lost", async () => {
    const first = await runAction(inputs("account"), env, dir);
    expect(first.code, first.stdout).toBe(0);
    for (const id of accounts) expect(byKey(`account:${id}`).state).toBe("open");

    const second = await runAction(inputs("owner"), env, dir);
    expect(second.code, second.stdout).toBe(0);
    const alice = byKey("owner:alice");
    const bob = byKey("owner:bob");
    expect(readMarker(alice.body)!.accounts.sort()).toEqual([accounts[0], accounts[2], accounts[4]].sort());
    for (const [index, id] of accounts.entries()) {
      const issue = byKey(`account:${id}`);
      const owner = index % 2 === 0 ? alice : bob;
      expect(issue).toMatchObject({ state: "closed", state_reason: "duplicate" });
      expect(issue.comments.at(-1)).toContain(
        `now tracked with the other accounts of its owners (issue-grouping: owner) in #${owner.number}`,
      );
    }
    // The closes that point at an issue were written after it existed.
    const createdAlice = github.requests.findIndex(
      (request) =>
        request.operationId === "issues/create" && (request.body as { body: string }).body.includes("owner=alice"),
    );
    const firstClose = github.requests.findIndex(
      (request, index) =>
        index > 0 && request.operationId === "issues/update" && (request.body as { state?: string }).state === "closed",
    );
    expect(createdAlice).toBeLessThan(firstClose);

    const third = await runAction(inputs("account"), env, dir);
    expect(third.code, third.stdout).toBe(0);
    for (const id of accounts) expect(byKey(`account:${id}`).state).toBe("open");
    for (const owner of [alice, bob]) {
      expect(owner).toMatchObject({ state: "closed", state_reason: "not_planned" });
      expect(owner.comments.at(-1)).toMatch(
        /now tracked one issue per account \(issue-grouping: account\); the ones not fixed are in #\d+, #\d+, #\d+\. Closing this one\./,
      );
    }
    expect(github.violations).toEqual([]);
    // About 25 paced writes, creations and comments 3 s apart (Octokit's throttling).
  }, 600_000);
});
