import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../src/findings.js";
import {
  applyAlertDismissals,
  DISMISSAL_PREFIX,
  exceptedAlertsLeftOpen,
  planAlertDismissals,
} from "../src/github/alert-dismissals.js";
import type { DismissedAlert } from "../src/github/code-scanning-alerts.js";
import { createOctokit } from "../src/github/octokit.js";
import type { Inventory } from "../src/inventory.js";
import { findingLocationUri } from "../src/reporters/sarif.js";
import { startFakeGitHub, type FakeGitHub } from "./support/github-api.js";

const inventory = { generatedAt: "2026-11-30T06:00:00.000Z", accounts: [] } as unknown as Inventory;
const RULE = "cloudtrail/global-events-not-recorded" as const;

const finding = (accountId: string, reason?: string): Finding => ({
  ruleId: RULE,
  level: "error",
  cause: "no-trail",
  accountId,
  accountName: accountId,
  trails: [],
  message: "m",
  fix: [],
  ...(reason
    ? { exception: { entry: 1, name: `entry 1 ("${reason}"; accounts ${accountId})`, reason, expires: "2027-01-31" } }
    : {}),
});
const alert = (number: number, accountId: string, extra: Partial<DismissedAlert> = {}): DismissedAlert => ({
  number,
  ruleId: RULE,
  category: `org-trail-audit/accounts-ending-${accountId.at(-1)}`,
  path: findingLocationUri(accountId),
  message: "m",
  dismissedReason: null,
  dismissedComment: null,
  ...extra,
});

describe("alerts of excepted findings", () => {
  it("dismisses an excepted finding's open alert, reopens only the alerts it dismissed itself, and cuts comments to 280", () => {
    const plan = planAlertDismissals({
      open: [alert(1, "111111111111"), alert(2, "222222222222")],
      dismissed: [
        alert(3, "333333333333", { dismissedReason: "won't fix", dismissedComment: `${DISMISSAL_PREFIX} old` }),
        // A person's dismissal stands, whatever the exceptions say.
        alert(4, "444444444444", { dismissedReason: "false positive", dismissedComment: "not ours" }),
      ],
      excepted: [finding("111111111111", "x".repeat(400)), finding("555555555555", "new")],
      counted: [finding("222222222222"), finding("333333333333"), finding("444444444444")],
      inventory,
      file: "exceptions.yml",
    });
    expect(plan.changes.map((change) => [change.kind, change.alert.number])).toEqual([
      ["dismiss", 1],
      ["reopen", 3],
    ]);
    const dismiss = plan.changes[0]!;
    expect(dismiss.kind === "dismiss" && dismiss.comment.length).toBe(280);
    expect(dismiss.kind === "dismiss" && dismiss.comment.startsWith(`${DISMISSAL_PREFIX} xxx`)).toBe(true);
    // First reported by this run's upload: the next run dismisses it.
    expect(plan.withoutAlert.map((item) => item.accountId)).toEqual(["555555555555"]);
  });

  describe("when GitHub refuses", () => {
    let github: FakeGitHub;
    beforeAll(async () => {
      github = await startFakeGitHub();
    });
    afterAll(async () => github?.close());

    it("leaves the alert as it was and says which stay open and why", async () => {
      github.uploadSarif({
        runs: [
          {
            tool: { driver: { name: "org-trail-audit" } },
            automationDetails: { id: "org-trail-audit/accounts-ending-1/" },
            results: [
              {
                ruleId: RULE,
                level: "error",
                message: { text: "m" },
                locations: [{ physicalLocation: { artifactLocation: { uri: findingLocationUri("111111111111") } } }],
                partialFingerprints: { primaryLocationLineHash: "f1" },
              },
            ],
          },
        ],
      });
      github.denyAlertWrites = true;
      const plan = planAlertDismissals({
        open: [alert(1, "111111111111")],
        dismissed: [],
        excepted: [finding("111111111111", "Sandbox")],
        counted: [],
        inventory,
        file: "exceptions.yml",
      });
      const result = await applyAlertDismissals(
        createOctokit("t", () => {}, github.url),
        "acme/platform",
        plan,
      );
      expect(result.dismissed).toBe(0);
      expect(github.alerts[0]!.state).toBe("open");
      expect(exceptedAlertsLeftOpen({ kind: "synced", result })).toBe(
        "GitHub refused to change 1 alert of exceptions (#1): HTTP 403: Resource not accessible by integration; " +
          "the job needs `permissions: security-events: write` to dismiss and reopen alerts.",
      );
      expect(github.violations).toEqual([]);
    });
  });
});
