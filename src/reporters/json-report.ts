import type { AuditResult } from "../audit.js";
import { TOOL_NAME, TOOL_VERSION } from "../version.js";

/**
 * Everything a run knows, for people and scripts: the summary, each account's verdict,
 * every finding (none left out, unlike SARIF), and the inventory itself, which
 * `inventory-file` accepts to evaluate the same scan again offline.
 */
export function buildJsonReport(result: AuditResult, omittedSarifResults = 0) {
  return {
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    generatedAt: result.inventory.generatedAt,
    summary: { ...result.summary, omittedSarifResults },
    verdicts: result.evaluation.verdicts,
    findings: result.evaluation.findings,
    inventory: result.inventory,
  };
}
