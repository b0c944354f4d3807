import type { Failure } from "./inventory.js";
import type { Level, RuleId } from "./rules/rule.js";

export interface InvolvedTrail {
  arn: string;
  name: string;
  homeRegion: string;
  /** What is wrong with this trail for the finding, in a few words. */
  problem: string;
}

/**
 * What is wrong, in one word a plan can group by: each finding has exactly one, so an
 * account's failure is counted once, under its real cause (plan.ts).
 */
export const CAUSES = [
  "organization-trail",
  "no-trail",
  "single-region-elsewhere",
  "global-events-excluded",
  "stopped",
  "store-stopped",
  "management-events",
  "delivery-failing",
  "duplicated",
  "not-assessed",
  "writes-only",
  "single-region-only",
  "misleading-flag",
] as const;
export type Cause = (typeof CAUSES)[number];

export interface Finding {
  ruleId: RuleId;
  level: Level;
  cause: Cause;
  accountId: string;
  accountName: string;
  /** The account's OU path (Root/Workloads/Payments), when the scan walked the OU tree. */
  organizationalUnit?: string;
  /** The Region the finding is about (a trail's home), when there is one. */
  region?: string;
  /** The one trail the finding is about, when there is one: part of its identity across runs. */
  trailArn?: string;
  trails: InvolvedTrail[];
  message: string;
  /** Exact commands that fix it; lines starting with "#" explain the next. */
  fix: string[];
  /** Set when an entry of the exceptions file accepts it: reported, never counted. */
  exception?: FindingException;
}

/** The entry of the exceptions file that accepts a finding, as a reader finds it there. */
export interface FindingException {
  /** Its position in the file, from 1. */
  entry: number;
  /** "entry 2 ("REASON"; accounts ...)". */
  name: string;
  reason: string;
  approvedBy?: string;
  /** The last day it applies (YYYY-MM-DD). */
  expires: string;
}

export type Verdict = "compliant" | "noncompliant" | "not-assessed" | "skipped";

export interface AccountVerdict {
  accountId: string;
  accountName: string;
  /** The account's OU path (Root/Workloads/Payments), when the scan walked the OU tree. */
  organizationalUnit?: string;
  state: string;
  verdict: Verdict;
  /** ARNs of the trails that record the account's global service events. */
  coveredBy: string[];
  failedRegions: string[];
  /** Why the account was skipped or not assessed, in words. */
  reason?: string;
  /** The failure that left it not assessed, as data (the plan groups by its kind). */
  failure?: Failure;
  /** Non-compliant, but every finding at warning or above is accepted by an exception: nothing to do until it expires. */
  excepted?: boolean;
}

/**
 * Whether this run judged the account. One that was not (unreadable, suspended) keeps its
 * open issue and its open code-scanning alerts: a missing result is not a fix.
 */
export function isAssessed(verdict: AccountVerdict): boolean {
  return verdict.verdict === "compliant" || verdict.verdict === "noncompliant";
}

export interface Evaluation {
  verdicts: AccountVerdict[];
  findings: Finding[];
}

/** Findings by account id, each list in the order given (most severe first, as evaluated). */
export function groupFindingsByAccount(findings: Finding[]): Map<string, Finding[]> {
  const byAccount = new Map<string, Finding[]>();
  for (const finding of findings) {
    const list = byAccount.get(finding.accountId);
    if (list) list.push(finding);
    else byAccount.set(finding.accountId, [finding]);
  }
  return byAccount;
}
