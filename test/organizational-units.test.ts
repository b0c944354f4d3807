import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { evaluateAudit } from "../src/audit.js";
import { renderIssue, renderOwnerIssue } from "../src/github/issue-content.js";
import { renderJobSummary } from "../src/github/job-summary.js";
import type { Inventory } from "../src/inventory.js";
import { accountsBeneath, unitPath, type UnitTree } from "../src/organizational-units.js";
import { buildJsonReport } from "../src/reporters/json-report.js";
import { buildSarif } from "../src/reporters/sarif.js";
import { renderTextReport } from "../src/reporters/text-report.js";
import { markdownDefects, renderMarkdown, visibleText } from "./support/rendered-markdown.js";

const TREE: UnitTree = {
  "r-ab12": { name: "Root" },
  "ou-ab12-workload": { name: "Workloads", parentId: "r-ab12" },
  "ou-ab12-payments": { name: "Payments", parentId: "ou-ab12-workload" },
  "ou-ab12-sandboxe": { name: "Sandbox", parentId: "r-ab12" },
};

describe("OU paths", () => {
  it("name the OUs from the root down, and are unknown where the tree does not hold the parent", () => {
    expect(unitPath(TREE, "ou-ab12-payments")).toBe("Root/Workloads/Payments");
    expect(unitPath(TREE, "r-ab12")).toBe("Root");
    expect(unitPath(TREE, "ou-ab12-unknown0")).toBeUndefined();
    expect(unitPath(undefined, "r-ab12")).toBeUndefined();
  });

  it("end at a cycle in a saved tree instead of looping", () => {
    const cyclic: UnitTree = { "ou-a": { name: "A", parentId: "ou-b" }, "ou-b": { name: "B", parentId: "ou-a" } };
    expect(unitPath(cyclic, "ou-a")).toBe("B/A");
    expect(accountsBeneath(cyclic, [["111111111111", "ou-a"]], ["ou-a", "ou-b"])).toEqual({
      "ou-a": ["111111111111"],
      "ou-b": ["111111111111"],
    });
  });

  it("select the accounts beneath an OU, nested OUs included, and leave out an OU the tree lacks", () => {
    const parents = [
      ["111111111111", "ou-ab12-payments"],
      ["222222222222", "ou-ab12-workload"],
      ["333333333333", "ou-ab12-sandboxe"],
    ] as const;
    expect(accountsBeneath(TREE, parents, ["ou-ab12-workload", "ou-zz99-nothere1"])).toEqual({
      "ou-ab12-workload": ["111111111111", "222222222222"],
    });
  });
});

/** The sample organization (examples/sample-inventory.json) carries the OU tree its scan walked. */
describe("OU paths in everything reported", () => {
  const sample = JSON.parse(readFileSync("examples/sample-inventory.json", "utf8")) as Inventory;
  // Outside text: an OU name is shown as written, and never mentions, links or breaks a table.
  // A broken account (legacy-billing) moved into Payments, renamed as hostile text.
  const payments = "444455556666";
  const hostile: Inventory = {
    ...sample,
    organizationalUnits: {
      ...sample.organizationalUnits,
      "ou-ab12-payments": { name: "Pay | @octocat #12 <b>x</b>", parentId: "ou-ab12-workload" },
    },
    accounts: sample.accounts.map((account) =>
      account.id === payments ? { ...account, parentId: "ou-ab12-payments" } : account,
    ),
  };
  const result = evaluateAudit(hostile);
  const path = "Root/Workloads/Pay | @octocat #12 <b>x</b>";

  it("verdicts and findings carry the path; the JSON report and the SARIF result properties have it", () => {
    const verdict = result.evaluation.verdicts.find((item) => item.accountId === payments)!;
    expect(verdict.organizationalUnit).toBe(path);
    const json = JSON.parse(JSON.stringify(buildJsonReport(result)));
    expect(json.verdicts.find((item: { accountId: string }) => item.accountId === payments).organizationalUnit).toBe(
      path,
    );
    const sarif = buildSarif(hostile, result.evaluation.findings);
    const results = sarif.log.runs.flatMap((run) => run.results as { properties: Record<string, string> }[]);
    const ofPayments = results.filter((item) => item.properties.accountId === payments);
    expect(ofPayments.length).toBeGreaterThan(0);
    for (const item of ofPayments) expect(item.properties.organizationalUnit).toBe(path);
    // Not part of a finding's identity: an account moved to another OU keeps its alerts.
    const moved = evaluateAudit({
      ...hostile,
      accounts: hostile.accounts.map((account) =>
        account.id === payments ? { ...account, parentId: "ou-ab12-sandboxe" } : account,
      ),
    });
    const fingerprints = (findings: typeof result.evaluation.findings) =>
      buildSarif(hostile, findings).log.runs.flatMap((run) =>
        (run.results as { partialFingerprints: unknown }[]).map((item) => item.partialFingerprints),
      );
    expect(fingerprints(moved.evaluation.findings)).toEqual(fingerprints(result.evaluation.findings));
  });

  it("the account's issue and the owner's issue name the OU as text", () => {
    const verdict = result.evaluation.verdicts.find((item) => item.accountId === payments)!;
    const findings = result.evaluation.findings.filter((item) => item.accountId === payments);
    for (const body of [
      renderIssue({ verdict, findings, assignees: [], mentioned: [] }).body,
      renderOwnerIssue({
        owners: ["team-lead"],
        assignees: [],
        mentioned: [],
        accounts: [{ verdict, findings }],
        kept: [],
      }).body,
    ]) {
      const text = visibleText(renderMarkdown(body)).replaceAll("\u200B", "");
      expect(text).toContain(path);
      expect(renderMarkdown(body)).not.toMatch(/<b>|href=/);
      expect(markdownDefects(body)).toEqual([]);
    }
  });

  it("the summary's tables have an OU column, and each cause of the plan its top OUs by count", () => {
    const summary = renderJobSummary({ result });
    expect(markdownDefects(summary)).toEqual([]);
    const html = renderMarkdown(summary);
    expect(html).not.toMatch(/<b>x|href=/);
    expect(summary).toContain("| Cause | Accounts | Top OUs | For example | Fix for the group |");
    expect(summary).toMatch(/\| Account \| OU \| Owner \| Rule \| Trails \| Fix \|/);
    const top = result.plan.groups.flatMap((group) => group.topUnits);
    expect(top.length).toBeGreaterThan(0);
    for (const group of result.plan.groups) {
      const counted = group.topUnits.map((unit) => unit.accounts);
      expect(counted).toEqual([...counted].sort((a, b) => b - a));
      expect(counted.reduce((sum, count) => sum + count, 0)).toBeLessThanOrEqual(group.accounts.length);
      for (const unit of group.topUnits)
        expect(unit.accounts).toBe(group.accounts.filter((account) => account.organizationalUnit === unit.path).length);
    }
    expect(renderTextReport(result, { color: false })).toMatch(/Top OUs: Root\/\S+ \(\d+\)/);
  });

  it("an older saved scan without the tree reports no OU column and says nothing about OUs", () => {
    const { organizationalUnits: _tree, ...older } = sample;
    const summary = renderJobSummary({ result: evaluateAudit(older as Inventory) });
    expect(summary).not.toContain("| OU |");
    expect(summary).not.toContain("Top OUs");
  });
});
