import * as core from "@actions/core";
import { failingFindings, runAudit, stoppedEarlyNote, writeReports } from "./audit.js";
import { isAwsUnreachable } from "./aws/unreachable.js";
import { compareWithBaseline, type Baseline } from "./changes.js";
import { describeError } from "./error-description.js";
import { isConfigurationError } from "./configuration-error.js";
import { planAnnotations } from "./github/annotations.js";
import { ISSUE_INPUT_NAMES, parseIssueSettings } from "./github/issue-settings.js";
import type { IssueSyncResult } from "./github/issue-sync.js";
import { readOpenAlerts, type OpenAlertsRead } from "./github/code-scanning-alerts.js";
import { renderJobSummary } from "./github/job-summary.js";
import { exceptedAlertsLeftOpen, syncExceptedAlerts, type ExceptedAlerts } from "./github/alert-dismissals.js";
import { exceptionWarnings } from "./exceptions.js";
import { syncRemediationIssues } from "./github/remediation-issues.js";
import { countOf } from "./plural.js";
import { periodicLines, ProgressTracker } from "./progress.js";
import { baselineFromAlerts, planCarriedAlerts } from "./reporters/carried-alerts.js";
import { INPUT_NAMES, parseSettings } from "./settings.js";
import { isAssessed } from "./findings.js";
import type { ScanOptions } from "./aws/scan.js";
import { GITHUB_PACING, type GitHubPacing } from "./github/octokit.js";

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
      onAccountDone: periodicLines(tracker, (line) => core.info(line)),
      // Never printed anywhere; masked all the same, should an SDK error ever echo one.
      onSecret: (secret) => core.setSecret(secret),
    });
    // From here on the scan is done: a later failure still leaves the summary and the
    // outputs of whatever was written, and is reported at the end.
    const failures: unknown[] = [];
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
      : await readOpenAlerts(issueSettings.token, (message) => core.info(message), undefined, undefined, pacing);
    const carried =
      alerts.kind === "read"
        ? planCarriedAlerts(
            alerts.alerts,
            result.inventory,
            result.evaluation,
            result.inventory.generatedAt.slice(0, 10),
          )
        : [];
    if (alerts.kind === "none") core.info(`No open code-scanning alerts to keep: ${alerts.reason}.`);
    const alertsUnreadable = alerts.kind === "unreadable" ? alerts.reason : undefined;
    if (alertsUnreadable) {
      core.warning(
        `The open code-scanning alerts could not be read: ${alertsUnreadable}. The alerts of the ` +
          `${countOf(result.evaluation.verdicts.filter((verdict) => !isAssessed(verdict)).length, "account")} ` +
          "not assessed or skipped this run (and of accounts outside its selection) are missing from this " +
          "SARIF and will close as if fixed when it is uploaded.",
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
    const written = await writeReports(result, settings, { carried, changes }).catch((error: unknown) => {
      failures.push(error);
      return undefined;
    });
    const { summary } = result;
    if (written && written.omittedSarifResults > 0) {
      core.warning(
        `${countOf(written.omittedSarifResults, "result was", "results were")} left out of the SARIF, the ` +
          "least severe of their run first: GitHub stores 5,000 results per run (one run per last digit of the " +
          "account id), and their open code-scanning alerts will close as if fixed. The job summary and the " +
          "JSON report (report-file) have every finding.",
        { title: "SARIF results left out" },
      );
    }

    // Excepted findings: their alerts dismissed, and reopened on expiry (not from a shard).
    let exceptedAlerts: ExceptedAlerts | undefined;
    if (!settings.shard) {
      try {
        exceptedAlerts = await syncExceptedAlerts(
          result,
          alerts,
          issueSettings.token,
          (message) => core.info(message),
          undefined,
          undefined,
          pacing,
        );
      } catch (error) {
        failures.push(error);
      }
    }
    for (const warning of result.exceptions ? exceptionWarnings(result.exceptions) : []) {
      core.warning(warning.message, { title: warning.title });
    }
    const stayOpen = exceptedAlertsLeftOpen(exceptedAlerts);
    if (stayOpen) core.warning(stayOpen, { title: "Alerts of exceptions not dismissed" });

    let issues: IssueSyncResult | undefined;
    let owners: Map<string, string[]> | undefined;
    if (issueSettings.createIssues) {
      try {
        ({ result: issues, owners } = await syncRemediationIssues(result, issueSettings, {
          offline: settings.inventoryFile !== undefined,
          log: (message) => core.info(message),
          pacing,
        }));
      } catch (error) {
        failures.push(error);
      }
    }

    try {
      await core.summary
        .addRaw(
          renderJobSummary({
            result,
            ...(owners ? { owners } : {}),
            ...(issues ? { issues } : {}),
            omittedSarifResults: written?.omittedSarifResults ?? 0,
            carriedSarifResults: written?.carriedSarifResults ?? 0,
            ...(alertsUnreadable ? { alertsUnreadable } : {}),
            ...(written?.reportFile ? { reportFile: written.reportFile } : {}),
            changes,
            ...(exceptedAlerts ? { exceptedAlerts } : {}),
            ...(issues ? { issueLinks: issues.links } : {}),
            ...(issues?.organizationIssue ? { organizationIssue: issues.organizationIssue } : {}),
          }),
        )
        .write();
    } catch (error) {
      failures.push(error);
    }

    if (issues && issues.failed.length > 0) {
      failures.push(
        new Error(
          `GitHub refused ${countOf(issues.failed.length, "issue operation")} (first: ` +
            `${issues.failed[0]!.operation}: ${issues.failed[0]!.reason}); the job summary lists them.`,
        ),
      );
    }
    const { findings: failing, scopeUnknown } = failingFindings(
      result.evaluation.findings,
      settings.failOn,
      settings.failOnScope,
      changes,
    );
    if (scopeUnknown)
      core.warning(
        `fail-on-scope is "new", but what changed since the last run is unknown (${scopeUnknown}): every finding at or above fail-on counts.`,
        { title: "New findings unknown" },
      );
    const failsOnAlerts = alertsUnreadable !== undefined && settings.failOn !== "none";
    const stepFails = failing.length > 0 || failures.length > 0 || failsOnAlerts;
    for (const annotation of planAnnotations(result.evaluation.findings, stepFails ? 1 : 0)) {
      const properties = { title: annotation.title };
      if (annotation.kind === "error") core.error(annotation.message, properties);
      else if (annotation.kind === "warning") core.warning(annotation.message, properties);
      else core.notice(annotation.message, properties);
    }

    // An empty sarif-file output tells the upload step that there is nothing to upload.
    core.setOutput("sarif-file", written?.sarifFile ?? "");
    core.setOutput("report-file", written?.reportFile ?? "");
    core.setOutput("accounts-scanned", summary.accountsScanned);
    core.setOutput("noncompliant-accounts", summary.noncompliant);
    core.setOutput("not-assessed-accounts", summary.notAssessed);
    core.setOutput("findings", summary.findings);
    // Empty when what changed is unknown: a count would claim a comparison that was not made.
    core.setOutput("new-findings", changes.known ? changes.added.length : "");
    core.setOutput("resolved-findings", changes.known ? changes.resolved.length : "");
    core.setOutput("issues-opened", issues && !issues.dryRun ? issues.opened + issues.reopened : 0);
    core.setOutput("issues-closed", issues && !issues.dryRun ? issues.closed : 0);
    core.setOutput("issues-failed", issues?.failed.length ?? 0);
    core.info(
      `${countOf(summary.accountsScanned, "account")} scanned: ${summary.compliant} compliant, ` +
        `${summary.noncompliant} non-compliant, ${summary.notAssessed} not assessed, ${summary.skipped} ` +
        `skipped. ${countOf(summary.findings, "finding")}${written ? `; SARIF in ${written.sarifFile}` : ""}.`,
    );

    if (failures.length > 1) for (const failure of failures.slice(0, -1)) core.error(describeFailure(failure));
    if (failures.length > 0) throw failures[failures.length - 1];
    if (failing.length > 0) {
      const scope = settings.failOnScope === "new" && !scopeUnknown ? " new since the last run" : "";
      core.setFailed(
        `${countOf(failing.length, "finding")}${scope} at or above fail-on "${settings.failOn}" (first: ${failing[0]!.message})`,
      );
    }
    // Reports are written and alerts and issues kept: the run still fails, for the reason.
    const stopped = stoppedEarlyNote(summary);
    if (stopped) core.setFailed(stopped);
    if (failsOnAlerts) {
      core.setFailed(
        "The open code-scanning alerts could not be read, so alerts of accounts not assessed this run may " +
          `close as if fixed: ${alertsUnreadable} (fail-on: none lets the run pass).`,
      );
    }
  } catch (error) {
    core.setFailed(describeFailure(error));
    if (!isConfigurationError(error) && !isAwsUnreachable(error) && error instanceof Error && error.stack)
      core.debug(error.stack);
  }
}

function describeFailure(error: unknown): string {
  if (isConfigurationError(error) || isAwsUnreachable(error)) return error.message;
  return `org-trail-audit failed unexpectedly: ${describeError(error)}`;
}

function readInputs<Name extends string>(names: readonly Name[]): Partial<Record<Name, string>> {
  return Object.fromEntries(names.map((name) => [name, core.getInput(name)])) as Partial<Record<Name, string>>;
}
