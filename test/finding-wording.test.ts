import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { AccountRecord, Inventory, TrailRecord } from "../src/inventory.js";
import { evaluateInventory } from "../src/rules/evaluate.js";
import { groupFindingsByAccount } from "../src/findings.js";
import { renderIssue } from "../src/github/issue-content.js";

/**
 * The fix blocks of a remediation issue are pasted into a shell. Each must parse, run
 * exactly the commands meant with exactly the arguments meant (a hostile name from a
 * loaded inventory stays one argument), and never contradict another finding's block.
 */
const HOSTILE = ["$(touch /tmp/pwned)", "a`id`b", "x | rm -rf ~", "it's", "line\nbreak", "```"];
const MEMBER = "222222222222";

function trail(name: string, shape: Partial<TrailRecord> = {}): TrailRecord {
  const homeRegion = shape.homeRegion ?? "eu-west-1";
  return {
    arn: `arn:aws:cloudtrail:${homeRegion}:${MEMBER}:trail/${name}`,
    name,
    homeRegion,
    ownerAccountId: MEMBER,
    isMultiRegionTrail: false,
    includeGlobalServiceEvents: true,
    isOrganizationTrail: false,
    s3BucketName: `bucket ${name}`,
    ...shape,
  };
}

function issueBlocks(trails: TrailRecord[]): { blocks: string[]; ruleIds: string[] } {
  const account: AccountRecord = {
    id: MEMBER,
    name: "acct",
    state: "ACTIVE",
    outcome: "read",
    regions: [{ region: "us-east-1", outcome: "read" }],
    trails,
    durationMs: 1,
  };
  const inventory: Inventory = {
    schemaVersion: 2,
    generatedAt: "2026-11-26T00:00:00.000Z",
    partition: "aws",
    globalEventsRegion: "us-east-1",
    organizationTrails: [],
    accounts: [account],
    durationMs: 1,
  };
  const evaluation = evaluateInventory(inventory);
  const findings = groupFindingsByAccount(evaluation.findings).get(MEMBER)!;
  const { body } = renderIssue({ verdict: evaluation.verdicts[0]!, findings, assignees: [], mentioned: [] });
  const blocks = [...body.matchAll(/^(`{3,})sh\n([\s\S]*?)\n\1$/gm)].map((match) => match[2]!);
  return { blocks, ruleIds: findings.map((finding) => finding.ruleId) };
}

/** Runs a block with `aws` replaced by a function that prints each argument on its own line, NUL-separated. */
function argumentsOf(block: string): string[][] {
  const script = `aws() { printf '%s\\0' "$@"; printf '\\n--\\n'; }\n${block}\n`;
  const run = spawnSync("bash", ["-c", script], { encoding: "utf8" });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout
    .split("\n--\n")
    .filter(Boolean)
    .map((call) => call.split("\0").filter((arg) => arg.length > 0));
}

describe("fix blocks are exact scripts", () => {
  it.each(HOSTILE)("a trail named %j: every block parses and passes the ARN as one argument", (name) => {
    const single = trail(name, { status: { isLogging: true }, homeRegion: "eu-west-1" });
    const { blocks } = issueBlocks([single]);
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      expect(spawnSync("bash", ["-n", "-c", block]).status).toBe(0);
      for (const call of argumentsOf(block)) {
        const nameIndex = call.indexOf("--name");
        if (nameIndex >= 0) expect(call[nameIndex + 1]).toBe(single.arn);
      }
    }
  });

  it("one finding per cause: the ineffective flag is part of not-recorded's fix, which never turns global events off", () => {
    const { blocks, ruleIds } = issueBlocks([trail("eu-only")]);
    expect(ruleIds).toEqual(["cloudtrail/global-events-not-recorded"]);
    expect(blocks).toHaveLength(1);
    const calls = blocks.flatMap(argumentsOf);
    expect(calls.some((call) => call.includes("--no-include-global-service-events"))).toBe(false);
    expect(calls.some((call) => call.includes("--is-multi-region-trail"))).toBe(true);
  });

  it("suggests no start-logging for a trail whose status was never read: a check, then the command commented out", () => {
    const { blocks } = issueBlocks([trail("eu-only")]);
    const calls = blocks.flatMap(argumentsOf);
    expect(calls.some((call) => call[1] === "start-logging")).toBe(false);
    expect(calls.some((call) => call[1] === "get-trail-status")).toBe(true);
    expect(blocks.join("\n")).toMatch(/^# aws cloudtrail start-logging/m);
  });
});
