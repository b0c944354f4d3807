import * as core from "@actions/core";
import { stoppedEarlyNote } from "./audit-result.js";
import { runAudit } from "./audit.js";
import type { ScanOptions } from "./aws/scan.js";
import { compareWithBaseline, type Baseline } from "./changes.js";
import { exceptionWarnings } from "./exceptions.js";
import { failingFindings } from "./fail-on.js";
import { actionOutputs } from "./github/action-outputs.js";
import { exceptedAlertsLeftOpen } from "./github/alert-dismissals.js";
import { alertsMayClose, whoseAlertsMayClose } from "./github/job-summary.js";
import { readOpenAlerts, type OpenAlertsRead } from "./github/code-scanning-alerts.js";
import { githubHistorySources } from "./github/remediation-records.js";
import { readTrackedIssues, type TrackedIssuesRead } from "./github/remediation-issues.js";
import { ISSUE_INPUT_NAMES, parseIssueSettings } from "./github/issue-settings.js";
import { GITHUB_PACING, type GitHubPacing } from "./github/octokit.js";
import { logDebug, logInfo } from "./github/workflow-log.js";
import { writeOutputs, type OutputContext } from "./outputs/output.js";
import { jsonReportFile, sarifFile } from "./outputs/report-files.js";
import { countOf } from "./plural.js";
import { periodicLines, ProgressTracker } from "./progress.js";
import { baselineFromAlerts, planCarriedAlerts } from "./reporters/carried-alerts.js";
import { INPUT_NAMES, parseSettings } from "./settings.js";
import { describeRunFailure, isUnexpected } from "./run-failure.js";

/** What a test may set on an in-process run; GitHub's runner gives none of it. */
export interface RunOptions {
  /** GitHub request spacing and retry waits (GitHub's own by default). */
  githubPacing?: GitHubPacing;
  /** Limits and hooks of the AWS scan (stall limits, clocks). */
  scan?: ScanOptions;
}

/**
 * The action: inputs → audit → SARIF and report → remediation issues → job summary,
 * annotations and outputs. A failure of the issue stage is reported after everything
 * else is written, so the security team still gets its SARIF.
 */
export async function run(options: RunOptions = {}): Promise<void> {
  const pacing = options.githubPacing ?? GITHUB_PACING;
  try {
    const settings = parseSettings(readInputs(INPUT_NAMES));
    const issueSettings = await parseIssueSettings(readInputs(ISSUE_INPUT_NAMES));
    if (issueSettings.token) core.setSecret(issueSettings.token);

    const tracker = new ProgressTracker();
    const result = await runAudit(settings, {
      ...options.scan,
      onAccountDone: periodicLines(tracker, logInfo),
      // Never printed anywhere; masked all the same, should an SDK error ever echo one.
      onSecret: (secret) => core.setSecret(secret),
    });
    // From here on the scan is done: a failure of one output leaves the others written
    // (writeOutputs), and is reported at the end.
    // Code scanning closes as fixed every open alert missing from the upload: those of
    // accounts not assessed this run are read back and written again.
    // A shard job saves its inventory for the fan-in job, which uploads the SARIF: the alerts,
    // and what changed, are that job's. A shard reading them would need a permission it has
    // no use for, and warn for nothing without it.
    const alerts: OpenAlertsRead = settings.shard
      ? {
          kind: "none",
          reason: `this job scans shard ${settings.shard.index} of ${settings.shard.count}; the job that uploads the SARIF reads the alerts`,
          firstAnalysis: false,
        }
      : await readOpenAlerts(issueSettings.token, logInfo, undefined, undefined, pacing);
    const carried =
      alerts.kind === "read"
        ? planCarriedAlerts(
            alerts.alerts,
            result.inventory,
            result.evaluation,
            result.inventory.generatedAt.slice(0, 10),
          )
        : [];
    if (alerts.kind === "none") logInfo(`No open code-scanning alerts to keep: ${alerts.reason}.`);
    const alertsUnreadable = alerts.kind === "unreadable" ? alerts.reason : undefined;
    const whose = alertsUnreadable ? whoseAlertsMayClose(result) : undefined;
    if (whose) {
      core.warning(
        `The open code-scanning alerts could not be read: ${alertsUnreadable}. The alerts of ${whose} are ` +
          "missing from this SARIF and will close as if fixed when it is uploaded.",
        { title: "Open alerts may close" },
      );
    }
    // What was open before: the alerts just read; with none to read, what changed is unknown,
    // except on the first analysis, when nothing was open.
    const baseline: Baseline =
      alerts.kind === "read"
        ? {
            kind: "known",
            source: "the open code-scanning alerts",
            entries: baselineFromAlerts(alerts.alerts, result.inventory),
          }
        : alerts.kind === "none" && alerts.firstAnalysis
          ? { kind: "known", source: "code scanning, which has no analysis yet (this is the first)", entries: [] }
          : { kind: "unknown", reason: alerts.reason };
    const changes = compareWithBaseline(result.evaluation, baseline, result.excepted);
    // The remediation issues' dates (first sightings where no alert dates them, days to fix):
    // listed once here, and handed to the sync instead of its own listing.
    const tracked: TrackedIssuesRead = settings.shard
      ? { kind: "unread", reason: "a shard job leaves the issues' history to the job that syncs them", expected: false }
      : await readTrackedIssues(issueSettings, { log: logInfo, pacing });
    const history = githubHistorySources({
      result,
      changes,
      alerts,
      issues: tracked,
      ...(settings.remediationDays ? { remediationDays: settings.remediationDays } : {}),
    });
    for (const warning of result.exceptions ? exceptionWarnings(result.exceptions) : []) {
      core.warning(warning.message, { title: warning.title });
    }
    const { findings: failing, scopeUnknown } = failingFindings(
      result.evaluation.findings,
      settings.failOn,
      settings.failOnScope,
      changes,
      history.ages,
    );
    if (scopeUnknown)
      core.warning(
        settings.failOnScope === "overdue"
          ? `fail-on-scope is "overdue", but ${scopeUnknown}: those findings count.`
          : `fail-on-scope is "new", but what changed since the last run is unknown (${scopeUnknown}): every finding at or above fail-on counts.`,
        { title: settings.failOnScope === "overdue" ? "Finding ages unknown" : "New findings unknown" },
      );

    const context: OutputContext = {
      settings,
      changes,
      carried,
      ...(alertsUnreadable ? { alertsUnreadable } : {}),
      history,
      warn: (title, message) => core.warning(message, { title }),
      failures: [],
      record: {},
    };
    await writeOutputs(
      [sarifFile, ...actionOutputs({ issueSettings, pacing, alerts, tracked, reportFile: jsonReportFile })],
      result,
      context,
    );
    const stayOpen = exceptedAlertsLeftOpen(context.record.exceptedAlerts);
    if (stayOpen) core.warning(stayOpen, { title: "Alerts of exceptions not dismissed" });

    const failures = context.failures.map((failure) => failure.error);
    if (failures.length > 1) for (const failure of failures.slice(0, -1)) core.error(describeRunFailure(failure));
    if (failures.length > 0) throw failures[failures.length - 1];
    if (failing.length > 0) {
      const scope =
        settings.failOnScope === "new" && !scopeUnknown
          ? " new since the last run"
          : settings.failOnScope === "overdue"
            ? " past remediation-days"
            : "";
      core.setFailed(
        `${countOf(failing.length, "finding")}${scope} at or above fail-on "${settings.failOn}" (first: ${failing[0]!.message})`,
      );
    }
    // Reports are written and alerts and issues kept: the run still fails, for the reason.
    const stopped = stoppedEarlyNote(result.summary);
    if (stopped) core.setFailed(stopped);
    if (alertsMayClose(result, alertsUnreadable) && settings.failOn !== "none") {
      core.setFailed(
        "The open code-scanning alerts could not be read, so alerts of accounts not assessed this run may " +
          `close as if fixed: ${alertsUnreadable} (fail-on: none lets the run pass).`,
      );
    }
  } catch (error) {
    core.setFailed(describeRunFailure(error));
    if (isUnexpected(error) && error instanceof Error && error.stack) logDebug(error.stack);
  }
}

function readInputs<Name extends string>(names: readonly Name[]): Partial<Record<Name, string>> {
  return Object.fromEntries(names.map((name) => [name, core.getInput(name)])) as Partial<Record<Name, string>>;
}
