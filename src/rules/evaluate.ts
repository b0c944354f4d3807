import { NOT_IN_ORGANIZATION, type AccountRecord, type Inventory, type TrailRecord } from "../inventory.js";
import type { AccountVerdict, Evaluation, Finding, InvolvedTrail } from "../findings.js";
import { remediation, SELECTORS_REPLACE_NOTE } from "../remediation.js";
import { LEVEL_RANK, RULES, type RuleId } from "./catalog.js";
import {
  describeTrail,
  hasIneffectiveGlobalFlag,
  managementRecording,
  receivesGlobalEvents,
  type ManagementRecording,
} from "./trail-facts.js";

/** Judges every account of an inventory. Pure: no I/O, same inventory in, same result out. */
export function evaluateInventory(inventory: Inventory): Evaluation {
  const verdicts: AccountVerdict[] = [];
  const findings: Finding[] = [];
  for (const account of inventory.accounts) {
    const result = evaluateAccount(inventory, account);
    verdicts.push(result.verdict);
    findings.push(...result.findings);
  }
  findings.sort(compareFindings);
  return { verdicts, findings };
}

/** Most severe first, then by account and rule, so reports and truncation are stable. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    LEVEL_RANK[b.level] - LEVEL_RANK[a.level] ||
    RULES[b.ruleId].securitySeverity - RULES[a.ruleId].securitySeverity ||
    a.accountId.localeCompare(b.accountId) ||
    a.ruleId.localeCompare(b.ruleId) ||
    (a.trailArn ?? "").localeCompare(b.trailArn ?? "")
  );
}

interface TrailJudgement {
  trail: TrailRecord;
  receivesGlobal: boolean;
  logging: boolean | undefined;
  management: ManagementRecording | undefined;
  /** true: records the account's global events; false: does not; undefined: could not be read. */
  covers: boolean | undefined;
  /** Why it does not cover, or what could not be read. */
  problem?: string;
  /** Owned by another account (an organization trail seen from a member): fixable only there. */
  foreign: boolean;
}

function evaluateAccount(inventory: Inventory, account: AccountRecord): { verdict: AccountVerdict; findings: Finding[] } {
  const failedRegions = account.regions.filter((read) => read.outcome === "failed").map((read) => read.region);
  const base = { accountId: account.id, accountName: account.name, state: account.state, failedRegions };

  if (account.outcome === "skipped") {
    return { verdict: { ...base, verdict: "skipped", coveredBy: [], reason: account.reason ?? `state ${account.state}` }, findings: [] };
  }
  if (account.outcome === "failed") {
    return notAssessed(base, account, account.reason ?? "the account could not be read");
  }

  const judgements = applicableTrails(inventory, account).map((trail) => judgeTrail(trail, account, inventory));
  const covering = judgements.filter((judgement) => judgement.covers === true);
  const findings: Finding[] = [];

  for (const trail of ownTrails(account)) {
    if (hasIneffectiveGlobalFlag(trail, inventory.globalEventsRegion)) findings.push(ineffectiveFlag(account, trail, inventory));
  }

  if (covering.length === 0) {
    const undecided = judgements.filter((judgement) => judgement.covers === undefined);
    const globalRead = account.regions.find((read) => read.region === inventory.globalEventsRegion);
    const reasons: string[] = [];
    for (const judgement of undecided) reasons.push(`${describeTrail(judgement.trail)}: ${judgement.problem}`);
    if (globalRead?.outcome !== "read") {
      reasons.push(
        `${inventory.globalEventsRegion}, where global service events are recorded, could not be read (${globalRead?.error ?? "not read"}), so a trail there may have been missed`,
      );
    }
    if (inventory.organizationTrailsError) {
      reasons.push(`the organization trails could not be read from their owner (${inventory.organizationTrailsError})`);
    }
    if (reasons.length > 0) {
      // Something that could cover the account was not seen: never call that compliant or broken.
      return notAssessed(base, account, `no trail was seen recording global service events, and ${reasons.join("; ")}`, findings);
    }
    findings.push(notRecorded(account, judgements, inventory));
    return { verdict: { ...base, verdict: "noncompliant", coveredBy: [] }, findings };
  }

  if (!covering.some((judgement) => judgement.management?.reads)) findings.push(readsNotRecorded(account, covering));

  const recording = judgements.filter(
    (judgement) =>
      judgement.receivesGlobal && judgement.logging === true && (judgement.management?.reads || judgement.management?.writes),
  );
  if (recording.length > 1) findings.push(duplicated(account, recording));

  const verdict = findings.some((finding) => LEVEL_RANK[finding.level] >= LEVEL_RANK.warning) ? "noncompliant" : "compliant";
  return { verdict: { ...base, verdict, coveredBy: covering.map((judgement) => judgement.trail.arn) }, findings };
}

function ownTrails(account: AccountRecord): TrailRecord[] {
  return account.trails.filter((trail) => trail.ownerAccountId === account.id);
}

/**
 * The account's own trails plus every organization trail of its organization, judged by
 * the record read from the trail's owner. A member's shadow of an organization trail is
 * used only when the owner's record is missing (then its status is unknown).
 */
function applicableTrails(inventory: Inventory, account: AccountRecord): TrailRecord[] {
  const byArn = new Map<string, TrailRecord>();
  for (const trail of ownTrails(account)) byArn.set(trail.arn, trail);
  if (account.state !== NOT_IN_ORGANIZATION) {
    for (const trail of account.trails) {
      if (trail.isOrganizationTrail && !byArn.has(trail.arn)) byArn.set(trail.arn, trail);
    }
    for (const trail of inventory.organizationTrails) byArn.set(trail.arn, trail);
  }
  return [...byArn.values()].sort((a, b) => a.arn.localeCompare(b.arn));
}

function judgeTrail(trail: TrailRecord, account: AccountRecord, inventory: Inventory): TrailJudgement {
  const receivesGlobal = receivesGlobalEvents(trail, inventory.globalEventsRegion);
  const logging = trail.status?.isLogging;
  const management = managementRecording(trail.selectors);
  const foreign = trail.ownerAccountId !== account.id;
  const judgement = { trail, receivesGlobal, logging, management, foreign };

  // Every reason a trail falls short is listed: the fix has to address all of them.
  const problems: string[] = [];
  if (!receivesGlobal) {
    problems.push(
      trail.homeRegion === inventory.globalEventsRegion
        ? "single-Region with IncludeGlobalServiceEvents off"
        : `single-Region outside ${inventory.globalEventsRegion}: receives no global service events`,
    );
  }
  if (logging === false) problems.push("stopped (not logging)");
  if (management && !management.writes) {
    problems.push(management.reads ? "records management reads only, not writes" : "records no management events");
  }
  if (problems.length > 0) return { ...judgement, covers: false, problem: problems.join("; ") };

  const unknown: string[] = [];
  if (logging === undefined) {
    const why = trail.statusError ?? (foreign ? "it is read from the account that owns it, which was not read" : "not read");
    unknown.push(`status could not be read (${why})`);
  }
  if (!management) unknown.push(`event selectors could not be read (${trail.selectorsError ?? "not read"})`);
  if (unknown.length > 0) return { ...judgement, covers: undefined, problem: unknown.join("; ") };
  return { ...judgement, covers: true };
}

function label(account: AccountRecord): string {
  return account.name && account.name !== account.id ? `${account.name} (${account.id})` : account.id;
}

function finding(ruleId: RuleId, account: AccountRecord, details: Omit<Finding, "ruleId" | "level" | "accountId" | "accountName">): Finding {
  return { ruleId, level: RULES[ruleId].defaultLevel, accountId: account.id, accountName: account.name, ...details };
}

function involved(judgement: TrailJudgement, problem = judgement.problem ?? "records global service events"): InvolvedTrail {
  return { arn: judgement.trail.arn, name: judgement.trail.name, homeRegion: judgement.trail.homeRegion, problem };
}

function notAssessed(
  base: Omit<AccountVerdict, "verdict" | "coveredBy">,
  account: AccountRecord,
  reason: string,
  findings: Finding[] = [],
): { verdict: AccountVerdict; findings: Finding[] } {
  const failed = base.failedRegions.length > 0 ? ` Regions that failed: ${base.failedRegions.join(", ")}.` : "";
  findings.push(
    finding("cloudtrail/account-not-assessed", account, {
      trails: [],
      message: `Account ${label(account)} was not assessed: ${reason}.${failed} Whether it records global service events is unknown.`,
      fix: notAssessedFix(reason, account.access),
    }),
  );
  return { verdict: { ...base, verdict: "not-assessed", coveredBy: [], reason }, findings };
}

function notAssessedFix(reason: string, access: string | undefined): string[] {
  const roleName = access?.split(":role/")[1]?.split("/").pop();
  if (roleName && /AccessDenied|not authorized|could not assume/i.test(reason)) {
    return [
      "# In the account, check that the audit role exists and that its trust policy allows the scanning role:",
      `aws iam get-role --role-name ${roleName} --query Role.AssumeRolePolicyDocument`,
    ];
  }
  return ["# Re-run the scan; if it fails again, the reason above names the call and Region to check."];
}

function notRecorded(account: AccountRecord, judgements: TrailJudgement[], inventory: Inventory): Finding {
  const trails = judgements.map((judgement) => involved(judgement));
  const fixable = judgements.filter((judgement) => !judgement.foreign);
  const fix: string[] = [];
  // Fix the trail that is closest to covering, rather than creating yet another one.
  const candidate = fixable.find((judgement) => judgement.receivesGlobal) ?? fixable[0];
  if (candidate) {
    const trail = candidate.trail;
    if (!candidate.receivesGlobal) {
      fix.push(`# Make ${describeTrail(trail)} multi-Region; that turns global service events on with it:`, remediation.makeMultiRegion(trail));
    }
    if (candidate.management && !candidate.management.writes) fix.push(SELECTORS_REPLACE_NOTE, remediation.recordAllManagementEvents(trail));
    if (candidate.logging !== true) fix.push(remediation.startLogging(trail));
  } else {
    fix.push(...remediation.createTrail(inventory.globalEventsRegion));
  }
  const seen = trails.length > 0 ? ` Trails checked: ${trails.map((trail) => `"${trail.name}" (${trail.homeRegion}): ${trail.problem}`).join("; ")}.` : " The account has no trail.";
  const foreign = judgements.filter((judgement) => judgement.foreign);
  const orgNote = foreign.length > 0 ? " The organization trail must be fixed from the management account." : "";
  return finding("cloudtrail/global-events-not-recorded", account, {
    trails,
    message: `Account ${label(account)}: no trail records global service events (IAM, STS, CloudFront).${seen}${orgNote}`,
    fix,
  });
}

function ineffectiveFlag(account: AccountRecord, trail: TrailRecord, inventory: Inventory): Finding {
  const problem = `single-Region in ${trail.homeRegion} with IncludeGlobalServiceEvents on: receives no global service events since Nov 2021 (only ${inventory.globalEventsRegion} does)`;
  return finding("cloudtrail/global-events-flag-ineffective", account, {
    region: trail.homeRegion,
    trailArn: trail.arn,
    trails: [{ arn: trail.arn, name: trail.name, homeRegion: trail.homeRegion, problem }],
    message: `Account ${label(account)}: trail "${trail.name}" is ${problem}.`,
    fix: [
      "# Either make it multi-Region (it then records global service events):",
      remediation.makeMultiRegion(trail),
      "# or, if another trail already records them, turn the misleading flag off:",
      remediation.excludeGlobalEvents(trail),
    ],
  });
}

function readsNotRecorded(account: AccountRecord, covering: TrailJudgement[]): Finding {
  const judgement = covering[0]!;
  const trails = covering.map((item) => involved(item, "records management writes only"));
  return finding("cloudtrail/global-events-reads-not-recorded", account, {
    region: judgement.trail.homeRegion,
    trailArn: judgement.trail.arn,
    trails,
    message: `Account ${label(account)}: ${covering.map((item) => describeTrail(item.trail)).join(", ")} records global service events but management writes only; reads of IAM and STS are not recorded.`,
    fix: judgement.foreign
      ? ["# The organization trail must be changed from the management account:", SELECTORS_REPLACE_NOTE, remediation.recordAllManagementEvents(judgement.trail)]
      : [SELECTORS_REPLACE_NOTE, remediation.recordAllManagementEvents(judgement.trail)],
  });
}

function duplicated(account: AccountRecord, recording: TrailJudgement[]): Finding {
  const organizationTrail = recording.find((judgement) => judgement.trail.isOrganizationTrail);
  const keep = organizationTrail ?? recording[0]!;
  const redundant = recording.filter((judgement) => judgement !== keep && !judgement.foreign);
  const fix: string[] = [`# Keep ${describeTrail(keep.trail)}; stop the others recording global service events:`];
  for (const judgement of redundant) {
    if (judgement.trail.isMultiRegionTrail) {
      fix.push(`# ${describeTrail(judgement.trail)} is multi-Region and cannot turn global events off; delete it if the kept trail records what it records:`, remediation.deleteTrail(judgement.trail));
    } else {
      fix.push(remediation.excludeGlobalEvents(judgement.trail));
    }
  }
  return {
    ...finding("cloudtrail/global-events-duplicated", account, {
      trails: recording.map((judgement) => involved(judgement, judgement === keep ? "records global service events (keep)" : "records global service events again")),
      message: `Account ${label(account)}: ${recording.length} trails record the same global service events, so each is stored ${recording.length} times: ${recording.map((judgement) => describeTrail(judgement.trail)).join(", ")}.`,
      fix,
    }),
    // An organization trail is expected to overlap members' own trails: worth knowing, not a warning.
    level: organizationTrail ? "note" : "warning",
  };
}
