import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { addDays, daysBetween } from "./calendar.js";
import { findingKey } from "./changes.js";
import { ConfigurationError } from "./configuration-error.js";
import type { AccountVerdict, Evaluation, Finding, FindingException } from "./findings.js";
import { LEVEL_RANK, RULE_IDS, type RuleId } from "./rules/catalog.js";
import { ACCOUNT_ID, OU_OR_ROOT_ID } from "./settings.js";

/**
 * Accepted exceptions: findings a reviewed entry of the exceptions file accepts until a
 * date. Kept in the repository, so adding one is a pull request and the review is the
 * approval. Parsing and applying are pure; the file is read once, before any AWS call.
 *
 * ```yaml
 * exceptions:
 *   - accounts: ["444455556666"]
 *     organizational-units: ["ou-ab12-cdefgh34"]
 *     rules: ["cloudtrail/global-events-not-recorded"]   # optional: every rule
 *     reason: "Sandbox, closed in January"
 *     approved-by: "secops-lead"
 *     expires: "2027-01-31"
 * ```
 */
export interface ExceptionEntry {
  /** Its position in the file, from 1. */
  index: number;
  accounts: string[];
  organizationalUnits: string[];
  /** Undefined: every rule of this tool. */
  rules?: RuleId[];
  reason: string;
  approvedBy?: string;
  /** The last day it applies (YYYY-MM-DD, UTC). */
  expires: string;
}

export interface ExceptionsFile {
  path: string;
  entries: ExceptionEntry[];
}

/** The longest an entry may run: a year from the day it is read. */
export const MAX_EXCEPTION_DAYS = 366;
/** An entry this close to its expiry is warned about in every run. */
export const EXPIRY_WARNING_DAYS = 14;

const FIELDS = ["accounts", "organizational-units", "rules", "reason", "approved-by", "expires"] as const;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * How a person finds an entry in the file: its position, reason and scope.
 * `entry 2 ("Sandbox, closed in January"; accounts 444455556666)`.
 */
export function entryName(
  entry: Pick<ExceptionEntry, "index" | "reason" | "accounts" | "organizationalUnits">,
): string {
  const scope = [
    entry.accounts.length > 0 ? `accounts ${entry.accounts.join(", ")}` : "",
    entry.organizationalUnits.length > 0 ? `OUs ${entry.organizationalUnits.join(", ")}` : "",
  ].filter(Boolean);
  return `entry ${entry.index} (${[entry.reason ? JSON.stringify(entry.reason) : "", ...scope].filter(Boolean).join("; ")})`;
}

export async function loadExceptions(path: string, today: string, input = "exceptions-file"): Promise<ExceptionsFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ConfigurationError(
      `Input "${input}" names "${path}", which cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"}); ` +
        "it accepts a YAML or JSON file of accepted exceptions (README, Accepted exceptions).",
    );
  }
  return parseExceptions(text, path, today);
}

/** The file's entries, each checked; the first mistake is one error naming the file, the entry and the field. */
export function parseExceptions(text: string, path: string, today: string): ExceptionsFile {
  const refuse = (what: string) => new ConfigurationError(`Exceptions file ${path}: ${what}.`);
  let parsed: unknown;
  try {
    // Every scalar a string (YAML's failsafe schema): account ids keep their leading zeros.
    parsed = parseYaml(text, { schema: "failsafe" });
  } catch (error) {
    throw refuse(`not valid YAML or JSON (${(error as Error).message.split("\n")[0]})`);
  }
  const list = (parsed as { exceptions?: unknown } | null)?.exceptions;
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed) || !Array.isArray(list)) {
    throw refuse('expected a top-level "exceptions:" list of entries');
  }
  const latest = addDays(today, MAX_EXCEPTION_DAYS);
  const entries = list.map((raw, position): ExceptionEntry => {
    const index = position + 1;
    if (!raw || typeof raw !== "object" || Array.isArray(raw))
      throw refuse(`entry ${index} is not a mapping of fields`);
    const fields = raw as Record<string, unknown>;
    const reason = typeof fields.reason === "string" ? fields.reason.trim() : "";
    const strings = (field: string): string[] => {
      const value = fields[field];
      if (value === undefined) return [];
      const items = Array.isArray(value) ? value : [value];
      if (!items.every((item) => typeof item === "string")) {
        throw refuse(
          `${entryName({ index, reason, accounts: [], organizationalUnits: [] })}, field "${field}": expected a list of strings`,
        );
      }
      return (items as string[]).map((item) => item.trim());
    };
    const accounts = strings("accounts");
    const organizationalUnits = strings("organizational-units");
    const name = entryName({ index, reason, accounts, organizationalUnits });
    const field = (key: string, what: string) => refuse(`${name}, field "${key}": ${what}`);
    const unknown = Object.keys(fields).find((key) => !(FIELDS as readonly string[]).includes(key));
    if (unknown) throw field(unknown, `not a field of an entry (they are ${FIELDS.join(", ")})`);
    const badAccount = accounts.find((id) => !ACCOUNT_ID.test(id));
    if (badAccount !== undefined)
      throw field("accounts", `"${badAccount}" is not a 12-digit account id (quote ids in YAML)`);
    const badUnit = organizationalUnits.find((id) => !OU_OR_ROOT_ID.test(id));
    if (badUnit !== undefined)
      throw field("organizational-units", `"${badUnit}" is not an OU id (ou-...) or a root id (r-...)`);
    if (accounts.length === 0 && organizationalUnits.length === 0) {
      throw refuse(`${name}: give "accounts", "organizational-units" or both`);
    }
    const rules = fields.rules === undefined ? undefined : strings("rules");
    const badRule = rules?.find((rule) => !(RULE_IDS as readonly string[]).includes(rule));
    if (badRule !== undefined) throw field("rules", `"${badRule}" is not a rule of this tool (${RULE_IDS.join(", ")})`);
    if (rules?.length === 0) throw field("rules", "an empty list; leave it out for every rule");
    if (!reason) throw field("reason", "required: why the finding is accepted");
    const approvedBy = fields["approved-by"];
    if (approvedBy !== undefined && (typeof approvedBy !== "string" || !approvedBy.trim())) {
      throw field("approved-by", "expected who approved it, as text");
    }
    const expires = typeof fields.expires === "string" ? fields.expires.trim() : "";
    if (!expires) throw field("expires", "required: the last day the exception applies (YYYY-MM-DD)");
    if (!DATE.test(expires) || Number.isNaN(Date.parse(`${expires}T00:00:00Z`)) || addDays(expires, 0) !== expires) {
      throw field("expires", `"${expires}" is not a date (YYYY-MM-DD)`);
    }
    if (expires > latest) {
      throw field("expires", `${expires} is more than a year ahead (${latest} at the latest): review it within a year`);
    }
    return {
      index,
      accounts: [...new Set(accounts)],
      organizationalUnits: [...new Set(organizationalUnits)],
      ...(rules ? { rules: [...new Set(rules)] as RuleId[] } : {}),
      reason,
      ...(typeof approvedBy === "string" ? { approvedBy: approvedBy.trim() } : {}),
      expires,
    };
  });
  refuseOverlaps(entries, refuse);
  return { path, entries };
}

/**
 * One finding, one entry: two entries naming the same account or the same OU for a rule
 * both hold would contradict each other (one accepts while the other expires). Refused here,
 * naming both. An account named by one entry inside an OU named by another is known only
 * once the scan lists the OU: applyExceptions' rule covers that case.
 */
function refuseOverlaps(entries: ExceptionEntry[], refuse: (what: string) => ConfigurationError): void {
  for (const [position, first] of entries.entries()) {
    for (const second of entries.slice(position + 1)) {
      const rules = !first.rules
        ? second.rules
        : !second.rules
          ? first.rules
          : first.rules.filter((rule) => second.rules!.includes(rule));
      if (rules?.length === 0) continue;
      const account = first.accounts.find((id) => second.accounts.includes(id));
      const unit = first.organizationalUnits.find((id) => second.organizationalUnits.includes(id));
      if (account === undefined && unit === undefined) continue;
      throw refuse(
        `${entryName(first)} and ${entryName(second)} both accept ${rules ? rules.join(", ") : "every rule"} for ` +
          `${account !== undefined ? `account ${account}` : `OU ${unit}`}; a finding has one entry: merge them, or ` +
          "narrow one's accounts, OUs or rules",
      );
    }
  }
}

/** The OUs the entries name: the scan lists the accounts beneath each (nested OUs included). */
export function unitsNamed(file: ExceptionsFile | undefined): string[] {
  return [...new Set(file?.entries.flatMap((entry) => entry.organizationalUnits) ?? [])].sort();
}

export interface ExceptionsOutcome {
  path: string;
  /** Entries in force today, each with the findings it accepts. */
  active: { entry: ExceptionEntry; findings: Finding[]; expiresInDays: number }[];
  /** Entries past their expiry: what they covered, unless an entry in force accepts it, counts again. */
  expired: { entry: ExceptionEntry; findings: Finding[]; acceptedBy: ExceptionEntry[] }[];
  /** Entries in force that cover no finding of this run: fixed, or a typo; maybe stale. */
  stale: ExceptionEntry[];
  /** Entries in force whose every finding an earlier entry accepts (an account of one inside an OU of the other). */
  overlapped: { entry: ExceptionEntry; acceptedBy: ExceptionEntry[] }[];
  /** OUs named whose accounts are not known (a saved scan made without this file, or an OU the organization does not hold). */
  unresolvedUnits: string[];
}

export interface ExceptedEvaluation {
  /** What counts: every finding that no entry in force accepts. Accounts whose every finding at warning or above is accepted are marked excepted. */
  evaluation: Evaluation;
  /** The findings accepted, each with its entry: still reported (SARIF, JSON), never counted. */
  excepted: Finding[];
  outcome: ExceptionsOutcome;
}

/**
 * Applies the entries in force on `today` (an entry applies through its expiry date).
 * `unitAccounts`: the accounts beneath each OU the file names, as the scan listed them.
 * Entries that name the same account or OU for a rule are refused when the file is read; where
 * an account of one entry lies inside an OU of another, the first entry in the file that is in
 * force accepts the finding, and every message says so (README, Accepted exceptions): an
 * expired entry's finding counts again only if no entry in force accepts it, and an entry whose
 * findings an earlier one took is reported as overlapped, not as stale.
 */
export function applyExceptions(
  evaluation: Evaluation,
  file: ExceptionsFile,
  unitAccounts: Record<string, string[]> | undefined,
  today: string,
): ExceptedEvaluation {
  const unresolvedUnits = unitsNamed(file).filter((unit) => !unitAccounts?.[unit]);
  const covers = (entry: ExceptionEntry, finding: Finding) =>
    (entry.accounts.includes(finding.accountId) ||
      entry.organizationalUnits.some((unit) => unitAccounts?.[unit]?.includes(finding.accountId))) &&
    (!entry.rules || entry.rules.includes(finding.ruleId));
  const inForce = file.entries.filter((entry) => entry.expires >= today);
  const outcome: ExceptionsOutcome = {
    path: file.path,
    active: inForce.map((entry) => ({ entry, findings: [], expiresInDays: daysBetween(today, entry.expires) })),
    expired: [],
    stale: [],
    overlapped: [],
    unresolvedUnits,
  };
  const counted: Finding[] = [];
  const excepted: Finding[] = [];
  for (const finding of evaluation.findings) {
    const match = outcome.active.find(({ entry }) => covers(entry, finding));
    if (!match) {
      counted.push(finding);
      continue;
    }
    const marked = { ...finding, exception: describeException(match.entry) };
    match.findings.push(marked);
    excepted.push(marked);
  }
  const acceptedByKey = new Map(excepted.map((finding) => [findingKey(finding), finding.exception!.entry]));
  const acceptors = (entry: ExceptionEntry): { findings: Finding[]; acceptedBy: ExceptionEntry[] } => {
    const covered = evaluation.findings.filter((finding) => covers(entry, finding));
    const takenBy = new Set(covered.map((finding) => acceptedByKey.get(findingKey(finding))));
    return {
      findings: covered.filter((finding) => !acceptedByKey.has(findingKey(finding))),
      acceptedBy: file.entries.filter((other) => other !== entry && takenBy.has(other.index)),
    };
  };
  outcome.expired = file.entries
    .filter((entry) => entry.expires < today)
    .map((entry) => ({ entry, ...acceptors(entry) }));
  for (const { entry, findings } of outcome.active) {
    if (findings.length > 0) continue;
    const { acceptedBy } = acceptors(entry);
    if (acceptedBy.length > 0) outcome.overlapped.push({ entry, acceptedBy });
    else outcome.stale.push(entry);
  }
  const warningOrAbove = new Set(
    counted.filter((finding) => LEVEL_RANK[finding.level] >= LEVEL_RANK.warning).map((finding) => finding.accountId),
  );
  const exceptedAccounts = new Set(excepted.map((finding) => finding.accountId));
  const verdicts = evaluation.verdicts.map(
    (verdict): AccountVerdict =>
      verdict.verdict === "noncompliant" &&
      exceptedAccounts.has(verdict.accountId) &&
      !warningOrAbove.has(verdict.accountId)
        ? { ...verdict, excepted: true }
        : verdict,
  );
  return { evaluation: { verdicts, findings: counted }, excepted, outcome };
}

/** Findings whose exception expired, by finding key, with the expiry: their remediation clock stopped while it held. */
export function expiredFindings(outcome: ExceptionsOutcome): Map<string, string> {
  const expired = new Map<string, string>();
  for (const { entry, findings } of outcome.expired)
    for (const finding of findings) expired.set(findingKey(finding), entry.expires);
  return expired;
}

export function describeException(entry: ExceptionEntry): FindingException {
  return {
    entry: entry.index,
    name: entryName(entry),
    reason: entry.reason,
    ...(entry.approvedBy ? { approvedBy: entry.approvedBy } : {}),
    expires: entry.expires,
  };
}

/** "Sandbox, closed in January (approved by secops-lead; expires 2027-01-31)". */
export function exceptionTerms(exception: Pick<FindingException, "reason" | "approvedBy" | "expires">): string {
  return `${exception.reason} (${exception.approvedBy ? `approved by ${exception.approvedBy}; ` : ""}expires ${exception.expires})`;
}

/**
 * What a reader of the run must hear about the file, one line each: entries expiring within
 * 14 days, entries expired (their findings count again), entries that accept nothing (stale?)
 * and OUs whose accounts are unknown. Each entry named so it can be found in the file.
 */
export function exceptionWarnings(outcome: ExceptionsOutcome): { title: string; message: string }[] {
  const warnings: { title: string; message: string }[] = [];
  for (const { entry, expiresInDays, findings } of outcome.active) {
    if (expiresInDays > EXPIRY_WARNING_DAYS || findings.length === 0) continue;
    warnings.push({
      title: "Exception expiring",
      message:
        `${outcome.path}, ${entryName(entry)} expires on ${entry.expires} ` +
        `(${expiresInDays === 0 ? "today" : `in ${expiresInDays} day${expiresInDays === 1 ? "" : "s"}`}): ` +
        `its ${findings.length} finding${findings.length === 1 ? "" : "s"} will count again. ` +
        `Fix ${findings.length === 1 ? "it" : "them"}, or renew the entry by review.`,
    });
  }
  const entries = (list: ExceptionEntry[]) => list.map((entry) => `entry ${entry.index}`).join(" and ");
  for (const { entry, findings, acceptedBy } of outcome.expired) {
    const alsoAccepted =
      acceptedBy.length > 0 ? `; the rest of what it covered is accepted by ${entries(acceptedBy)}` : "";
    warnings.push({
      title: "Exception expired",
      message:
        `${outcome.path}, ${entryName(entry)} expired on ${entry.expires}: ` +
        (findings.length > 0
          ? `its ${findings.length} finding${findings.length === 1 ? "" : "s"} count again (alerts and issues ` +
            `reopened)${alsoAccepted}. Fix ${findings.length === 1 ? "it" : "them"}, or renew the entry by review.`
          : acceptedBy.length > 0
            ? `what it covered is accepted by ${entries(acceptedBy)}, in force; remove it.`
            : "it matches no finding any more; remove it."),
    });
  }
  for (const { entry, acceptedBy } of outcome.overlapped) {
    warnings.push({
      title: "Exceptions overlap",
      message:
        `${outcome.path}, ${entryName(entry)} accepts nothing this run: every finding it covers is accepted by ` +
        `${entries(acceptedBy)}, which ${acceptedBy.length === 1 ? "comes" : "come"} first in the file (an account of one ` +
        "inside an OU of the other). Remove one, or narrow them so that each finding has one entry.",
    });
  }
  for (const entry of outcome.stale) {
    warnings.push({
      title: "Exception matches nothing",
      message:
        `${outcome.path}, ${entryName(entry)} accepts no finding of this run: it may be stale (fixed, or an ` +
        "account or OU that left the scan). Remove it, or check its accounts, OUs and rules.",
    });
  }
  if (outcome.unresolvedUnits.length > 0) {
    warnings.push({
      title: "Exception OUs unknown",
      message:
        `${outcome.path} names ${outcome.unresolvedUnits.join(", ")}, whose accounts this run does not know ` +
        "(an OU the organization does not hold, or a saved scan made without the exceptions file): entries " +
        "naming them cover only their listed accounts.",
    });
  }
  return warnings;
}
