import { describeStoppedEarly, NETWORK_ADVICE } from "./error-description.js";
import type { AccountVerdict, Evaluation, Finding } from "./findings.js";
import type { Inventory } from "./inventory.js";
import type { ExceptionsOutcome } from "./exceptions.js";
import { countOf } from "./plural.js";
import type { RemediationPlan } from "./remediation-plan.js";
import { compareFindings } from "./rules/evaluate.js";
import { describeSideReadFailure, sideReadFailures, type SideReadFailure } from "./side-read-failures.js";

/**
 * What an audit produces, and the readings of it that every output shares. The orchestrator
 * (audit.ts) makes it; the outputs (outputs.ts and what it lists) only read it.
 */
export interface AuditSummary {
  accountsInScope: number;
  accountsScanned: number;
  compliant: number;
  /** Non-compliant accounts that need work: those whose every finding is excepted are counted apart. */
  noncompliant: number;
  notAssessed: number;
  /** Non-compliant accounts whose every finding at warning or above an exception accepts. */
  exceptedAccounts: number;
  /** Findings an exception accepts: not in findings, findingsByLevel or any count that fails the run. */
  exceptedFindings: number;
  skipped: number;
  regionsRead: number;
  regionsFailed: number;
  findings: number;
  findingsByLevel: Record<"error" | "warning" | "note", number>;
  apiCalls: number;
  retries: number;
  throttles: number;
  durationMs: number;
  /** Accounts read Region by Region because ListTrails failed for them (their warnings say why). */
  perRegionReads: number;
  /** Lake, ListTrails and Region listings that failed, grouped by cause. */
  sideReadFailures: SideReadFailure[];
  /** Why the scan stopped before reading every account (AWS stopped answering). */
  stoppedEarly?: string;
  /** The saved inventory this run evaluated offline; durationMs is then that scan's, not this run's. */
  loadedFrom?: string;
}

export interface AuditResult {
  inventory: Inventory;
  /** What counts: with an exceptions file, the findings no entry in force accepts. */
  evaluation: Evaluation;
  summary: AuditSummary;
  plan: RemediationPlan;
  /** Findings accepted by an entry of the exceptions file: reported, never counted. */
  excepted: Finding[];
  /** What the exceptions file did this run, when one was given. */
  exceptions?: ExceptionsOutcome;
}

/** Every finding of the run, counted or accepted: what the SARIF and the JSON report hold. */
export function allFindings(result: AuditResult): Finding[] {
  return result.excepted.length === 0
    ? result.evaluation.findings
    : [...result.evaluation.findings, ...result.excepted].sort(compareFindings);
}

/** Said first when the scan stopped early, and as the run's failure: what happened and what to check. */
export function stoppedEarlyNote(summary: AuditSummary): string | undefined {
  if (!summary.stoppedEarly) return undefined;
  return (
    `The scan stopped early: ${summary.stoppedEarly}. ${countOf(summary.notAssessed, "account was", "accounts were")} ` +
    `not assessed; ${summary.notAssessed === 1 ? "its alerts and issue are" : "their alerts and issues are"} kept open. ` +
    `${NETWORK_ADVICE}. Then run the scan again.`
  );
}

/** The header's lines for side reads that failed, one per cause: see side-read-failures.ts. */
export function sideReadNotes(summary: AuditSummary): string[] {
  return summary.sideReadFailures.map(describeSideReadFailure);
}

/** How the accounts were read, for a headline: "in 4.2 s", or, offline, which saved scan, when, and that this run is offline. */
export function describeScan(summary: AuditSummary, generatedAt: string): string {
  const took = `${(summary.durationMs / 1000).toFixed(1)} s`;
  return summary.loadedFrom
    ? `in the saved scan of ${generatedAt || "unknown date"} (${took}); evaluated offline from ${summary.loadedFrom}`
    : `in ${took}`;
}

export function summarize(inventory: Inventory, evaluation: Evaluation, exceptedFindings = 0): AuditSummary {
  const count = (verdict: AccountVerdict["verdict"]) =>
    evaluation.verdicts.filter((item) => item.verdict === verdict && !item.excepted).length;
  const regionReads = inventory.accounts.flatMap((account) => account.regions);
  const byLevel = { error: 0, warning: 0, note: 0 };
  for (const finding of evaluation.findings) byLevel[finding.level] += 1;
  return {
    accountsInScope: inventory.accounts.length,
    accountsScanned: inventory.accounts.filter((account) => account.outcome !== "skipped").length,
    compliant: count("compliant"),
    noncompliant: count("noncompliant"),
    notAssessed: count("not-assessed"),
    skipped: count("skipped"),
    exceptedAccounts: evaluation.verdicts.filter((item) => item.excepted).length,
    exceptedFindings,
    regionsRead: regionReads.filter((read) => read.outcome === "read").length,
    regionsFailed: regionReads.filter((read) => read.outcome === "failed").length,
    findings: evaluation.findings.length,
    findingsByLevel: byLevel,
    apiCalls: Object.values(inventory.apiStats?.calls ?? {}).reduce((sum, count) => sum + count, 0),
    retries: inventory.apiStats?.retries ?? 0,
    throttles: inventory.apiStats?.throttles ?? 0,
    durationMs: inventory.durationMs,
    perRegionReads: inventory.accounts.filter((account) => account.readPlan === "per-region").length,
    sideReadFailures: sideReadFailures(inventory),
    ...(inventory.stoppedEarly ? { stoppedEarly: describeStoppedEarly(inventory.stoppedEarly) } : {}),
  };
}
