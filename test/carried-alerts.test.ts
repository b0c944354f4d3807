import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../src/findings.js";
import { readOpenAlerts } from "../src/github/code-scanning-alerts.js";
import { loadInventory, type AccountRecord, type Inventory } from "../src/inventory.js";
import { planCarriedAlerts } from "../src/reporters/carried-alerts.js";
import { buildSarif, findingFingerprint, parseLocation, type SarifLog } from "../src/reporters/sarif.js";
import { evaluateInventory } from "../src/rules/evaluate.js";
import { startFakeGitHub, type FakeGitHub } from "./support/github-api.js";

/**
 * Code scanning closes, as fixed, every open alert missing from an upload. These runs go
 * through the GitHub stand-in, which keeps alerts as code scanning does: an account that
 * cannot be assessed keeps its alerts; an account that was fixed has them closed.
 */
describe("open alerts of accounts not assessed are carried over, unchanged", () => {
  let github: FakeGitHub;
  let inventory: Inventory;
  beforeAll(async () => {
    github = await startFakeGitHub();
    inventory = await loadInventory("examples/sample-inventory.json");
  });
  afterAll(async () => github?.close());

  const read = async () => {
    const answer = await readOpenAlerts("ghs_test", () => undefined, `${github.owner}/${github.repo}`, github.url);
    if (answer.kind === "none") return [];
    if (answer.kind !== "read") throw new Error(`alerts not read: ${JSON.stringify(answer)}`);
    return answer.alerts;
  };
  /** One scheduled run: read the open alerts, write the SARIF with the carried ones, upload it. */
  const scheduledRun = async (scanned: Inventory): Promise<{ log: SarifLog; findings: Finding[] }> => {
    const evaluation = evaluateInventory(scanned);
    const carried = planCarriedAlerts(await read(), scanned, evaluation, scanned.generatedAt.slice(0, 10));
    const { log } = buildSarif(scanned, evaluation.findings, { carried });
    github.uploadSarif(log);
    return { log, findings: evaluation.findings };
  };
  const open = (accountId: string) =>
    github.alerts.filter((alert) => parseLocation(alert.path)?.accountId === accountId && alert.state === "open");

  it("answers 404 before the first upload, which means no alert can close", async () => {
    expect(
      await readOpenAlerts("ghs_test", () => undefined, `${github.owner}/${github.repo}`, github.url),
    ).toMatchObject({ kind: "none" });
  });

  it("keeps the alerts of an account whose audit role was deleted, with the same fingerprints, and closes those of an account that was fixed", async () => {
    await scheduledRun(inventory);
    const verdicts = new Map(
      evaluateInventory(inventory).verdicts.map((verdict) => [verdict.accountId, verdict.verdict]),
    );
    const withTrailFindings = evaluateInventory(inventory).findings.filter(
      (finding) => finding.trailArn && verdicts.get(finding.accountId) === "noncompliant",
    );
    const hidden = inventory.accounts.find((account) => account.id === withTrailFindings[0]!.accountId)!;
    const fixed = inventory.accounts.find(
      (account) => verdicts.get(account.id) === "noncompliant" && account.id !== hidden.id,
    )!;
    const findingsOf = new Set(evaluateInventory(inventory).findings.map((finding) => finding.accountId));
    const clean = inventory.accounts.find(
      (account) =>
        verdicts.get(account.id) === "compliant" &&
        !findingsOf.has(account.id) &&
        account.trails.every((trail) => trail.ownerAccountId === account.id),
    )!;
    const hiddenAlerts = open(hidden.id);
    expect(hiddenAlerts.length).toBeGreaterThan(0);
    expect(open(fixed.id).length).toBeGreaterThan(0);

    // Next day: the hidden account's audit role is gone; the fixed one now looks like a clean account.
    const unreadable: AccountRecord = {
      ...hidden,
      outcome: "failed",
      failure: {
        kind: "access-denied",
        call: "STS.AssumeRole",
        code: "AccessDenied",
        message: "not authorized to perform: sts:AssumeRole",
      },
      regions: [],
      trails: [],
    };
    // The clean account's own trails, as if created in the fixed account.
    const repaired: AccountRecord = {
      ...JSON.parse(JSON.stringify(clean).replaceAll(clean.id, fixed.id)),
      name: fixed.name,
      email: fixed.email,
    };
    const next: Inventory = {
      ...inventory,
      generatedAt: "2026-11-28T06:00:00.000Z",
      accounts: inventory.accounts.map((account) =>
        account.id === hidden.id ? unreadable : account.id === fixed.id ? repaired : account,
      ),
    };
    expect(evaluateInventory(next).verdicts.find((verdict) => verdict.accountId === fixed.id)!.verdict).toBe(
      "compliant",
    );
    const { log } = await scheduledRun(next);

    // Each of its alerts is in the second SARIF with the same rule and fingerprint, marked as carried over.
    const results = log.runs.flatMap((run) => run.results as any[]);
    for (const alert of hiddenAlerts) {
      const result = results.find(
        (candidate) => candidate.partialFingerprints.primaryLocationLineHash === alert.fingerprint,
      )!;
      expect(result, alert.ruleId).toBeDefined();
      expect(result.ruleId).toBe(alert.ruleId);
      expect(result.level).toBe(alert.severity);
      expect(result.message.text).toMatch(
        /^Carried over \(2026-11-28\): account .* was not assessed on 2026-11-28: AccessDenied/,
      );
      expect(result.properties.carriedOver).toEqual({ alertNumber: alert.number });
    }
    expect(
      hiddenAlerts.some(
        (alert) =>
          results.find((result) => result.partialFingerprints.primaryLocationLineHash === alert.fingerprint)!.properties
            .trailArn,
      ),
    ).toBe(true);
    // So code scanning keeps them open (and opens the not-assessed alert beside them)...
    expect(open(hidden.id).map((alert) => alert.number)).toEqual(
      expect.arrayContaining(hiddenAlerts.map((alert) => alert.number)),
    );
    expect(open(hidden.id).map((alert) => alert.ruleId)).toContain("cloudtrail/account-not-assessed");
    // ...and closes the fixed account's, which are really fixed.
    expect(open(fixed.id)).toEqual([]);
    expect(
      github.alerts.filter((alert) => alert.path.includes(fixed.id)).every((alert) => alert.state === "fixed"),
    ).toBe(true);

    // A third run, still unreadable: carried again, the header replaced rather than stacked.
    const third = await scheduledRun({ ...next, generatedAt: "2026-11-29T06:00:00.000Z" });
    const again = third.log.runs
      .flatMap((run) => run.results as any[])
      .filter((result) => result.properties.carriedOver);
    expect(again.length).toBe(hiddenAlerts.length);
    for (const result of again) expect(result.message.text.match(/Carried over/g)).toHaveLength(1);
    expect(open(hidden.id).length).toBe(hiddenAlerts.length + 1);

    // Assessed again and still broken: its results are its own, nothing carried, the alerts the same.
    const back = await scheduledRun({ ...inventory, generatedAt: "2026-11-30T06:00:00.000Z" });
    expect(
      back.log.runs.flatMap((run) => run.results as any[]).filter((result) => result.properties.carriedOver),
    ).toEqual([]);
    expect(
      open(hidden.id)
        .map((alert) => alert.number)
        .sort(),
    ).toEqual(hiddenAlerts.map((alert) => alert.number).sort());
    expect(github.violations).toEqual([]);
  });

  it("carries nothing of an assessed account, of another shard's category, or of another tool's location", () => {
    const evaluation = evaluateInventory(inventory);
    const assessed = evaluation.verdicts.find((verdict) => verdict.verdict === "noncompliant")!.accountId;
    const alert = (path: string, category: string) => ({
      number: 1,
      ruleId: "cloudtrail/global-events-not-recorded",
      severity: "error",
      category,
      path,
      message: "m",
    });
    const digit = (id: string) => `org-trail-audit/accounts-ending-${id.slice(-1)}`;
    const absent = "123456789012";
    expect(
      planCarriedAlerts(
        [alert(`aws/accounts/${assessed}/cloudtrail`, digit(assessed))],
        inventory,
        evaluation,
        "2026-11-28",
      ),
    ).toEqual([]);
    expect(
      planCarriedAlerts(
        [alert(`aws/accounts/${absent}/cloudtrail`, `org-trail-audit/shard-1-of-2/accounts-ending-2`)],
        inventory,
        evaluation,
        "2026-11-28",
      ),
    ).toEqual([]);
    expect(planCarriedAlerts([alert("src/index.ts", digit(absent))], inventory, evaluation, "2026-11-28")).toEqual([]);
    // An account outside this run's selection keeps its alert, saying so.
    const [kept] = planCarriedAlerts(
      [alert(`aws/accounts/${absent}/cloudtrail`, `${digit(absent)}/`)],
      inventory,
      evaluation,
      "2026-11-28",
    );
    expect(kept!.fingerprint).toBe(
      findingFingerprint({ ruleId: "cloudtrail/global-events-not-recorded", accountId: absent }),
    );
    expect(kept!.message).toContain("is not in the accounts this run scanned");
  });

  it("rebuilds each alert's identity from its rule and location alone: a cut or empty message text changes nothing", async () => {
    const everyoneGone: Inventory = {
      ...inventory,
      generatedAt: "2026-12-01T06:00:00.000Z",
      accounts: inventory.accounts.map((account) => ({
        ...account,
        outcome: "failed" as const,
        reason: "AccessDenied",
        regions: [],
        trails: [],
      })),
    };
    const evaluation = evaluateInventory(everyoneGone);
    const openBefore = github.alerts.filter(
      (alert) => alert.state === "open" && alert.ruleId !== "cloudtrail/account-not-assessed",
    );
    expect(openBefore.some((alert) => parseLocation(alert.path)?.trailArn)).toBe(true);
    for (const text of [(message: string) => message.slice(0, 12), () => ""]) {
      github.alertMessageText = text;
      try {
        const carried = planCarriedAlerts(await read(), everyoneGone, evaluation, "2026-12-01");
        const byNumber = new Map(carried.map((result) => [result.alertNumber, result]));
        for (const alert of openBefore) {
          expect(byNumber.get(alert.number)?.fingerprint, alert.path).toBe(alert.fingerprint);
          expect(byNumber.get(alert.number)?.path).toBe(alert.path);
        }
      } finally {
        github.alertMessageText = undefined;
      }
    }
  });

  it("tells a token that cannot see the repository (404 Not Found) from one with no analysis yet (404 no analysis found)", async () => {
    const answer = await readOpenAlerts("ghs_test", () => undefined, `${github.owner}/somebody-elses`, github.url);
    expect(answer.kind).toBe("unreadable");
    expect(answer.kind === "unreadable" && answer.reason).toMatch(/404.*the token cannot see acme\/somebody-elses/);
  });

  it("says the alerts could not be read when GitHub refuses, naming the permission", async () => {
    github.alertsAnswer = { status: 403, message: "Resource not accessible by integration" };
    try {
      const answer = await readOpenAlerts("ghs_test", () => undefined, `${github.owner}/${github.repo}`, github.url);
      expect(answer.kind).toBe("unreadable");
      expect(answer.kind === "unreadable" && answer.reason).toMatch(/403.*security-events: read/);
      github.alertsAnswer = {
        status: 403,
        message: "Advanced Security must be enabled for this repository to use code scanning.",
      };
      expect(
        (await readOpenAlerts("ghs_test", () => undefined, `${github.owner}/${github.repo}`, github.url)).kind,
      ).toBe("none");
    } finally {
      github.alertsAnswer = undefined;
    }
  });
});
