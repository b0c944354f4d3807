import * as core from "@actions/core";
import { findingsAtOrAbove, runAudit, writeReports } from "./audit.js";
import { describeError } from "./aws/client-config.js";
import { isConfigurationError } from "./configuration-error.js";
import { INPUT_NAMES, parseSettings, type RawInputs } from "./settings.js";

/** The action: inputs → audit → reports and outputs; the step fails per fail-on. */
export async function run(): Promise<void> {
  try {
    const settings = parseSettings(readActionInputs());
    const result = await runAudit(settings, {
      onAccountDone: (record, done, total) => core.debug(`account ${record.id} ${record.outcome} (${done}/${total})`),
    });
    const written = await writeReports(result, settings);
    const { summary } = result;

    core.setOutput("sarif-file", written.sarifFile);
    core.setOutput("report-file", written.reportFile ?? "");
    core.setOutput("accounts-scanned", summary.accountsScanned);
    core.setOutput("noncompliant-accounts", summary.noncompliant);
    core.setOutput("not-assessed-accounts", summary.notAssessed);
    core.setOutput("findings", summary.findings);
    core.info(
      `${summary.accountsScanned} accounts scanned: ${summary.compliant} compliant, ${summary.noncompliant} non-compliant, ${summary.notAssessed} not assessed, ${summary.skipped} skipped. ${summary.findings} findings; SARIF in ${written.sarifFile}.`,
    );
    if (written.omittedSarifResults > 0) {
      core.warning(`${written.omittedSarifResults} least severe results were left out of the SARIF to stay within GitHub's limits; the JSON report (input report-file) has them all.`);
    }

    const failing = findingsAtOrAbove(result.evaluation.findings, settings.failOn);
    if (failing.length > 0) {
      core.setFailed(`${failing.length} findings at or above fail-on "${settings.failOn}" (first: ${failing[0]!.message})`);
    }
  } catch (error) {
    if (isConfigurationError(error)) {
      core.setFailed(error.message);
    } else {
      core.setFailed(`org-trail-audit failed unexpectedly: ${describeError(error)}`);
      if (error instanceof Error && error.stack) core.debug(error.stack);
    }
  }
}

function readActionInputs(): RawInputs {
  return Object.fromEntries(INPUT_NAMES.map((name) => [name, core.getInput(name)]));
}
