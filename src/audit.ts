import { writeFile } from "node:fs/promises";
import { scanOrganization, type ScanOptions } from "./aws/scan.js";
import type { AccountVerdict, Evaluation, Finding } from "./findings.js";
import type { Inventory } from "./inventory.js";
import { loadInventories } from "./inventory-merge.js";
import { prepareOutputPaths } from "./output-paths.js";
import { countOf } from "./plural.js";
import { buildSarif, type CarriedResult } from "./reporters/sarif.js";
import { buildJsonReport } from "./reporters/json-report.js";
import { LEVEL_RANK } from "./rules/catalog.js";
import { compareFindings, evaluateInventory } from "./rules/evaluate.js";
import {
  applyExceptions,
  loadExceptions,
  unitsNamed,
  type ExceptionsFile,
  type ExceptionsOutcome,
} from "./exceptions.js";
import { emptySelectionError, type FailOn, type FailOnScope, type Settings } from "./settings.js";
import { buildRemediationPlan, type RemediationPlan } from "./remediation-plan.js";
import { findingKey, type Changes } from "./changes.js";
import { NETWORK_ADVICE } from "./error-description.js";
import { describeSideReadFailure, sideReadFailures, type SideReadFailure } from "./side-read-failures.js";

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
  /** Why the organization's CloudTrail Lake event data stores were not (all) read: verdicts then rest on trails. */
  lakeNotRead?: string;
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

/** settings → inventory (read from AWS, or loaded) → findings. */
export async function runAudit(settings: Settings, scanOptions: ScanOptions = {}): Promise<AuditResult> {
  // The run's day, UTC: exceptions apply through their expiry date.
  const today = new Date((scanOptions.now ?? Date.now)()).toISOString().slice(0, 10);
  // Read first: a mistake in the file is an input error, before any AWS call.
  const exceptions = settings.exceptionsFile ? await loadExceptions(settings.exceptionsFile, today) : undefined;
  const units = unitsNamed(exceptions);
  let inventory: Inventory;
  if (settings.inventoryFile) {
    const loaded = await loadInventories(settings.inventoryFile, settings.shard);
    await prepareOutputPaths(settings, loaded.files);
    inventory = loaded.inventory;
  } else {
    await prepareOutputPaths(settings);
    inventory = await scanOrganization(settings, {
      ...scanOptions,
      ...(units.length > 0 ? { unitsToList: units } : {}),
    });
  }
  // A scan checks its selection before sharding (scan.ts); a shard's own slice may be empty.
  if (settings.inventoryFile && !settings.shard && inventory.accounts.length === 0 && !settings.allowEmpty)
    throw emptySelectionError(settings);
  const result = evaluateAudit(inventory, exceptions ? { exceptions, today } : {});
  return settings.inventoryFile
    ? { ...result, summary: { ...result.summary, loadedFrom: settings.inventoryFile } }
    : result;
}

/**
 * inventory → findings, counts and plan. Pure. With exceptions, `evaluation` holds what
 * counts (every finding no entry in force accepts) and `excepted` the rest.
 */
export function evaluateAudit(
  inventory: Inventory,
  options: { exceptions?: ExceptionsFile; today?: string } = {},
): AuditResult {
  const judged = evaluateInventory(inventory);
  const applied = options.exceptions
    ? applyExceptions(
        judged,
        options.exceptions,
        inventory.unitAccounts,
        options.today ?? new Date().toISOString().slice(0, 10),
      )
    : { evaluation: judged, excepted: [], outcome: undefined };
  const { evaluation } = applied;
  return {
    inventory,
    evaluation,
    summary: summarize(inventory, evaluation, applied.excepted.length),
    plan: buildRemediationPlan(inventory, evaluation),
    excepted: applied.excepted,
    ...(applied.outcome ? { exceptions: applied.outcome } : {}),
  };
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
    ...(inventory.stoppedEarly ? { stoppedEarly: inventory.stoppedEarly } : {}),
    ...(inventory.organizationEventDataStoresError ? { lakeNotRead: inventory.organizationEventDataStoresError } : {}),
  };
}

export interface WrittenReports {
  sarifFile: string;
  reportFile?: string;
  omittedSarifResults: number;
  /** Open alerts of accounts not assessed this run, written again so they stay open. */
  carriedSarifResults: number;
}

export async function writeReports(
  result: AuditResult,
  settings: Settings,
  extra: { carried?: CarriedResult[]; changes?: Changes } = {},
): Promise<WrittenReports> {
  const sarif = buildSarif(result.inventory, allFindings(result), { carried: extra.carried ?? [] });
  await writeFile(settings.sarifFile, `${JSON.stringify(sarif.log, null, 2)}\n`);
  if (settings.reportFile) {
    const report = buildJsonReport(result, sarif.omittedResults, extra.changes);
    await writeFile(settings.reportFile, `${JSON.stringify(report, null, 2)}\n`);
  }
  return {
    sarifFile: settings.sarifFile,
    ...(settings.reportFile ? { reportFile: settings.reportFile } : {}),
    omittedSarifResults: sarif.omittedResults,
    carriedSarifResults: sarif.carriedResults,
  };
}

/** The findings that make the run fail under the fail-on threshold. */
export function findingsAtOrAbove(findings: Finding[], failOn: FailOn): Finding[] {
  if (failOn === "none") return [];
  return findings.filter((finding) => LEVEL_RANK[finding.level] >= LEVEL_RANK[failOn]);
}

export interface FailingFindings {
  findings: Finding[];
  /** fail-on-scope "new" could not be honoured because what changed is unknown: every finding counted. */
  scopeUnknown?: string;
}

/**
 * The findings that fail the run: at or above fail-on and, with fail-on-scope "new", only
 * those new since the last run. When what changed is unknown, every finding counts: an
 * unreadable baseline must not let old and new breakage pass alike.
 */
export function failingFindings(
  findings: Finding[],
  failOn: FailOn,
  scope: FailOnScope,
  changes: Changes | undefined,
): FailingFindings {
  const atLevel = findingsAtOrAbove(findings, failOn);
  if (scope === "all") return { findings: atLevel };
  if (!changes?.known) return { findings: atLevel, scopeUnknown: changes?.reason ?? "no earlier run to compare with" };
  const added = new Set(changes.added.map(findingKey));
  return { findings: atLevel.filter((finding) => added.has(findingKey(finding))) };
}
