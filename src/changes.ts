import { isAssessed, type AccountVerdict, type Evaluation, type Finding } from "./findings.js";
import type { RuleId } from "./rules/catalog.js";

/**
 * What changed since the last run: this run's findings against what was open before (the
 * open code-scanning alerts for the action, a previous JSON report for the CLI). Pure.
 */

/** A finding's identity across runs: the same account, rule and trail. */
export function findingKey(finding: { ruleId: string; accountId: string; trailArn?: string | undefined }): string {
  return `${finding.ruleId}|${finding.accountId}|${finding.trailArn ?? ""}`;
}

/** Something that was open at the last run. */
export interface BaselineEntry {
  ruleId: RuleId;
  accountId: string;
  trailArn?: string;
  /** When it was first reported (ISO 8601). */
  since: string;
}

export type Baseline =
  /** What was open before, from `source` ("the open code-scanning alerts", a report's path). */
  | { kind: "known"; source: string; entries: BaselineEntry[] }
  /** Nothing can be said: the source could not be read, or there is none. */
  | { kind: "unknown"; reason: string };

export type Changes =
  | {
      known: true;
      source: string;
      /** Findings that were not open before. */
      added: Finding[];
      /** What was open before, of accounts assessed this run, and is no longer found. */
      resolved: BaselineEntry[];
      /** Findings open before and still: each with when it was first reported. */
      stillOpen: { finding: Finding; since: string }[];
      /** Accounts not assessed this run that were assessed (no not-assessed finding open) before. */
      newlyNotAssessed: AccountVerdict[];
    }
  | { known: false; reason: string };

export function compareWithBaseline(
  evaluation: Evaluation,
  baseline: Baseline,
  /** Findings an exception accepts this run: left out of the counted findings, but not resolved. */
  excepted: Finding[] = [],
): Changes {
  if (baseline.kind === "unknown") return { known: false, reason: baseline.reason };
  const accepted = new Set(excepted.map(findingKey));
  const before = new Map(
    baseline.entries.filter((entry) => !accepted.has(findingKey(entry))).map((entry) => [findingKey(entry), entry]),
  );
  const now = new Set(evaluation.findings.map(findingKey));
  const added: Finding[] = [];
  const stillOpen: { finding: Finding; since: string }[] = [];
  for (const finding of evaluation.findings) {
    const entry = before.get(findingKey(finding));
    if (entry) stillOpen.push({ finding, since: entry.since });
    else added.push(finding);
  }
  // Only an account judged this run can have resolved anything: the others' records are kept.
  const assessed = new Set(evaluation.verdicts.filter(isAssessed).map((verdict) => verdict.accountId));
  const resolved = [...before.entries()]
    .filter(([key, entry]) => assessed.has(entry.accountId) && !now.has(key))
    .map(([, entry]) => entry);
  const newlyNotAssessed = evaluation.verdicts.filter(
    (verdict) =>
      verdict.verdict === "not-assessed" &&
      !before.has(findingKey({ ruleId: "cloudtrail/account-not-assessed", accountId: verdict.accountId })),
  );
  return { known: true, source: baseline.source, added, resolved, stillOpen, newlyNotAssessed };
}
