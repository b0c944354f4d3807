import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import type { Inventory } from "../inventory.js";
import type { Finding } from "../findings.js";
import { RULE_IDS, RULES } from "../rules/catalog.js";
import { shardLabel } from "../shard.js";
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

export interface SarifOptions {
  maxResults?: number;
  maxGzipBytes?: number;
}

export interface SarifReport {
  log: SarifLog;
  /** Results left out to stay within GitHub's limits (the least severe go first). */
  omittedResults: number;
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

/** The stable, relative location that stands for an account in code scanning. */
export function accountLocationUri(accountId: string): string {
  return `aws/accounts/${accountId}/cloudtrail`;
}

/**
 * Identifies an alert across runs: the same account, rule and trail give the same value,
 * so GitHub updates or closes the alert instead of opening a new one.
 */
export function findingFingerprint(finding: Pick<Finding, "ruleId" | "accountId" | "trailArn">): string {
  const key = [finding.ruleId, finding.accountId, finding.trailArn ?? ""].join("|");
  return `${createHash("sha256").update(key).digest("hex").slice(0, 32)}:1`;
}

export function buildSarif(inventory: Inventory, findings: Finding[], options: SarifOptions = {}): SarifReport {
  const maxResults = options.maxResults ?? MAX_SARIF_RESULTS;
  const maxGzipBytes = options.maxGzipBytes ?? MAX_SARIF_GZIP_BYTES;
  // Findings arrive most severe first: cutting the tail drops the least severe.
  let kept = Math.min(findings.length, maxResults);
  for (;;) {
    // The code-scanning category: one per shard when a scan is split across jobs.
    const category = inventory.shard ? `${TOOL_NAME}/${shardLabel(inventory.shard)}` : TOOL_NAME;
    const log = sarifLog(inventory, findings.slice(0, kept), findings.length - kept, category);
    const size = uploadedSize(log);
    if (size <= maxGzipBytes || kept === 0) return { log, omittedResults: findings.length - kept };
    // Shrink in proportion to the overshoot, with a margin, rather than one result at a time.
    kept = Math.max(0, Math.floor(kept * (maxGzipBytes / size) * 0.95));
  }
}

/** The bytes upload-sarif sends for this log: base64 of its gzip. */
export function uploadedSize(log: SarifLog): number {
  return Math.ceil(gzipSync(JSON.stringify(log)).length / 3) * 4;
}

function sarifLog(inventory: Inventory, findings: Finding[], omitted: number, category: string): SarifLog {
  const ruleIndex = new Map(RULE_IDS.map((id, index) => [id, index]));
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            version: TOOL_VERSION,
            semanticVersion: TOOL_VERSION,
            informationUri: TOOL_URI,
            // Every rule, always: a rule with no result this run closes its open alerts.
            rules: RULE_IDS.map((id) => {
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
            }),
          },
        },
        automationDetails: { id: `${category}/${inventory.generatedAt}` },
        results: findings.map((finding) => sarifResult(inventory, finding, ruleIndex.get(finding.ruleId)!)),
        properties: {
          partition: inventory.partition,
          organizationId: inventory.organization?.id ?? null,
          accountsInInventory: inventory.accounts.length,
          ...(inventory.shard ? { shard: `${inventory.shard.index}/${inventory.shard.count}` } : {}),
          totalFindings: findings.length + omitted,
          omittedResults: omitted,
          ...(omitted > 0 ? { omittedReason: "GitHub code scanning limits (5,000 results stored per run, 10 MB per upload): the least severe results were left out; the JSON report has them all." } : {}),
        },
      },
    ],
  };
}

function sarifResult(inventory: Inventory, finding: Finding, ruleIndex: number): Record<string, unknown> {
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
  return {
    ruleId: finding.ruleId,
    ruleIndex,
    level: finding.level,
    message: { text: `${finding.message}${fix}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: accountLocationUri(finding.accountId) },
          region: { startLine: 1 },
        },
        logicalLocations,
      },
    ],
    partialFingerprints: { primaryLocationLineHash: findingFingerprint(finding) },
    properties: {
      accountId: finding.accountId,
      accountName: finding.accountName,
      ...(finding.region ? { region: finding.region } : {}),
      ...(finding.trailArn ? { trailArn: finding.trailArn } : {}),
    },
  };
}
