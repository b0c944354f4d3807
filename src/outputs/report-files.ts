import { writeFile } from "node:fs/promises";
import { allFindings } from "../audit-result.js";
import { ConfigurationError } from "../configuration-error.js";
import { countOf } from "../plural.js";
import { buildJsonReport } from "../reporters/json-report.js";
import { buildSarif } from "../reporters/sarif.js";
import { historyOf, type Output } from "./output.js";

/** Raised when an output file cannot be written: names the file and the system's code. */
export class OutputFileError extends ConfigurationError {}

async function writeOutputFile(what: string, path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    throw new OutputFileError(
      `Could not write ${what} to ${path}${code ? ` (${code})` : ""}: ${(error as Error).message}`,
    );
  }
}

/** The SARIF file for code scanning: always written (sarif-file). */
export const sarifFile: Output = {
  name: "the SARIF file",
  enabled: () => true,
  async write(result, { settings, carried, record, warn, history }) {
    const firstSeen = new Map([...history.ages].map(([key, age]) => [key, age.firstSeen]));
    const sarif = buildSarif(result.inventory, allFindings(result), { carried, firstSeen });
    record.omittedSarifResults = sarif.omittedResults;
    record.carriedSarifResults = sarif.carriedResults;
    await writeOutputFile("the SARIF", settings.sarifFile, `${JSON.stringify(sarif.log, null, 2)}\n`);
    record.sarifFile = settings.sarifFile;
    if (sarif.omittedResults > 0)
      warn(
        "SARIF results left out",
        `${countOf(sarif.omittedResults, "result was", "results were")} left out of the SARIF, the least severe of ` +
          "their run first: GitHub stores 5,000 results per run (one run per last digit of the account id), and " +
          "their open code-scanning alerts will close as if fixed. The job summary and the JSON report " +
          "(report-file) have every finding.",
      );
  },
};

/** The JSON report (report-file): every finding, and the inventory to evaluate again offline. */
export const jsonReportFile: Output = {
  name: "the JSON report",
  enabled: (settings) => settings.reportFile !== undefined,
  async write(result, context) {
    const { settings, changes, record } = context;
    const report = buildJsonReport(result, record.omittedSarifResults ?? 0, changes, historyOf(result, context));
    await writeOutputFile("the JSON report", settings.reportFile!, `${JSON.stringify(report, null, 2)}\n`);
    record.reportFile = settings.reportFile!;
  },
};
