import { scanOrganization, type ScanOptions } from "./aws/scan.js";
import { summarize, type AuditResult } from "./audit-result.js";
import type { Inventory } from "./inventory.js";
import { loadInventories } from "./inventory-merge.js";
import { prepareOutputPaths } from "./output-paths.js";
import { evaluateInventory } from "./rules/evaluate.js";
import { applyExceptions, loadExceptions, unitsNamed, type ExceptionsFile } from "./exceptions.js";
import { emptySelectionError, type Settings } from "./settings.js";
import { buildRemediationPlan } from "./remediation-plan.js";

/**
 * The orchestrator: settings → inventory (read from AWS, or loaded) → findings and plan.
 * It only produces the result; the entry points hand it to their outputs (outputs/).
 */
export async function runAudit(settings: Settings, scanOptions: ScanOptions = {}): Promise<AuditResult> {
  // The run's day, UTC: exceptions apply through their expiry date.
  const today = new Date((scanOptions.now ?? Date.now)()).toISOString().slice(0, 10);
  // Read first: a mistake in the file is an input error, before any AWS call.
  const exceptions = settings.exceptionsFile ? await loadExceptions(settings.exceptionsFile, today) : undefined;
  const units = unitsNamed(exceptions);
  let inventory: Inventory;
  if (settings.inventoryFile) {
    const loaded = await loadInventories(settings.inventoryFile, settings.shard, settings);
    await prepareOutputPaths(settings, loaded.files);
    inventory = loaded.inventory;
  } else {
    await prepareOutputPaths(settings);
    inventory = await scanOrganization(settings, {
      ...scanOptions,
      ...(units.length > 0 ? { unitsToList: units } : {}),
      judgesCovered,
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
 * Whether the rules find something recording the account's global service events, as read
 * (or it is not to be judged: skipped). Only where nothing does does the scan look further for
 * the account's Lake stores: a covered account with a warning costs no extra call.
 */
export const judgesCovered: NonNullable<ScanOptions["judgesCovered"]> = (account, context) => {
  const verdict = evaluateInventory({ ...context, accounts: [account], durationMs: 0 }).verdicts[0];
  return verdict === undefined || verdict.verdict === "skipped" || verdict.coveredBy.length > 0;
};

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
