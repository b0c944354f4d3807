import type { AuditResult } from "../audit-result.js";
import type { Changes } from "../changes.js";
import type { ExceptedAlerts } from "../github/alert-dismissals.js";
import type { IssueSyncResult } from "../github/issue-sync.js";
import { buildHistory, type HistorySources, type RemediationHistory } from "../remediation-history.js";
import type { CarriedResult } from "../reporters/sarif.js";
import type { Settings } from "../settings.js";

/**
 * One way of telling the result: a file, a stream, GitHub. Every output of the action and
 * of the CLI has this shape and is written by writeOutputs, in the order its entry point
 * lists them; adding one (an OCSF export, say) is a module and a line in that list.
 */
export interface Output {
  /** What it is, in a failure message: "the JSON report", "the job summary". */
  name: string;
  enabled(settings: Settings): boolean;
  /** Writes the result; what later outputs need to know of it goes into the context's record. */
  write(result: AuditResult, context: OutputContext): Promise<void>;
}

/** What outputs are given, besides the result, and what the ones written so far recorded. */
export interface OutputContext {
  settings: Settings;
  /** What changed since the last run, when it is known or was asked for. */
  changes?: Changes;
  /** Open alerts of accounts not assessed this run, written again so that they stay open. */
  carried: CarriedResult[];
  /** Why the open code-scanning alerts could not be read, when they could not. */
  alertsUnreadable?: string;
  /** What the remediation history is rebuilt from (first sightings, alerts, issues); see historyOf. */
  history: HistorySources;
  /** Tells the user of something that needs a person (an annotation in the action, a line on stderr in the CLI). */
  warn: (title: string, message: string) => void;
  /** Failures of the outputs written so far (one output's failure never stops the next). */
  failures: OutputFailure[];
  record: OutputRecord;
}

export interface OutputRecord {
  sarifFile?: string;
  reportFile?: string;
  omittedSarifResults?: number;
  carriedSarifResults?: number;
  exceptedAlerts?: ExceptedAlerts;
  issues?: IssueSyncResult;
  owners?: Map<string, string[]>;
  /** Built once, by the first output that needs it, with the owners known by then (historyOf). */
  history?: RemediationHistory;
}

export interface OutputFailure {
  output: string;
  error: unknown;
}

/**
 * The run's remediation history, built the first time an output asks (after the issues in the
 * action, so that the scorecards know the owners the issues resolved) and kept for the rest.
 */
export function historyOf(result: AuditResult, context: OutputContext): RemediationHistory {
  context.record.history ??= historyWith(result, context, context.record.owners ?? new Map());
  return context.record.history;
}

/** The history before the owners are known (the issues' own needs: the trend), not kept. */
export function historyWith(
  result: AuditResult,
  context: OutputContext,
  owners: Map<string, string[]>,
): RemediationHistory {
  return buildHistory({
    findings: result.evaluation.findings,
    now: result.inventory.generatedAt,
    noncompliant: result.summary.noncompliant,
    notAssessed: result.summary.notAssessed,
    sources: context.history,
    owners,
    units: new Map(
      result.evaluation.verdicts.flatMap((verdict) =>
        verdict.organizationalUnit ? [[verdict.accountId, verdict.organizationalUnit] as const] : [],
      ),
    ),
    ...(context.settings.remediationDays ? { remediationDays: context.settings.remediationDays } : {}),
  });
}

/**
 * Writes every enabled output in order. A failure is recorded with the output's name and
 * the rest are still written: a report that cannot be written must not cost the SARIF,
 * the summary or the issues.
 */
export async function writeOutputs(outputs: Output[], result: AuditResult, context: OutputContext): Promise<void> {
  for (const output of outputs) {
    if (!output.enabled(context.settings)) continue;
    try {
      await output.write(result, context);
    } catch (error) {
      context.failures.push({ output: output.name, error });
    }
  }
}
