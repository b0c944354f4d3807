import { describeFailure } from "../error-description.js";
import type { AccountRecord, Failure, Inventory } from "../inventory.js";
import type { AccountVerdict, Evaluation, Finding } from "../findings.js";
import { LEVEL_RANK, RULES } from "./catalog.js";
import { notAssessedFinding } from "./account-not-assessed.js";
import { duplicated } from "./global-events-duplicated.js";
import { ineffectiveFlag } from "./global-events-flag-ineffective.js";
import { notDelivered } from "./global-events-not-delivered.js";
import { notRecorded, notRecordedCause } from "./global-events-not-recorded.js";
import { readsNotRecorded } from "./global-events-reads-not-recorded.js";
import { singleRegionOnly } from "./global-events-single-region.js";
import {
  applicableStores,
  applicableTrails,
  describeRecorder,
  fixCandidate,
  judgeStore,
  judgeTrail,
  overlappingTrails,
  ownTrails,
} from "./recorders.js";
import { hasIneffectiveGlobalFlag } from "../trail-facts.js";
import { unitPath } from "../organizational-units.js";

/** Judges every account of an inventory. Pure: no I/O, same inventory in, same result out. */
export function evaluateInventory(inventory: Inventory): Evaluation {
  const verdicts: AccountVerdict[] = [];
  const findings: Finding[] = [];
  for (const account of inventory.accounts) {
    const result = evaluateAccount(inventory, account);
    // Where the account sits, for triage by OU: never part of a finding's identity (an account that moves keeps its alerts).
    const organizationalUnit = unitPath(inventory.organizationalUnits, account.parentId);
    if (organizationalUnit === undefined) {
      verdicts.push(result.verdict);
      findings.push(...result.findings);
      continue;
    }
    verdicts.push({ ...result.verdict, organizationalUnit });
    for (const finding of result.findings) findings.push({ ...finding, organizationalUnit });
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

function evaluateAccount(
  inventory: Inventory,
  account: AccountRecord,
): { verdict: AccountVerdict; findings: Finding[] } {
  const failedRegions = account.regions.filter((read) => read.outcome === "failed").map((read) => read.region);
  const base = { accountId: account.id, accountName: account.name, state: account.state, failedRegions };

  if (account.outcome === "skipped") {
    return {
      verdict: { ...base, verdict: "skipped", coveredBy: [], reason: `state ${account.state}` },
      findings: [],
    };
  }
  if (account.outcome === "failed") {
    const failure: Failure = account.failure ?? { kind: "unknown", message: "the account could not be read" };
    return notAssessed(base, account, accountFailureText(account, failure), failure);
  }

  const recorders = [
    ...applicableTrails(inventory, account).map((trail) => judgeTrail(trail, account, inventory)),
    ...applicableStores(inventory, account).map((store) => judgeStore(store, account, inventory)),
  ];
  const writers = recorders.filter((recorder) => recorder.recorded?.writes);
  const readers = recorders.filter((recorder) => recorder.recorded?.reads);
  const failing = recorders.filter(
    (recorder) =>
      recorder.delivery &&
      recorder.receivesGlobal &&
      recorder.logging === true &&
      (recorder.management?.reads || recorder.management?.writes),
  );
  const findings: Finding[] = [];
  const covered = writers.length > 0;

  // An uncovered account gets one finding, for its real cause; a flag that has no effect is
  // part of that finding's message and fix, not a second alert. Only where something else
  // records the events is the misleading flag worth a note of its own.
  if (covered) {
    for (const trail of ownTrails(account)) {
      if (hasIneffectiveGlobalFlag(trail, inventory.partition))
        findings.push(ineffectiveFlag(account, trail, inventory, writers));
    }
  }

  if (!covered) {
    const undecided = recorders.filter(
      (recorder) => recorder.recorded === undefined && (recorder.management?.writes ?? true),
    );
    const globalRead = account.regions.find((read) => read.region === inventory.globalEventsRegion);
    const reasons: string[] = [];
    for (const recorder of undecided) reasons.push(`${describeRecorder(recorder)}: ${recorder.problem}`);
    if (globalRead?.outcome !== "read") {
      reasons.push(
        `${inventory.globalEventsRegion}, where global service events are recorded, could not be read ` +
          `(${globalRead?.failure ? describeFailure(globalRead.failure) : "not read"}), so a trail there may have been missed`,
      );
    }
    if (inventory.organizationTrailsFailure) {
      reasons.push(
        `the organization trails could not be read from their owner (${describeFailure(inventory.organizationTrailsFailure)})`,
      );
    }
    // A trail that would record the writes but whose deliveries fail stores nothing: an error, not a gap in our reading.
    for (const recorder of failing) findings.push(notDelivered(account, recorder, "error"));
    if (reasons.length > 0) {
      // Something that could cover the account was not seen: never call that compliant or broken.
      return notAssessed(
        base,
        account,
        `no trail was seen recording global service events, and ${reasons.join("; ")}`,
        globalRead?.failure ??
          inventory.organizationTrailsFailure ??
          undecided.map((recorder) => recorder.trail?.statusFailure ?? recorder.trail?.selectorsFailure).find(Boolean),
        findings,
      );
    }
    if (!failing.some((recorder) => recorder.management?.writes)) {
      const candidate = fixCandidate(recorders);
      findings.push(
        notRecorded(
          account,
          recorders,
          readers,
          inventory,
          candidate,
          notRecordedCause(recorders, candidate, inventory),
        ),
      );
    }
    return { verdict: { ...base, verdict: "noncompliant", coveredBy: [] }, findings };
  }

  if (readers.length === 0) findings.push(readsNotRecorded(account, writers));
  for (const recorder of failing) findings.push(notDelivered(account, recorder, "warning"));
  const overlapping = overlappingTrails(writers, readers);
  if (overlapping.length > 1) findings.push(duplicated(account, overlapping));
  if (!writers.some((recorder) => recorder.multiRegion)) findings.push(singleRegionOnly(account, writers));

  const verdict = findings.some((finding) => LEVEL_RANK[finding.level] >= LEVEL_RANK.warning)
    ? "noncompliant"
    : "compliant";
  return { verdict: { ...base, verdict, coveredBy: writers.map((recorder) => recorder.arn) }, findings };
}

function notAssessed(
  base: Omit<AccountVerdict, "verdict" | "coveredBy">,
  account: AccountRecord,
  reason: string,
  failure: Failure | undefined,
  findings: Finding[] = [],
): { verdict: AccountVerdict; findings: Finding[] } {
  findings.push(notAssessedFinding(account, reason, base.failedRegions, failure));
  return {
    verdict: { ...base, verdict: "not-assessed", coveredBy: [], reason, ...(failure ? { failure } : {}) },
    findings,
  };
}

/** An account that could not be read, in words; with every Region failed, each Region's failure. */
function accountFailureText(account: AccountRecord, failure: Failure): string {
  if (failure.kind !== "no-region-read") return describeFailure(failure);
  const regions = account.regions.map(
    (read) => `${read.region}: ${read.failure ? describeFailure(read.failure) : read.outcome}`,
  );
  return `${describeFailure(failure)} (${regions.join("; ")})`;
}
