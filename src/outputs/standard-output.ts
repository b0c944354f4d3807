import { allFindings } from "../audit-result.js";
import { exceptionWarnings } from "../exceptions.js";
import { buildJsonReport } from "../reporters/json-report.js";
import { buildSarif } from "../reporters/sarif.js";
import { renderTextReport } from "../reporters/text-report.js";
import { TOOL_NAME } from "../version.js";
import { historyOf, type Output } from "./output.js";

/** What the CLI prints on standard output: --format text (the default), json or sarif. */
export function standardOutput(
  format: string,
  out: NodeJS.WritableStream & { isTTY?: boolean },
  err: NodeJS.WritableStream,
): Output {
  return {
    name: "the standard output",
    enabled: () => true,
    async write(result, context) {
      const { changes, record } = context;
      const history = historyOf(result, context);
      if (format === "json") {
        out.write(
          `${JSON.stringify(buildJsonReport(result, record.omittedSarifResults ?? 0, changes, history), null, 2)}\n`,
        );
      } else if (format === "sarif") {
        out.write(`${JSON.stringify(buildSarif(result.inventory, allFindings(result)).log, null, 2)}\n`);
      }
      // The text output lists them; with json or sarif on stdout, stderr says what needs a person.
      if (format === "json" || format === "sarif") {
        for (const warning of result.exceptions ? exceptionWarnings(result.exceptions) : []) {
          err.write(`${TOOL_NAME}: ${warning.title}: ${warning.message}\n`);
        }
        return;
      }
      const color = out.isTTY === true && !process.env.NO_COLOR;
      out.write(renderTextReport(result, { color, history, ...(changes ? { changes } : {}) }));
      const files = [
        ...(record.sarifFile ? [`SARIF: ${record.sarifFile}`] : []),
        ...(record.reportFile ? [`JSON report: ${record.reportFile}`] : []),
      ];
      if (files.length > 0) out.write(`\n${files.join("\n")}\n`);
    },
  };
}
