import { findingKey } from "../changes.js";
import { createHash } from "node:crypto";
import { exceptionTerms } from "../exceptions.js";
import { gzipSync } from "node:zlib";
import type { Inventory } from "../inventory.js";
import type { Finding } from "../findings.js";
import { LEVEL_RANK, RULE_IDS, RULES, type Level, type RuleId } from "../rules/catalog.js";
import { shardLabel, type Shard } from "../shard.js";
import { TOOL_NAME, TOOL_URI, TOOL_VERSION } from "../version.js";

/**
 * GitHub code scanning stores at most this many results per run ("SARIF support for code
 * scanning": "Only the top 5,000 results will be included"; a file may hold 25,000, but
 * the rest are dropped, and their alerts close as if fixed)...
 */
export const MAX_SARIF_RESULTS = 5_000;
/**
 * ...and takes at most 10 MB per upload, measured here on what upload-sarif sends: the
 * gzip of the file, base64-encoded (github/codeql-action, upload-lib.ts).
 */
export const MAX_SARIF_GZIP_BYTES = 10 * 1024 * 1024;

/**
 * Code scanning keeps each category's alerts apart and stores 5,000 results per run, so
 * the results are spread over one run per last digit of the account id: ten runs of up
 * to 5,000 (50,000 results in all, within GitHub's 20 runs per file). The category
 * depends on the account id alone, so an account's alerts stay where they are however
 * the organization grows or however many shards scan it. One file may hold runs of
 * different categories: upload-sarif refuses a file only when two runs share the tool and
 * automationDetails.id (github/codeql-action, src/sarif/index.ts, areAllRunsUnique, called
 * from upload-lib.ts for a single file too).
 */
export const ACCOUNT_DIGITS = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"] as const;

/** The code-scanning category of an account's results. */
export function sarifCategory(accountId: string, shard?: Shard): string {
  return categoryOfDigit(accountId.slice(-1), shard);
}

/** Every category this SARIF writes a run for, empty or not, so that fixed alerts close. */
export function sarifCategories(shard?: Shard): string[] {
  return ACCOUNT_DIGITS.map((digit) => categoryOfDigit(digit, shard));
}

function categoryOfDigit(digit: string, shard: Shard | undefined): string {
  // A shard's own upload holds only its accounts: its categories must not be another shard's.
  const base = shard ? `${TOOL_NAME}/${shardLabel(shard)}` : TOOL_NAME;
  return `${base}/accounts-ending-${digit}`;
}

export interface SarifOptions {
  maxResults?: number;
  maxGzipBytes?: number;
  /** Open alerts of accounts not assessed this run, kept open unchanged (carried-alerts.ts). */
  carried?: CarriedResult[];
  /** Each finding's first sighting (by finding key), a result property: never part of its identity. */
  firstSeen?: Map<string, string>;
}

/** An open alert written again as it was, because its account could not be assessed. */
export interface CarriedResult {
  alertNumber: number;
  ruleId: RuleId;
  level: Level;
  accountId: string;
  fingerprint: string;
  /** The text to show: the alert's last message, headed by when and why it was carried. */
  message: string;
  trailArn?: string;
  /** The alert's location, kept as it was. */
  path: string;
}

export interface SarifReport {
  log: SarifLog;
  /** Results left out to stay within GitHub's limits (the least severe of a run go first). */
  omittedResults: number;
  /** Open alerts carried over into this SARIF. */
  carriedResults: number;
}

// Only the parts of SARIF 2.1.0 we write; the test validates them against the schema.
export interface SarifLog {
  $schema: string;
  version: "2.1.0";
  runs: SarifRun[];
}
interface SarifRun {
  tool: { driver: Record<string, unknown> };
  automationDetails: { id: string };
  results: Record<string, unknown>[];
  properties: Record<string, unknown>;
}

/**
 * The stable, relative location of a result: the account, and the trail or event data store
 * it is about, spelt out from its ARN (`…/cloudtrail/PARTITION/REGION/OWNER/trail/NAME`).
 * Everything that makes a result unique is in the location, the one field of an alert that
 * the code-scanning alerts API documents and returns whole (rule id, location path and
 * lines); a later run rebuilds an alert's identity from it, never from message text.
 */
export function findingLocationUri(accountId: string, trailArn?: string): string {
  const base = `aws/accounts/${accountId}/cloudtrail`;
  const arn = trailArn ? /^arn:([^:]+):cloudtrail:([^:]+):(\d{12}):(.+)$/.exec(trailArn) : null;
  return arn ? `${base}/${arn[1]}/${arn[2]}/${arn[3]}/${arn[4]}` : base;
}

/**
 * The account and trail an alert's location stands for, if it is one of ours. Locations
 * written before the trail was part of them (`aws/accounts/ID/cloudtrail`) give the account.
 */
export function parseLocation(path: string): { accountId: string; trailArn?: string } | undefined {
  const match =
    /^aws\/accounts\/(\d{12})\/cloudtrail(?:\/([a-z-]+)\/([a-z0-9-]+)\/(\d{12})\/((?:trail|eventdatastore)\/[\w.-]+))?$/.exec(
      path,
    );
  if (!match) return undefined;
  return {
    accountId: match[1]!,
    ...(match[5] ? { trailArn: `arn:${match[2]}:cloudtrail:${match[3]}:${match[4]}:${match[5]}` } : {}),
  };
}

/**
 * Identifies an alert across runs: the same account, rule and trail give the same value,
 * so GitHub updates or closes the alert instead of opening a new one.
 */
export function findingFingerprint(finding: Pick<Finding, "ruleId" | "accountId" | "trailArn">): string {
  const key = [finding.ruleId, finding.accountId, finding.trailArn ?? ""].join("|");
  return `${createHash("sha256").update(key).digest("hex").slice(0, 32)}:1`;
}

/** The line of a result's message that names its trail, for people (identity is in the location). */
export const TRAIL_LINE_PREFIX = "Trail ARN: ";

export function buildSarif(inventory: Inventory, findings: Finding[], options: SarifOptions = {}): SarifReport {
  const maxResults = options.maxResults ?? MAX_SARIF_RESULTS;
  const maxGzipBytes = options.maxGzipBytes ?? MAX_SARIF_GZIP_BYTES;
  const ruleIndex = new Map(RULE_IDS.map((id, index) => [id, index]));
  type Entry = { level: Level; result: Record<string, unknown>; carried: boolean };
  const byCategory = new Map<string, Entry[]>(sarifCategories(inventory.shard).map((category) => [category, []]));
  const place = (accountId: string, entry: Entry) => {
    const category = sarifCategory(accountId, inventory.shard);
    const list = byCategory.get(category);
    if (list) list.push(entry);
    else byCategory.set(category, [entry]);
  };
  for (const finding of findings)
    place(finding.accountId, {
      level: finding.level,
      result: sarifResult(
        inventory,
        finding,
        ruleIndex.get(finding.ruleId)!,
        options.firstSeen?.get(findingKey(finding)),
      ),
      carried: false,
    });
  for (const carried of options.carried ?? [])
    place(carried.accountId, {
      level: carried.level,
      result: carriedResult(carried, ruleIndex.get(carried.ruleId)!),
      carried: true,
    });
  const groups = [...byCategory.entries()].map(([category, entries]) => ({
    category,
    // Most severe first within each run (a stable sort keeps the evaluation's order), so a cut drops the least severe.
    entries: entries.sort((a, b) => LEVEL_RANK[b.level] - LEVEL_RANK[a.level]),
  }));

  let kept = groups.map((group) => Math.min(group.entries.length, maxResults));
  const total = groups.reduce((sum, group) => sum + group.entries.length, 0);
  for (;;) {
    const log = sarifLog(
      inventory,
      groups.map((group, index) => ({
        category: group.category,
        results: group.entries.slice(0, kept[index]).map((entry) => entry.result),
        total: group.entries.length,
      })),
      total,
    );
    const size = uploadedSize(log);
    const keptCount = kept.reduce((sum, count) => sum + count, 0);
    if (size <= maxGzipBytes || keptCount === 0) {
      const carriedResults = groups.reduce(
        (sum, group, index) => sum + group.entries.slice(0, kept[index]).filter((entry) => entry.carried).length,
        0,
      );
      return { log, omittedResults: total - keptCount, carriedResults };
    }
    // Shrink every run in proportion to the overshoot, with a margin, rather than one result at a time.
    kept = kept.map((count) => Math.max(0, Math.floor(count * (maxGzipBytes / size) * 0.95)));
  }
}

/** The bytes upload-sarif sends for this log: base64 of its gzip. */
export function uploadedSize(log: SarifLog): number {
  return Math.ceil(gzipSync(JSON.stringify(log)).length / 3) * 4;
}

function sarifLog(
  inventory: Inventory,
  runs: { category: string; results: Record<string, unknown>[]; total: number }[],
  totalResults: number,
): SarifLog {
  const rules = RULE_IDS.map((id) => {
    const rule = RULES[id];
    return {
      id,
      name: rule.name,
      shortDescription: { text: rule.shortDescription },
      fullDescription: { text: rule.fullDescription },
      help: { text: rule.help.replaceAll("`", ""), markdown: rule.help },
      helpUri: `${TOOL_URI}#rules`,
      defaultConfiguration: { level: rule.defaultLevel },
      properties: {
        "security-severity": rule.securitySeverity.toFixed(1),
        precision: "very-high",
        "problem.severity": rule.defaultLevel === "note" ? "recommendation" : rule.defaultLevel,
        tags: ["security", "aws", "cloudtrail"],
      },
    };
  });
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: runs.map(({ category, results, total }) => {
      const omitted = total - results.length;
      return {
        tool: {
          driver: {
            name: TOOL_NAME,
            version: TOOL_VERSION,
            semanticVersion: TOOL_VERSION,
            informationUri: TOOL_URI,
            // Every rule, always: a rule with no result this run closes its open alerts.
            rules,
          },
        },
        automationDetails: { id: `${category}/${inventory.generatedAt}` },
        results,
        properties: {
          partition: inventory.partition,
          organizationId: inventory.organization?.id ?? null,
          accountsInInventory: inventory.accounts.length,
          ...(inventory.shard ? { shard: `${inventory.shard.index}/${inventory.shard.count}` } : {}),
          resultsInFile: totalResults,
          resultsInRun: total,
          omittedResults: omitted,
          ...(omitted > 0
            ? {
                omittedReason:
                  "GitHub code scanning limits (5,000 results stored per run, 10 MB per upload): the least severe " +
                  "results of this run were left out; the JSON report has them all.",
              }
            : {}),
        },
      };
    }),
  };
}

function carriedResult(carried: CarriedResult, ruleIndex: number): Record<string, unknown> {
  return {
    ruleId: carried.ruleId,
    ruleIndex,
    level: carried.level,
    message: { text: carried.message },
    locations: [{ physicalLocation: { artifactLocation: { uri: carried.path }, region: { startLine: 1 } } }],
    partialFingerprints: { primaryLocationLineHash: carried.fingerprint },
    properties: {
      accountId: carried.accountId,
      carriedOver: { alertNumber: carried.alertNumber },
      ...(carried.trailArn ? { trailArn: carried.trailArn } : {}),
    },
  };
}

function sarifResult(
  inventory: Inventory,
  finding: Finding,
  ruleIndex: number,
  firstSeen: string | undefined,
): Record<string, unknown> {
  const logicalLocations: Record<string, string>[] = [
    {
      name: finding.accountId,
      fullyQualifiedName: inventory.organization
        ? `arn:${inventory.partition}:organizations::${inventory.organization.managementAccountId}:account/${inventory.organization.id}/${finding.accountId}`
        : finding.accountId,
      kind: "module",
    },
    ...finding.trails.map((trail) => ({ name: trail.name, fullyQualifiedName: trail.arn, kind: "resource" })),
  ];
  const fix = finding.fix.length > 0 ? `\nFix:\n${finding.fix.join("\n")}` : "";
  const trail = finding.trailArn ? `\n${TRAIL_LINE_PREFIX}${finding.trailArn}` : "";
  return {
    ruleId: finding.ruleId,
    ruleIndex,
    level: finding.level,
    message: { text: `${finding.message}${trail}${fix}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: findingLocationUri(finding.accountId, finding.trailArn) },
          region: { startLine: 1 },
        },
        logicalLocations,
      },
    ],
    partialFingerprints: { primaryLocationLineHash: findingFingerprint(finding) },
    // Accepted by the exceptions file. Code scanning does not act on suppressions (SARIF
    // support for code scanning lists no such property; advanced-security/dismiss-alerts
    // dismisses through the API for that reason): the action dismisses the alert itself.
    // The result stays in the upload, so the alert stays dismissed rather than closing as fixed.
    ...(finding.exception
      ? {
          suppressions: [
            {
              kind: "external",
              status: "accepted",
              justification: `${exceptionTerms(finding.exception)}; ${finding.exception.name}`,
            },
          ],
        }
      : {}),
    properties: {
      accountId: finding.accountId,
      accountName: finding.accountName,
      ...(finding.organizationalUnit ? { organizationalUnit: finding.organizationalUnit } : {}),
      ...(firstSeen ? { firstSeen } : {}),
      ...(finding.region ? { region: finding.region } : {}),
      ...(finding.trailArn ? { trailArn: finding.trailArn } : {}),
    },
  };
}
