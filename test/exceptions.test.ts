import { describe, expect, it } from "vitest";
import { applyExceptions, exceptionWarnings, parseExceptions } from "../src/exceptions.js";
import type { Evaluation, Finding } from "../src/findings.js";

const TODAY = "2026-11-30";
const FILE = ".github/org-trail-audit-exceptions.yml";

const finding = (accountId: string, ruleId: Finding["ruleId"], level: Finding["level"] = "error"): Finding => ({
  ruleId,
  level,
  cause: "no-trail",
  accountId,
  accountName: `acct-${accountId.slice(0, 3)}`,
  trails: [],
  message: `Account ${accountId}: ${ruleId}`,
  fix: [],
});

const evaluation = (findings: Finding[]): Evaluation => ({
  verdicts: [...new Set(findings.map((item) => item.accountId))].map((accountId) => ({
    accountId,
    accountName: `acct-${accountId.slice(0, 3)}`,
    state: "ACTIVE",
    verdict: "noncompliant",
    coveredBy: [],
    failedRegions: [],
  })),
  findings,
});

const parse = (yaml: string) => parseExceptions(yaml, FILE, TODAY);

describe("the exceptions file", () => {
  it("reads the documented shape, in YAML or JSON, keeping account ids as written", () => {
    const yaml = parse(`exceptions:
  - accounts: ["044455556666"]
    organizational-units: [ou-ab12-cdefgh34]
    rules: [cloudtrail/global-events-not-recorded]
    reason: "Sandbox, closed in January"
    approved-by: secops-lead
    expires: "2027-01-31"
`);
    expect(yaml.entries).toEqual([
      {
        index: 1,
        accounts: ["044455556666"],
        organizationalUnits: ["ou-ab12-cdefgh34"],
        rules: ["cloudtrail/global-events-not-recorded"],
        reason: "Sandbox, closed in January",
        approvedBy: "secops-lead",
        expires: "2027-01-31",
      },
    ]);
    const json = parse(
      JSON.stringify({ exceptions: [{ accounts: ["044455556666"], reason: "r", expires: "2027-01-31" }] }),
    );
    expect(json.entries[0]).toMatchObject({
      accounts: ["044455556666"],
      organizationalUnits: [],
      expires: "2027-01-31",
    });
    expect(json.entries[0]!.rules).toBeUndefined();
  });

  it.each([
    ["exceptions: [", /^Exceptions file \S+: not valid YAML or JSON \(/],
    ["accounts: []", /: expected a top-level "exceptions:" list of entries\.$/],
    ["exceptions:\n  - just text", /: entry 1 is not a mapping of fields\.$/],
    [
      'exceptions:\n  - accounts: ["444455556666"]\n    reason: r\n    expiry: "2027-01-01"',
      new RegExp(
        'entry 1 \\("r"; accounts 444455556666\\), field "expiry": not a field of an entry \\(they are accounts, ' +
          "organizational-units, rules, reason, approved-by, expires\\)\\.$",
      ),
    ],
    [
      'exceptions:\n  - accounts: ["4444"]\n    reason: r\n    expires: "2027-01-01"',
      /field "accounts": "4444" is not a 12-digit account id \(quote ids in YAML\)\.$/,
    ],
    [
      'exceptions:\n  - organizational-units: ["ou-1"]\n    reason: r\n    expires: "2027-01-01"',
      /field "organizational-units": "ou-1" is not an OU id/,
    ],
    [
      'exceptions:\n  - reason: r\n    expires: "2027-01-01"',
      /entry 1 \("r"\): give "accounts", "organizational-units" or both\.$/,
    ],
    [
      'exceptions:\n  - accounts: ["444455556666"]\n    rules: [cloudtrail/made-up]\n    reason: r\n    expires: "2027-01-01"',
      /field "rules": "cloudtrail\/made-up" is not a rule of this tool \(cloudtrail\/global-events-not-recorded, /,
    ],
    [
      'exceptions:\n  - accounts: ["444455556666"]\n    expires: "2027-01-01"',
      /entry 1 \(accounts 444455556666\), field "reason": required: why the finding is accepted\.$/,
    ],
    [
      'exceptions:\n  - accounts: ["444455556666"]\n    reason: r',
      /field "expires": required: the last day the exception applies \(YYYY-MM-DD\)\.$/,
    ],
    [
      'exceptions:\n  - accounts: ["444455556666"]\n    reason: r\n    expires: "2027-02-30"',
      /field "expires": "2027-02-30" is not a date \(YYYY-MM-DD\)\.$/,
    ],
    [
      'exceptions:\n  - accounts: ["444455556666"]\n    reason: r\n    expires: "2028-01-01"',
      /field "expires": 2028-01-01 is more than a year ahead \(2027-12-01 at the latest\): review it within a year\.$/,
    ],
  ])("refuses %j with one error naming the file, the entry and the field", (text, message) => {
    expect(() => parse(text)).toThrow(message);
    expect(() => parse(text)).toThrow(new RegExp(`^Exceptions file ${FILE.replaceAll(".", "\\.")}: `));
  });
});

describe("applying exceptions", () => {
  const A = "111111111111";
  const B = "222222222222";
  const C = "333333333333";
  const file = parse(`exceptions:
  - accounts: ["${A}"]
    rules: [cloudtrail/global-events-not-recorded]
    reason: Sandbox
    approved-by: secops-lead
    expires: "2026-12-10"
  - organizational-units: [ou-ab12-outer000]
    reason: Vendor trail
    expires: "2026-11-30"
  - accounts: ["999999999999"]
    reason: Left the organization
    expires: "2027-03-01"
  - accounts: ["${C}"]
    reason: Migration
    expires: "2026-11-29"
`);
  const judged = evaluation([
    finding(A, "cloudtrail/global-events-not-recorded"),
    finding(A, "cloudtrail/global-events-flag-ineffective", "note"),
    finding(B, "cloudtrail/global-events-not-delivered", "warning"),
    finding(C, "cloudtrail/global-events-not-recorded"),
  ]);
  // B is in an OU nested under the one the entry names: the scan listed it beneath.
  const applied = applyExceptions(judged, file, { "ou-ab12-outer000": [B] }, TODAY);

  it("accepts what an entry in force covers (by account and rule, by OU with nested OUs, through its expiry day)", () => {
    expect(applied.excepted.map((item) => [item.accountId, item.ruleId, item.exception?.entry])).toEqual([
      [A, "cloudtrail/global-events-not-recorded", 1],
      [B, "cloudtrail/global-events-not-delivered", 2],
    ]);
    expect(applied.excepted[0]!.exception).toEqual({
      entry: 1,
      name: `entry 1 ("Sandbox"; accounts ${A})`,
      reason: "Sandbox",
      approvedBy: "secops-lead",
      expires: "2026-12-10",
    });
    // What counts: A's note (another rule), and C's error (its entry expired yesterday).
    expect(applied.evaluation.findings.map((item) => [item.accountId, item.ruleId])).toEqual([
      [A, "cloudtrail/global-events-flag-ineffective"],
      [C, "cloudtrail/global-events-not-recorded"],
    ]);
    expect(applied.evaluation.verdicts.map((verdict) => [verdict.accountId, verdict.excepted ?? false])).toEqual([
      [A, true],
      [B, true],
      [C, false],
    ]);
  });

  it("warns of an entry expiring within 14 days, an expired one and a stale one, each named as in the file", () => {
    expect(exceptionWarnings(applied.outcome)).toEqual([
      {
        title: "Exception expiring",
        message:
          `${FILE}, entry 1 ("Sandbox"; accounts ${A}) expires on 2026-12-10 (in 10 days): its 1 finding will ` +
          "count again. Fix it, or renew the entry by review.",
      },
      {
        title: "Exception expiring",
        message:
          `${FILE}, entry 2 ("Vendor trail"; OUs ou-ab12-outer000) expires on 2026-11-30 (today): its 1 finding ` +
          "will count again. Fix it, or renew the entry by review.",
      },
      {
        title: "Exception expired",
        message:
          `${FILE}, entry 4 ("Migration"; accounts ${C}) expired on 2026-11-29: its 1 finding count again (alerts ` +
          "and issues reopened). Fix it, or renew the entry by review.",
      },
      {
        title: "Exception matches nothing",
        message:
          `${FILE}, entry 3 ("Left the organization"; accounts 999999999999) accepts no finding of this run: it ` +
          "may be stale (fixed, or an account or OU that left the scan). Remove it, or check its accounts, OUs and rules.",
      },
    ]);
  });

  it("says when an OU's accounts are unknown (a saved scan made without the file), and covers only listed accounts", () => {
    const offline = applyExceptions(judged, file, undefined, TODAY);
    expect(offline.excepted.map((item) => item.accountId)).toEqual([A]);
    expect(offline.outcome.unresolvedUnits).toEqual(["ou-ab12-outer000"]);
    expect(exceptionWarnings(offline.outcome).map((warning) => warning.title)).toContain("Exception OUs unknown");
  });
});

describe("entries that overlap", () => {
  const A = "111122223333";
  const B = "222233334444";
  const entry = (fields: string) => `  - ${fields}\n    reason: "r"\n    expires: "2026-12-31"\n`;

  it.each([
    [
      "the same account, a rule of each",
      [`accounts: ["${A}", "${B}"]`, `accounts: ["${B}"]`],
      `account ${B}`,
      "every rule",
    ],
    [
      "the same account, one rule in both",
      [
        `accounts: ["${A}"]\n    rules: [cloudtrail/global-events-not-recorded, cloudtrail/global-events-duplicated]`,
        `accounts: ["${A}"]\n    rules: [cloudtrail/global-events-duplicated]`,
      ],
      `account ${A}`,
      "cloudtrail/global-events-duplicated",
    ],
    [
      "the same OU, every rule in one",
      [
        `organizational-units: [ou-ab12-outer000]`,
        `organizational-units: [ou-ab12-outer000]\n    rules: [cloudtrail/global-events-duplicated]`,
      ],
      "OU ou-ab12-outer000",
      "cloudtrail/global-events-duplicated",
    ],
  ])("are refused when the file is read, naming both: %s", (_, entries, scope, rules) => {
    const text = `exceptions:\n${entries.map(entry).join("")}`;
    expect(() => parse(text)).toThrow(
      new RegExp(`entry 1 \\(.*\\) and entry 2 \\(.*\\) both accept ${rules} for ${scope}; a finding has one entry`),
    );
  });

  it("are allowed when their rules differ", () => {
    const text = `exceptions:\n${entry(`accounts: ["${A}"]\n    rules: [cloudtrail/global-events-duplicated]`)}${entry(
      `accounts: ["${A}"]\n    rules: [cloudtrail/global-events-not-recorded]`,
    )}`;
    expect(parse(text).entries).toHaveLength(2);
  });

  // An account named by one entry inside an OU named by another is known only after the scan:
  // the first entry in force accepts, and no message contradicts it.
  it("an account inside another entry's OU: the first entry in force accepts, and the messages follow it", () => {
    const file = parse(`exceptions:
  - organizational-units: [ou-ab12-outer000]
    reason: "Vendor OU"
    expires: "2026-12-31"
  - accounts: ["${A}"]
    reason: "Old sandbox entry"
    expires: "2026-11-01"
  - accounts: ["${B}"]
    rules: [cloudtrail/global-events-duplicated]
    reason: "Second look"
    expires: "2026-12-31"
`);
    const findings = [
      finding(A, "cloudtrail/global-events-not-recorded"),
      finding(B, "cloudtrail/global-events-not-recorded"),
    ];
    const applied = applyExceptions(evaluation(findings), file, { "ou-ab12-outer000": [A] }, TODAY);
    expect(applied.excepted.map((item) => [item.accountId, item.exception?.entry])).toEqual([[A, 1]]);
    expect(applied.evaluation.findings.map((item) => item.accountId)).toEqual([B]);
    const messages = exceptionWarnings(applied.outcome).map((warning) => `${warning.title}: ${warning.message}`);
    expect(messages).toContainEqual(
      `Exception expired: ${FILE}, entry 2 ("Old sandbox entry"; accounts ${A}) expired on 2026-11-01: what it covered ` +
        "is accepted by entry 1, in force; remove it.",
    );
    expect(messages.join("\n")).not.toMatch(/count again|reopened/);
    // Entry 3 covers no finding at all (no duplicated finding): stale, not overlapped.
    expect(applied.outcome.stale.map((item) => item.index)).toEqual([3]);

    const overlapping = parse(`exceptions:
  - accounts: ["${A}"]
    reason: "Sandbox"
    expires: "2026-12-31"
  - organizational-units: [ou-ab12-outer000]
    reason: "Vendor OU"
    expires: "2026-12-31"
`);
    const both = applyExceptions(evaluation(findings), overlapping, { "ou-ab12-outer000": [A] }, TODAY);
    expect(both.outcome.stale).toEqual([]);
    expect(
      both.outcome.overlapped.map((item) => [item.entry.index, item.acceptedBy.map((other) => other.index)]),
    ).toEqual([[2, [1]]]);
    expect(exceptionWarnings(both.outcome)).toContainEqual({
      title: "Exceptions overlap",
      message:
        `${FILE}, entry 2 ("Vendor OU"; OUs ou-ab12-outer000) accepts nothing this run: every finding it covers is ` +
        "accepted by entry 1, which comes first in the file (an account of one inside an OU of the other). Remove one, " +
        "or narrow them so that each finding has one entry.",
    });
  });
});
