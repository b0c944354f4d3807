import { parseArgs } from "node:util";
import { stoppedEarlyNote } from "./audit-result.js";
import { closestName } from "./closest-name.js";
import { runAudit } from "./audit.js";
import { failingFindings } from "./fail-on.js";
import { standardOutput } from "./outputs/standard-output.js";
import { writeOutputs, type OutputContext } from "./outputs/output.js";
import { jsonReportFile, sarifFile } from "./outputs/report-files.js";
import { checkProfileExists } from "./aws/profile.js";
import { isAwsUnreachable } from "./aws/unreachable.js";
import { loadBaselineReport, type BaselineReport } from "./baseline-report.js";
import type { AuditResult } from "./audit-result.js";
import { compareWithBaseline, type Changes } from "./changes.js";
import { expiredFindings } from "./exceptions.js";
import { ageFindings, type HistorySources, type RemediationDays } from "./remediation-history.js";
import { describeError } from "./error-description.js";
import { ConfigurationError, isConfigurationError } from "./configuration-error.js";
import cliProgress from "cli-progress";
import type { ScanOptions } from "./aws/scan.js";
import { nodeSupportNote } from "./node-support.js";
import { periodicLines, ProgressTracker } from "./progress.js";
import { ISSUE_INPUT_NAMES } from "./github/issue-settings.js";
import { INPUT_HELP } from "./input-help.js";
import { INPUT_DEFAULTS, INPUT_NAMES, parseSettings, type RawInputs } from "./settings.js";
import { TOOL_NAME, TOOL_VERSION } from "./version.js";

/**
 * Exit codes: 0 no finding at or above fail-on, 1 there are, 2 bad input or unusable
 * credentials, 3 the tool failed, 4 AWS could not be reached (the scan did not finish).
 */
export const EXIT = { ok: 0, findings: 1, configuration: 2, internal: 3, unreachable: 4 } as const;

/** Flags the CLI has beyond the action's inputs, with their help. */
const CLI_FLAGS: [flag: string, help: string][] = [
  ["--inventory <file>", "Same as --inventory-file."],
  ["--exceptions <file>", "Same as --exceptions-file."],
  ["--profile <name>", "AWS shared-config profile to use (the SDK's AWS_PROFILE)."],
  [
    "--baseline <file>",
    "A JSON report of an earlier run (--report-file): the output then says what is new, resolved and " +
      "still open, and --fail-on-scope new fails only on new findings.",
  ],
  [
    "--format <text|json|sarif>",
    'What to print on standard output (default: text; "table" is an old name for it). The files above are written whatever the format.',
  ],
  ["--help, --version", ""],
];

const HELP_COLUMN = 30;
const HELP_WIDTH = 96;

/** "  --flag <value>   help text wrapped under its column". */
function helpEntry(flag: string, help: string): string {
  const words = help.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = `  ${flag}  `.padEnd(HELP_COLUMN);
  if (line.length > HELP_COLUMN) {
    lines.push(line.trimEnd());
    line = " ".repeat(HELP_COLUMN);
  }
  let fresh = true;
  for (const word of words) {
    if (!fresh && line.length + 1 + word.length > HELP_WIDTH) {
      lines.push(line);
      line = " ".repeat(HELP_COLUMN);
      fresh = true;
    }
    line += fresh ? word : ` ${word}`;
    fresh = false;
  }
  lines.push(line.trimEnd());
  return lines.join("\n");
}

const USAGE = `Usage: ${TOOL_NAME} scan [options]

Audits every account of an AWS Organization: does CloudTrail record the global service
events (IAM, STS, CloudFront)? Credentials come the standard AWS SDK ways.

Options: the action's inputs, as flags of the same names
${INPUT_NAMES.map((name) => helpEntry(flagSyntax(name), `${inCliHelp(INPUT_HELP[name] ?? "")} Default: ${INPUT_DEFAULTS[name] || "(none)"}.`)).join("\n")}

CLI only:
${CLI_FLAGS.map(([flag, help]) => helpEntry(flag, help)).join("\n")}

Action only (the CLI writes no GitHub issues):
  ${ISSUE_INPUT_NAMES.join(", ")}.

Exit codes: 0 no finding at or above --fail-on, 1 there are, 2 bad input or unusable
credentials, 3 the tool failed, 4 AWS could not be reached (network, proxy or endpoint:
reports of what was read are written when the scan had started).
`;

/** "--allow-empty, --no-allow-empty" for a yes/no input, which takes no value; "--regions <value>" otherwise. */
function flagSyntax(name: string): string {
  return ["true", "false"].includes((INPUT_DEFAULTS as Record<string, string>)[name] ?? "")
    ? `--${name}, --no-${name}`
    : `--${name} <value>`;
}

/** An input's description (written for the action) in the CLI's terms: a run, not a step; no issues. */
function inCliHelp(text: string): string {
  return text
    .replace(/\bthe step\b/g, "the run")
    .replace(/\bThe step\b/g, "The run")
    .replace(/ and syncs issues only for its own accounts/g, "");
}

const FORMATS = ["text", "json", "sarif", "table"] as const;

const CLI_CREDENTIALS_ADVICE =
  "Give credentials the standard SDK ways: --profile NAME (a profile of ~/.aws/config; aws sso login first for " +
  "an SSO one), or the AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN variables.";

/** Scan inputs that are yes or no: as flags, given alone (`--allow-empty`), negated (`--no-allow-empty`) or with a value. */
const YES_NO_INPUTS = INPUT_NAMES.filter((name) => ["true", "false"].includes(INPUT_DEFAULTS[name]));
const KNOWN_FLAGS: string[] = [
  ...INPUT_NAMES,
  ...CLI_FLAGS.flatMap(([flag]) => [...flag.matchAll(/--([a-z-]+)/g)].map((match) => match[1]!)),
];
const YES_NO_VALUE = /^(true|false|yes|no|1|0)$/i;

/** `--allow-empty` → `--allow-empty=true`, `--no-allow-empty` → `=false`, `--allow-empty no` kept as its value. */
function withYesNoFlags(argv: string[]): string[] {
  const out: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!;
    const name = arg.slice(2);
    if (arg.startsWith("--no-") && (YES_NO_INPUTS as string[]).includes(name.slice(3)))
      out.push(`--${name.slice(3)}=false`);
    else if ((YES_NO_INPUTS as string[]).includes(name)) {
      const next = argv[index + 1];
      if (next !== undefined && YES_NO_VALUE.test(next)) {
        out.push(`${arg}=${next}`);
        index += 1;
      } else out.push(`${arg}=true`);
    } else out.push(arg);
  }
  return out;
}

/** The closest known flag within two edits, for "did you mean". */
function unknownFlag(flag: string): ConfigurationError {
  const meant = closestName(flag.slice(2), KNOWN_FLAGS);
  const hint = meant ? ` Did you mean "--${meant}"?` : "";
  return new ConfigurationError(`Unknown flag "${flag}".${hint} Run ${TOOL_NAME} --help for the flags.`);
}

/** The settings' messages speak of the action's inputs; a CLI user typed flags. */
export function inCliTerms(message: string): string {
  return message
    .replace(/set "([a-z-]+): true"/g, "give --$1")
    .replace(
      /the inputs ((?:"[a-z-]+"(?:, )?)+)/g,
      (_, names: string) => `the flags ${names.replace(/"([a-z-]+)"/g, "--$1")}`,
    )
    .replace(/Input "([a-z-]+)"/g, 'Flag "--$1"')
    .replace(/\binput "([a-z-]+)"/g, 'flag "--$1"');
}

export async function runCli(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  // `scan | head -1`: once the reader has gone, the rest of the output is nobody's; stop
  // writing it quietly instead of dying on EPIPE with a stack trace.
  out.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
  });
  try {
    if (argv.length === 0) {
      err.write(USAGE);
      return EXIT.configuration;
    }
    const actionOnly = argv
      .map((arg) => /^--([a-z-]+)/.exec(arg)?.[1])
      .find((name) => (ISSUE_INPUT_NAMES as readonly (string | undefined)[]).includes(name));
    if (actionOnly) {
      throw new ConfigurationError(
        `Flag "--${actionOnly}" is an input of the action only: the CLI writes no GitHub issues. Run the action for remediation issues.`,
      );
    }
    const unknown = argv.find(
      (arg) => arg.startsWith("--") && !KNOWN_FLAGS.includes(arg.slice(2).split("=")[0]!.replace(/^no-/, "")),
    );
    if (unknown) throw unknownFlag(unknown.split("=")[0]!);
    const { values, positionals } = parseArgs({
      args: withYesNoFlags(argv),
      allowPositionals: true,
      options: {
        ...Object.fromEntries(INPUT_NAMES.map((name) => [name, { type: "string" as const }])),
        inventory: { type: "string" },
        exceptions: { type: "string" },
        profile: { type: "string" },
        baseline: { type: "string" },
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
      throw new ConfigurationError(
        `Expected the command "scan", got "${positionals.join(" ")}". Run ${TOOL_NAME} --help.`,
      );
    }
    for (const [name, value] of Object.entries(values)) {
      if (typeof value === "string" && value.trim() === "") {
        const fallback = (INPUT_DEFAULTS as Record<string, string>)[name];
        throw new ConfigurationError(
          `Flag "--${name}" was given an empty value; give a ` +
            `value${fallback !== undefined ? ` or leave the flag out for the default (${fallback || "none"})` : ""}.`,
        );
      }
    }
    const raw: RawInputs = Object.fromEntries(
      INPUT_NAMES.map((name) => [name, (values as Record<string, unknown>)[name] as string | undefined]),
    );
    if (values.inventory) raw["inventory-file"] = values.inventory as string;
    if (values.exceptions) raw["exceptions-file"] = values.exceptions as string;
    const settings = parseSettings(raw);
    const format = (values.format as string | undefined) ?? "text";
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new ConfigurationError(`Flag "--format" got "${format}"; it accepts text, json, sarif.`);
    }
    // Read before any AWS call: a wrong path is an input error, not a failed scan.
    const baseline = values.baseline ? await loadBaselineReport(values.baseline as string) : undefined;
    // The SDK's default credential chain honours AWS_PROFILE: no credentials code of ours,
    // but a profile that does not exist is named, before any AWS call.
    if (values.profile) process.env.AWS_PROFILE = values.profile as string;
    if (process.env.AWS_PROFILE && !settings.inventoryFile) {
      await checkProfileExists(process.env.AWS_PROFILE, values.profile ? 'Flag "--profile"' : "AWS_PROFILE");
    }

    const progress = progressDisplay(err);
    let result: Awaited<ReturnType<typeof runAudit>>;
    try {
      result = await runAudit(settings, {
        onAccountDone: progress.onAccountDone,
        credentialsAdvice: CLI_CREDENTIALS_ADVICE,
      });
    } finally {
      // The last account can finish before the listing is known complete: stop the bar here, always.
      progress.stop();
    }
    // Where the SDK would have warned (a scan that called AWS), one line of ours instead,
    // after the scan: a failure is told alone.
    const note = settings.inventoryFile ? undefined : nodeSupportNote();
    if (note) err.write(`${TOOL_NAME}: ${note}\n`);
    const changes = baseline ? compareWithBaseline(result.evaluation, baseline, result.excepted) : undefined;
    const history = cliHistorySources(result, changes, baseline, settings.remediationDays);
    const context: OutputContext = {
      settings,
      ...(changes ? { changes } : {}),
      history,
      carried: [],
      warn: (title, message) => err.write(`${TOOL_NAME}: ${title}: ${message}\n`),
      failures: [],
      record: {},
    };
    await writeOutputs([sarifFile, jsonReportFile, standardOutput(format, out, err)], result, context);
    // Every output was tried; the first failure is the run's (each is told, the last as the error).
    for (const failure of context.failures.slice(0, -1)) err.write(`${TOOL_NAME}: ${failureText(failure.error)}\n`);
    if (context.failures.length > 0) throw context.failures.at(-1)!.error;
    const failing = failingFindings(
      result.evaluation.findings,
      settings.failOn,
      settings.failOnScope,
      changes,
      history.ages,
    );
    if (failing.scopeUnknown)
      err.write(
        settings.failOnScope === "overdue"
          ? `${TOOL_NAME}: --fail-on-scope overdue: ${failing.scopeUnknown} (give --baseline, a JSON report of an earlier run); those findings count.\n`
          : `${TOOL_NAME}: --fail-on-scope new needs --baseline (a JSON report of an earlier run): every finding at or above --fail-on counts.\n`,
      );
    const stopped = stoppedEarlyNote(result.summary);
    if (stopped) {
      err.write(`${TOOL_NAME}: ${stopped}\n`);
      return EXIT.unreachable;
    }
    return failing.findings.length > 0 ? EXIT.findings : EXIT.ok;
  } catch (error) {
    if (
      isConfigurationError(error) ||
      (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))
    ) {
      err.write(`${TOOL_NAME}: ${inCliTerms((error as Error).message)}\n`);
      return EXIT.configuration;
    }
    if (isAwsUnreachable(error)) {
      err.write(`${TOOL_NAME}: ${error.message}\n`);
      return EXIT.unreachable;
    }
    err.write(`${TOOL_NAME} failed unexpectedly: ${describeError(error)}\n`);
    return EXIT.internal;
  }
}

/**
 * The CLI's history: first sightings carried by the --baseline report (firstSeen), its trend
 * points, and nothing else (no GitHub). Without a baseline every age is unknown.
 */
function cliHistorySources(
  result: AuditResult,
  changes: Changes | undefined,
  baseline: BaselineReport | undefined,
  remediationDays: RemediationDays | undefined,
): HistorySources {
  return {
    ages: changes
      ? ageFindings({
          findings: result.evaluation.findings,
          now: result.inventory.generatedAt,
          changes,
          changesSource: "baseline report",
          ...(remediationDays ? { remediationDays } : {}),
          ...(result.exceptions ? { exceptionExpired: expiredFindings(result.exceptions) } : {}),
        })
      : new Map(),
    ...(baseline?.trend ? { priorTrend: baseline.trend } : {}),
    missing: baseline
      ? []
      : [
          "No --baseline was given: first sightings, ages and the trend start with this run (give the last run's JSON report).",
        ],
  };
}

function failureText(error: unknown): string {
  return isConfigurationError(error) || isAwsUnreachable(error)
    ? inCliTerms((error as Error).message)
    : `failed unexpectedly: ${describeError(error)}`;
}

/** A progress bar on a terminal (cli-progress), plain lines every few seconds otherwise. */
function progressDisplay(err: NodeJS.WritableStream & { isTTY?: boolean }): {
  onAccountDone: ScanOptions["onAccountDone"];
  stop: () => void;
} {
  const tracker = new ProgressTracker();
  if (!err.isTTY) return { onAccountDone: periodicLines(tracker, (line) => err.write(`${line}\n`)), stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: err,
      format:
        "Scanning {bar} {value}/{total} accounts | findings {findings} | not assessed {notAssessed} | ETA {estimate}",
      hideCursor: true,
      clearOnComplete: true,
    },
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
      bar.start(progress.total, 0, { findings: 0, notAssessed: 0, estimate: tracker.etaText() });
      running = true;
    }
    bar.setTotal(progress.total);
    bar.update(progress.done, {
      findings: tracker.findings,
      notAssessed: tracker.notAssessed,
      estimate: tracker.etaText(),
    });
    if (progress.listingComplete && progress.done === progress.total) stop();
  };
  return { onAccountDone, stop };
}
