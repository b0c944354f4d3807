import { ConfigurationError } from "./configuration-error.js";
import { closestName } from "./closest-name.js";
import { isKnownRegion, knownRegions, partitionOf } from "./partitions.js";
import type { RemediationDays } from "./remediation-history.js";
import type { Shard } from "./shard.js";

export const SEVERITY_THRESHOLDS = ["none", "note", "warning", "error"] as const;
export type FailOn = (typeof SEVERITY_THRESHOLDS)[number];
export const FAIL_ON_SCOPES = ["all", "new", "overdue"] as const;
export type FailOnScope = (typeof FAIL_ON_SCOPES)[number];

/** Everything a scan needs, validated. Both entry points build it from raw strings. */
export interface Settings {
  roleName: string;
  externalId?: string;
  roleSessionName: string;
  roleDurationSeconds: number;
  accounts: string[];
  excludeAccounts: string[];
  organizationalUnits: string[];
  /** "enabled": every Region each account has enabled; otherwise exactly these. */
  regions: "enabled" | string[];
  concurrency: number;
  sarifFile: string;
  reportFile?: string;
  inventoryFile?: string;
  failOn: FailOn;
  /** "new": only findings new since the last run fail it (for adopting with a backlog). */
  failOnScope: FailOnScope;
  /** This job's slice of the accounts, when the scan is split across a job matrix. */
  shard?: Shard;
  /** A selection of no account is an error (a typo looks like success) unless this is set. */
  allowEmpty: boolean;
  /** Accepted exceptions (exceptions.ts), read before any AWS call. */
  exceptionsFile?: string;
  /** remediation-days: how long a finding of each level may stay open before it is overdue. */
  remediationDays?: RemediationDays;
}

/** Raw values by input name, as action.yml spells them; "" and undefined mean "not given". */
export type RawInputs = Partial<Record<InputName, string>>;

export const INPUT_DEFAULTS = {
  "role-name": "OrganizationAccountAccessRole",
  "external-id": "",
  "role-session-name": "org-trail-audit",
  "role-duration-seconds": "900",
  accounts: "",
  "exclude-accounts": "",
  "organizational-units": "",
  regions: "enabled",
  concurrency: "32",
  "sarif-file": "org-trail-audit.sarif",
  "report-file": "",
  "inventory-file": "",
  "fail-on": "error",
  "fail-on-scope": "all",
  shard: "",
  "allow-empty": "false",
  "exceptions-file": "",
  "remediation-days": "",
} as const;

export type InputName = keyof typeof INPUT_DEFAULTS;
export const INPUT_NAMES = Object.keys(INPUT_DEFAULTS) as InputName[];

export const ACCOUNT_ID = /^\d{12}$/;
// Organizations' id patterns (API reference, OrganizationalUnit.Id and Root.Id).
export const OU_OR_ROOT_ID = /^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$/;
// IAM: a role name is 1-64 of [\w+=,.@-]; a path before it is allowed ("audit/Role").
const ROLE_NAME = /^(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const ROLE_SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
export const MAX_CONCURRENCY = 256;

export function parseSettings(raw: RawInputs): Settings {
  const value = (name: InputName): string => {
    const given = raw[name]?.trim();
    return given ? given : INPUT_DEFAULTS[name];
  };

  // IAM writes a role's path with a leading slash (/audit/): "/audit/Role" names "audit/Role".
  const roleName = value("role-name").replace(/^\/+/, "");
  if (!ROLE_NAME.test(roleName)) {
    fail(
      "role-name",
      roleName,
      "an IAM role name: 1-64 letters, digits or + = , . @ _ - (optionally after a path such as audit/)",
    );
  }
  const roleSessionName = value("role-session-name");
  if (!ROLE_SESSION_NAME.test(roleSessionName)) {
    fail("role-session-name", roleSessionName, "2-64 letters, digits or + = , . @ _ -");
  }
  const externalId = value("external-id") || undefined;
  if (externalId !== undefined && !EXTERNAL_ID.test(externalId)) {
    fail("external-id", "(hidden)", "2-1224 letters, digits or + = , . @ : / _ -");
  }
  const roleDurationSeconds = parseInteger(
    "role-duration-seconds",
    value("role-duration-seconds"),
    900,
    3600,
    "a whole number of seconds from 900 to 3600 (a chained role session lasts at most 1 hour)",
  );
  const concurrency = parseInteger(
    "concurrency",
    value("concurrency"),
    1,
    MAX_CONCURRENCY,
    `a whole number of accounts to scan at once, from 1 to ${MAX_CONCURRENCY}`,
  );

  const accounts = parseList(value("accounts"));
  const excludeAccounts = parseList(value("exclude-accounts"));
  for (const [name, ids] of [
    ["accounts", accounts],
    ["exclude-accounts", excludeAccounts],
  ] as const) {
    const bad = ids.find((id) => !ACCOUNT_ID.test(id));
    if (bad !== undefined) fail(name, bad, "12-digit AWS account ids, separated by commas or new lines");
  }
  const organizationalUnits = parseList(value("organizational-units"));
  const badUnit = organizationalUnits.find((id) => !OU_OR_ROOT_ID.test(id));
  if (badUnit !== undefined) {
    fail(
      "organizational-units",
      badUnit,
      "organizational unit ids (ou-xxxx-xxxxxxxx) or root ids (r-xxxx), separated by commas or new lines",
    );
  }

  const regions = parseRegions(value("regions"));
  const failOn = value("fail-on");
  if (!(SEVERITY_THRESHOLDS as readonly string[]).includes(failOn)) {
    fail("fail-on", failOn, SEVERITY_THRESHOLDS.join(", "));
  }

  const failOnScope = value("fail-on-scope");
  if (!(FAIL_ON_SCOPES as readonly string[]).includes(failOnScope)) {
    fail(
      "fail-on-scope",
      failOnScope,
      "all (every finding at or above fail-on), new (only findings new since the last run) or overdue (only " +
        "findings past remediation-days)",
    );
  }
  const remediationDays = parseRemediationDays(value("remediation-days"));
  if (failOnScope === "overdue" && !remediationDays)
    throw new ConfigurationError(
      'Input "fail-on-scope" is "overdue", which needs remediation-days (for example error=30,warning=90): ' +
        "without a deadline nothing is overdue.",
    );

  const shard = parseShard(value("shard"));
  const inventoryFile = value("inventory-file");
  // A saved scan is selected from (inventory-merge.ts: accounts, exclusions, OUs from its OU
  // tree, shard) or, where it cannot be, the input is refused: never ignored.
  if (inventoryFile && regions !== "enabled")
    throw new ConfigurationError(
      'Input "regions" cannot narrow a saved scan (inventory-file): its verdicts rest on every Region it read. ' +
        'Scan again with regions, or leave it at "enabled".',
    );
  return {
    roleName,
    ...(externalId !== undefined ? { externalId } : {}),
    roleSessionName,
    roleDurationSeconds,
    accounts: unique(accounts),
    excludeAccounts: unique(excludeAccounts),
    organizationalUnits: unique(organizationalUnits),
    regions,
    concurrency,
    sarifFile: value("sarif-file"),
    ...(value("report-file") ? { reportFile: value("report-file") } : {}),
    ...(value("inventory-file") ? { inventoryFile: value("inventory-file") } : {}),
    failOn: failOn as FailOn,
    failOnScope: failOnScope as FailOnScope,
    ...(remediationDays ? { remediationDays } : {}),
    ...(shard ? { shard } : {}),
    allowEmpty: parseBoolean("allow-empty", value("allow-empty")),
    ...(value("exceptions-file") ? { exceptionsFile: value("exceptions-file") } : {}),
  };
}

export function parseBoolean(name: string, text: string): boolean {
  if (/^(true|yes|1)$/i.test(text)) return true;
  if (/^(false|no|0)$/i.test(text)) return false;
  throw inputError(name, text, "true or false");
}

/** Inputs that choose which accounts are scanned: named when a selection comes out empty. */
export const SELECTION_INPUTS = ["accounts", "exclude-accounts", "organizational-units"] as const;

/**
 * A selection (or a loaded inventory) that holds no account is refused unless allow-empty:
 * a typo must not look like a clean audit. A shard's slice is not a selection: in a small
 * organization one can be empty while the others are not.
 */
export function emptySelectionError(settings: Settings): ConfigurationError {
  const given = [
    settings.accounts.length > 0 ? `accounts: ${settings.accounts.join(", ")}` : "",
    settings.excludeAccounts.length > 0 ? `exclude-accounts: ${settings.excludeAccounts.length} ids` : "",
    settings.organizationalUnits.length > 0 ? `organizational-units: ${settings.organizationalUnits.join(", ")}` : "",
  ].filter(Boolean);
  const source = settings.inventoryFile ? `The inventory ${settings.inventoryFile} holds` : "The selection holds";
  return new ConfigurationError(
    `${source} no account${given.length > 0 ? ` (${given.join("; ")})` : ""}: check the inputs ` +
      `${SELECTION_INPUTS.map((name) => `"${name}"`).join(", ")}, or set "allow-empty: true" if an empty ` +
      "selection is expected.",
  );
}

function parseShard(text: string): Shard | undefined {
  if (!text) return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || count > 1000 || index < 1 || index > count) {
    fail("shard", text, 'k/n with 1 <= k <= n <= 1000, such as "2/4" (this job scans the second of four slices)');
  }
  return { index, count };
}

const LEVELS = ["error", "warning", "note"] as const;
const REMEDIATION_DAYS_ACCEPTS =
  "level=days pairs such as error=30,warning=90 (levels error, warning, note; days from 1 to 3650), or one " +
  "number of days for every level";

/** "error=30,warning=90": days per level; one number: every level; empty: no deadline. */
function parseRemediationDays(text: string): RemediationDays | undefined {
  if (!text) return undefined;
  const days = (given: string) => {
    const number = /^\d+$/.test(given) ? Number(given) : Number.NaN;
    if (!(number >= 1 && number <= 3650)) fail("remediation-days", text, REMEDIATION_DAYS_ACCEPTS);
    return number;
  };
  if (/^\s*\d+\s*$/.test(text)) {
    const every = days(text.trim());
    return { error: every, warning: every, note: every };
  }
  const parsed: RemediationDays = {};
  for (const pair of parseList(text)) {
    const [level = "", given = "", extra] = pair.split("=").map((part) => part.trim());
    if (extra !== undefined || !(LEVELS as readonly string[]).includes(level) || level in parsed)
      fail("remediation-days", text, REMEDIATION_DAYS_ACCEPTS);
    parsed[level as (typeof LEVELS)[number]] = days(given);
  }
  return parsed;
}

function parseRegions(text: string): "enabled" | string[] {
  if (text === "enabled") return "enabled";
  const regions = unique(parseList(text));
  if (regions.length === 0) fail("regions", text, '"enabled" or a list of Region codes such as us-east-1, eu-west-1');
  const unknown = regions.find((region) => !isKnownRegion(region));
  if (unknown !== undefined) {
    const meant = closestName(unknown, knownRegions());
    throw new ConfigurationError(
      `${inputError("regions", unknown, '"enabled" or known AWS Region codes such as us-east-1, eu-west-1, separated by commas or new lines').message}` +
        (meant ? ` Did you mean "${meant}"?` : ""),
    );
  }
  const partitions = new Set(regions.map(partitionOf));
  if (partitions.size > 1) {
    fail(
      "regions",
      regions.join(","),
      "Regions of one partition (a trail covers only its own partition: aws, aws-us-gov or aws-cn)",
    );
  }
  return regions;
}

function parseInteger(name: InputName, text: string, min: number, max: number, accepts: string): number {
  if (!/^\d+$/.test(text)) fail(name, text, accepts);
  const number = Number(text);
  if (number < min || number > max) fail(name, text, accepts);
  return number;
}

export function parseList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

function fail(input: InputName, given: string, accepts: string): never {
  throw inputError(input, given, accepts);
}

/** The one shape of every bad-input message: which input, what it got, what it accepts. */
export function inputError(input: string, given: string, accepts: string): ConfigurationError {
  return new ConfigurationError(`Input "${input}" got "${given}"; it accepts ${accepts}.`);
}
