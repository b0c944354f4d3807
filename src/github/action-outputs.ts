import * as core from "@actions/core";
import { countOf, formatNumber } from "../plural.js";
import { failingFindings } from "../fail-on.js";
import { historyOf, historyWith, type Output, type OutputContext } from "../outputs/output.js";
import { syncExceptedAlerts } from "./alert-dismissals.js";
import { planAnnotations } from "./annotations.js";
import type { OpenAlertsRead } from "./code-scanning-alerts.js";
import type { IssueSettings } from "./issue-settings.js";
import { alertsMayClose, renderJobSummary } from "./job-summary.js";
import type { GitHubPacing } from "./octokit.js";
import { syncRemediationIssues, type TrackedIssuesRead } from "./remediation-issues.js";
import { logInfo } from "./workflow-log.js";
import { describeRunFailure } from "../run-failure.js";

/** What the action's GitHub outputs share: the token and issue inputs, the pacing, the alerts read. */
export interface ActionOutputOptions {
  issueSettings: IssueSettings;
  pacing: GitHubPacing;
  alerts: OpenAlertsRead;
  /** The remediation issues as listed before the outputs: the sync does not list them again. */
  tracked: TrackedIssuesRead;
  /** The JSON report, written once the issues have resolved the owners its scorecards name. */
  reportFile: Output;
}

const log = logInfo;

/** The step's failure, as the annotations must leave room for it: findings at fail-on, or a failed output. */
export function stepFails(result: Parameters<Output["write"]>[0], context: OutputContext): boolean {
  const { settings, changes } = context;
  const failing = failingFindings(result.evaluation.findings, settings.failOn, settings.failOnScope, changes);
  const failsOnAlerts = alertsMayClose(result, context.alertsUnreadable) && settings.failOn !== "none";
  return failing.findings.length > 0 || context.failures.length > 0 || failsOnAlerts;
}

/**
 * The action's outputs after the SARIF and the JSON report, in the order they depend on
 * each other: alerts of exceptions, issues, the job summary (which tells of both), the
 * annotations (which leave room for the step's failure) and the step's outputs.
 */
export function actionOutputs(options: ActionOutputOptions): Output[] {
  const { issueSettings, pacing, alerts, tracked } = options;
  return [
    {
      name: "the alerts of exceptions",
      // A shard saves its inventory for the fan-in job, which uploads the SARIF: the alerts are that job's.
      enabled: (settings) => settings.shard === undefined,
      async write(result, { record }) {
        const synced = await syncExceptedAlerts(result, alerts, issueSettings.token, log, undefined, undefined, pacing);
        if (synced) record.exceptedAlerts = synced;
      },
    },
    {
      name: "the remediation issues",
      enabled: () => issueSettings.createIssues,
      async write(result, context) {
        const { settings, record, history } = context;
        const { result: issues, owners } = await syncRemediationIssues(result, issueSettings, {
          offline: settings.inventoryFile !== undefined,
          log,
          pacing,
          ...(tracked.kind === "read" ? { listed: tracked.issues } : {}),
          ages: history.ages,
          history: historyWith(result, context, new Map()),
        });
        record.issues = issues;
        record.owners = owners;
        if (issues.failed.length > 0)
          throw new Error(
            `GitHub refused ${countOf(issues.failed.length, "issue operation")} (first: ` +
              `${issues.failed[0]!.operation}: ${issues.failed[0]!.reason}); the job summary lists them.`,
          );
      },
    },
    options.reportFile,
    {
      name: "the job summary",
      enabled: () => true,
      async write(result, context) {
        const { record } = context;
        await core.summary
          .addRaw(
            renderJobSummary({
              result,
              history: historyOf(result, context),
              ...(record.owners ? { owners: record.owners } : {}),
              ...(record.issues ? { issues: record.issues } : {}),
              omittedSarifResults: record.omittedSarifResults ?? 0,
              carriedSarifResults: record.carriedSarifResults ?? 0,
              ...(context.alertsUnreadable ? { alertsUnreadable: context.alertsUnreadable } : {}),
              ...(record.reportFile ? { reportFile: record.reportFile } : {}),
              ...(context.changes ? { changes: context.changes } : {}),
              ...(record.exceptedAlerts ? { exceptedAlerts: record.exceptedAlerts } : {}),
              ...(record.issues ? { issueLinks: record.issues.links } : {}),
              ...(record.issues?.organizationIssue ? { organizationIssue: record.issues.organizationIssue } : {}),
              failures: context.failures.map((failure) => ({
                output: failure.output,
                reason: describeRunFailure(failure.error),
              })),
            }),
          )
          .write();
      },
    },
    {
      name: "the annotations",
      enabled: () => true,
      async write(result, context) {
        for (const annotation of planAnnotations(result.evaluation.findings, stepFails(result, context) ? 1 : 0)) {
          const properties = { title: annotation.title };
          if (annotation.kind === "error") core.error(annotation.message, properties);
          else if (annotation.kind === "warning") core.warning(annotation.message, properties);
          else core.notice(annotation.message, properties);
        }
      },
    },
    {
      name: "the step's outputs",
      enabled: () => true,
      async write(result, context) {
        const { changes, record, settings } = context;
        const { summary } = result;
        const { issues } = record;
        // An empty sarif-file output tells the upload step that there is nothing to upload.
        core.setOutput("sarif-file", record.sarifFile ?? "");
        core.setOutput("report-file", record.reportFile ?? "");
        core.setOutput("accounts-scanned", summary.accountsScanned);
        core.setOutput("noncompliant-accounts", summary.noncompliant);
        core.setOutput("not-assessed-accounts", summary.notAssessed);
        core.setOutput("findings", summary.findings);
        // Empty when what changed is unknown: a count would claim a comparison that was not made.
        core.setOutput("new-findings", changes?.known ? changes.added.length : "");
        core.setOutput("resolved-findings", changes?.known ? changes.resolved.length : "");
        // Empty without remediation-days: nothing can be overdue without a deadline.
        core.setOutput("overdue-findings", settings.remediationDays ? historyOf(result, context).overdue.length : "");
        core.setOutput("issues-opened", issues && !issues.dryRun ? issues.opened + issues.reopened : 0);
        core.setOutput("issues-closed", issues && !issues.dryRun ? issues.closed : 0);
        core.setOutput("issues-failed", issues?.failed.length ?? 0);
        logInfo(
          `${countOf(summary.accountsScanned, "account")} scanned: ${formatNumber(summary.compliant)} compliant, ` +
            `${formatNumber(summary.noncompliant)} non-compliant, ${formatNumber(summary.notAssessed)} not assessed, ${formatNumber(summary.skipped)} ` +
            `skipped. ${countOf(summary.findings, "finding")}${record.sarifFile ? `; SARIF in ${record.sarifFile}` : ""}.`,
        );
      },
    },
  ];
}
