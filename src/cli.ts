import { parseArgs } from "node:util";
import { findingsAtOrAbove, runAudit, writeReports } from "./audit.js";
import { describeError } from "./aws/client-config.js";
import { ConfigurationError, isConfigurationError } from "./configuration-error.js";
import cliProgress from "cli-progress";
import type { ScanOptions } from "./aws/scan.js";
import { periodicLines, ProgressTracker } from "./progress.js";
import { buildJsonReport } from "./reporters/json-report.js";
import { buildSarif } from "./reporters/sarif.js";
import { renderTextReport } from "./reporters/text-report.js";
import { INPUT_DEFAULTS, INPUT_NAMES, parseSettings, type RawInputs } from "./settings.js";
import { TOOL_NAME, TOOL_VERSION } from "./version.js";

/** Exit codes: 0 no finding at or above fail-on, 1 there are, 2 bad input or unusable credentials, 3 the tool failed. */
export const EXIT = { ok: 0, findings: 1, configuration: 2, internal: 3 } as const;

const USAGE = `Usage: ${TOOL_NAME} scan [options]

Audits every account of an AWS Organization: does CloudTrail record the global service
events (IAM, STS, CloudFront)? Credentials come the standard AWS SDK ways.

Options (the action's inputs, as flags):
${INPUT_NAMES.map((name) => `  --${name.padEnd(24)} default: ${INPUT_DEFAULTS[name] || "(none)"}`).join("\n")}
  --inventory <file>         same as --inventory-file
  --profile <name>           AWS shared-config profile to use
  --format <table|json|sarif> what to print on standard output (default: table);
                             the files above are written whatever the format
  --help, --version

Exit codes: 0 no finding at or above --fail-on, 1 there are, 2 bad input or unusable
credentials, 3 the tool failed.
`;

const FORMATS = ["table", "json", "sarif"] as const;

export async function runCli(argv: string[], out = process.stdout, err = process.stderr): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ...Object.fromEntries(INPUT_NAMES.map((name) => [name, { type: "string" as const }])),
        inventory: { type: "string" },
        profile: { type: "string" },
        format: { type: "string" },
        help: { type: "boolean" },
        version: { type: "boolean" },
      },
    });
    if (values.help) {
      out.write(USAGE);
      return EXIT.ok;
    }
    if (values.version) {
      out.write(`${TOOL_VERSION}\n`);
      return EXIT.ok;
    }
    if (positionals.length !== 1 || positionals[0] !== "scan") {
      throw new ConfigurationError(`Expected the command "scan", got "${positionals.join(" ")}". Run ${TOOL_NAME} --help.`);
    }
    const raw: RawInputs = Object.fromEntries(INPUT_NAMES.map((name) => [name, (values as Record<string, unknown>)[name] as string | undefined]));
    if (values.inventory) raw["inventory-file"] = values.inventory as string;
    const settings = parseSettings(raw);
    const format = (values.format as string | undefined) ?? "table";
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new ConfigurationError(`Flag "--format" got "${format}"; it accepts ${FORMATS.join(", ")}.`);
    }
    // The SDK's default credential chain honours AWS_PROFILE: no credentials code of ours.
    if (values.profile) process.env.AWS_PROFILE = values.profile as string;

    const progress = progressDisplay(err);
    let result;
    try {
      result = await runAudit(settings, { onAccountDone: progress.onAccountDone });
    } finally {
      // The last account can finish before the listing is known complete: stop the bar here, always.
      progress.stop();
    }
    const written = await writeReports(result, settings);
    if (format === "json") {
      out.write(`${JSON.stringify(buildJsonReport(result, written.omittedSarifResults), null, 2)}\n`);
    } else if (format === "sarif") {
      out.write(`${JSON.stringify(buildSarif(result.inventory, result.evaluation.findings).log, null, 2)}\n`);
    } else {
      const color = (out as { isTTY?: boolean }).isTTY === true && !process.env.NO_COLOR;
      out.write(renderTextReport(result, { color }));
      out.write(`\nSARIF: ${written.sarifFile}${written.reportFile ? `\nJSON report: ${written.reportFile}` : ""}\n`);
    }
    return findingsAtOrAbove(result.evaluation.findings, settings.failOn).length > 0 ? EXIT.findings : EXIT.ok;
  } catch (error) {
    if (isConfigurationError(error) || (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))) {
      err.write(`${TOOL_NAME}: ${(error as Error).message}\n`);
      return EXIT.configuration;
    }
    err.write(`${TOOL_NAME} failed unexpectedly: ${describeError(error)}\n`);
    return EXIT.internal;
  }
}

/** A progress bar on a terminal (cli-progress), plain lines every few seconds otherwise. */
function progressDisplay(err: NodeJS.WritableStream & { isTTY?: boolean }): { onAccountDone: ScanOptions["onAccountDone"]; stop: () => void } {
  const tracker = new ProgressTracker();
  if (!err.isTTY) return { onAccountDone: periodicLines(tracker, (line) => err.write(`${line}\n`)), stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { stream: err, format: "Scanning {bar} {value}/{total} accounts | findings {findings} | not assessed {notAssessed} | ETA {eta_formatted}", hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let running = false;
  const stop = () => {
    if (running) bar.stop();
    running = false;
  };
  const onAccountDone: ScanOptions["onAccountDone"] = (record, progress) => {
    tracker.record(record, progress);
    if (!running) {
      bar.start(progress.total, 0, { findings: 0, notAssessed: 0 });
      running = true;
    }
    bar.setTotal(progress.total);
    bar.update(progress.done, { findings: tracker.findings, notAssessed: tracker.notAssessed });
    if (progress.listingComplete && progress.done === progress.total) stop();
  };
  return { onAccountDone, stop };
}
