import { readFile, stat } from "node:fs/promises";
import { isMap, isScalar, isSeq, parseDocument } from "yaml";
import { ConfigurationError } from "../configuration-error.js";
import { inputError, parseBoolean, parseList } from "../settings.js";
import { GITHUB_LOGIN, isTeam } from "./github-names.js";
import { ISSUE_GROUPINGS, type IssueGrouping } from "./issue-plan.js";

/** The action-only inputs that shape remediation issues; the CLI has no GitHub side. */
export const ISSUE_INPUT_DEFAULTS = {
  "create-issues": "false",
  "issue-labels": "cloudtrail,security",
  "owner-tag": "github-owner",
  "owners-file": "",
  "default-assignees": "",
  "max-issue-operations": "50",
  "issue-grouping": "account",
  "dry-run": "false",
  "github-token": "",
} as const;

export const MAX_ISSUE_OPERATIONS = 500;

export type IssueInputName = keyof typeof ISSUE_INPUT_DEFAULTS;
export const ISSUE_INPUT_NAMES = Object.keys(ISSUE_INPUT_DEFAULTS) as IssueInputName[];

export interface IssueSettings {
  createIssues: boolean;
  labels: string[];
  ownerTag: string;
  ownersFile?: string;
  /** Account id, OU id or root id → logins, from owners-file. */
  ownersByKey: Map<string, string[]>;
  defaultAssignees: string[];
  maxIssueOperations: number;
  /** One issue per account, or one per owner listing all of theirs. */
  grouping: IssueGrouping;
  dryRun: boolean;
  token: string;
}

// GitHub logins: 1-39 letters, digits or single inner hyphens.
const OWNERS_KEY = /^(\d{12}|ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$/;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;

export async function parseIssueSettings(raw: Partial<Record<IssueInputName, string>>): Promise<IssueSettings> {
  const value = (name: IssueInputName): string => raw[name]?.trim() || ISSUE_INPUT_DEFAULTS[name];
  const createIssues = parseBoolean("create-issues", value("create-issues"));
  const dryRun = parseBoolean("dry-run", value("dry-run"));

  const labels = parseList(value("issue-labels"));
  if (labels.length === 0 || labels.some((label) => label.length > 50)) {
    throw inputError(
      "issue-labels",
      value("issue-labels"),
      "one or more label names of at most 50 characters, separated by commas",
    );
  }
  const ownerTag = value("owner-tag");
  if (!TAG_KEY.test(ownerTag))
    throw inputError("owner-tag", ownerTag, "an AWS tag key (1-128 letters, digits, spaces and _ . : / = + - @)");
  const defaultAssignees = parseList(value("default-assignees"));
  const badLogin = defaultAssignees.find((login) => !GITHUB_LOGIN.test(login.replace(/^@/, "")));
  if (badLogin !== undefined) throw inputError("default-assignees", badLogin, "GitHub logins separated by commas");

  const max = value("max-issue-operations");
  // GitHub allows 500 content-creating requests an hour ("Rate limits for the REST API",
  // secondary rate limits): more in one run would only be refused.
  if (!/^\d+$/.test(max) || Number(max) < 1 || Number(max) > MAX_ISSUE_OPERATIONS) {
    throw inputError(
      "max-issue-operations",
      max,
      `a whole number of issue writes per run, from 1 to ${MAX_ISSUE_OPERATIONS}`,
    );
  }
  const grouping = value("issue-grouping");
  if (!(ISSUE_GROUPINGS as readonly string[]).includes(grouping)) {
    throw inputError(
      "issue-grouping",
      grouping,
      "account (one issue per account) or owner (one issue per owner, listing all of their accounts)",
    );
  }
  const token = value("github-token");
  if (createIssues && !token) {
    throw inputError(
      "github-token",
      "",
      "a token that can write issues; the default is ${{ github.token }} with `permissions: issues: write`",
    );
  }
  const ownersFile = value("owners-file") || undefined;
  return {
    createIssues,
    labels,
    ownerTag,
    ...(ownersFile ? { ownersFile } : {}),
    ownersByKey: ownersFile ? await loadOwnersFile(ownersFile) : new Map(),
    defaultAssignees: defaultAssignees.map((login) => login.replace(/^@/, "")),
    maxIssueOperations: Number(max),
    grouping: grouping as IssueGrouping,
    dryRun,
    token,
  };
}

/** The largest owners-file read: 8 MiB, some 300,000 account lines. */
export const OWNERS_FILE_MAX_BYTES = 8 * 1_048_576;

/**
 * owners-file: YAML or JSON (YAML reads both) mapping account ids, OU ids or root ids to
 * GitHub logins, as a list or a comma-separated string.
 */
export async function loadOwnersFile(path: string): Promise<Map<string, string[]>> {
  let text: string;
  try {
    // Refused before it is read: parsing a file of millions of keys would hold the run for minutes.
    const { size } = await stat(path);
    if (size > OWNERS_FILE_MAX_BYTES)
      throw new ConfigurationError(
        `Input "owners-file" names "${path}", which is ${(size / 1_048_576).toFixed(1)} MiB; it accepts files of ` +
          `at most ${OWNERS_FILE_MAX_BYTES / 1_048_576} MiB (some 300,000 accounts): map OUs rather than each account.`,
      );
    text = await readFile(path, "utf8");
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    throw new ConfigurationError(
      `Input "owners-file" names "${path}", which cannot be read ` +
        `(${(error as NodeJS.ErrnoException).code ?? "error"}); it accepts a YAML or JSON file in the ` +
        "repository.",
    );
  }
  // Every scalar a string (YAML's failsafe schema): account ids must keep their leading
  // zeros, and a short number must stay short, not be padded into some other account's id.
  // The parser's own duplicate-key check compares every key with every other (80,000 keys
  // took 46 s); duplicates are found here with a set instead, and named.
  const document = parseDocument(text, { schema: "failsafe", uniqueKeys: false });
  if (document.errors.length > 0) {
    throw new ConfigurationError(
      `Input "owners-file" names "${path}", which is not valid YAML or JSON (${document.errors[0]!.message.split("\n")[0]}).`,
    );
  }
  if (!isMap(document.contents)) {
    throw new ConfigurationError(
      `Input "owners-file" names "${path}", which must map account ids or OU ids to GitHub logins.`,
    );
  }
  const owners = new Map<string, string[]>();
  for (const pair of document.contents.items) {
    const rawKey = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const rawValue = isSeq(pair.value)
      ? pair.value.items.map((item) => (isScalar(item) ? String(item.value) : String(item)))
      : isScalar(pair.value)
        ? String(pair.value.value ?? "")
        : "";
    const key = String(rawKey);
    if (owners.has(key))
      throw new ConfigurationError(`Input "owners-file" (${path}) gives the key "${key}" twice; give each key once.`);
    if (!OWNERS_KEY.test(key)) {
      throw new ConfigurationError(
        `Input "owners-file" (${path}) has the key "${rawKey}"; keys must be 12-digit account ids, OU ids (ou-...) or root ids (r-...).`,
      );
    }
    const logins = (Array.isArray(rawValue) ? rawValue.map(String) : parseList(String(rawValue ?? ""))).map((login) =>
      login.trim().replace(/^@/, ""),
    );
    const bad = logins.find((login) => !GITHUB_LOGIN.test(login) && !isTeam(login));
    if (bad !== undefined || logins.length === 0) {
      throw new ConfigurationError(
        `Input "owners-file" (${path}) gives "${bad ?? ""}" for ${key}; values must be GitHub logins or teams ` +
          "(org/team), as a list or separated by commas.",
      );
    }
    owners.set(key, logins);
  }
  return owners;
}
