import { countOf } from "../plural.js";
import {
  NOT_IN_ORGANIZATION,
  type AccountRecord,
  type EventDataStoreRecord,
  type Inventory,
  type TrailRecord,
} from "../inventory.js";
import type { AccountVerdict, Cause, Evaluation, Finding, InvolvedTrail } from "../findings.js";
import { globalEventRegions } from "../partitions.js";
import { remediation, SELECTORS_REPLACE_NOTE, shellComment, storeRemediation } from "../remediation.js";
import { LEVEL_RANK, RULES, type Level, type RuleId } from "./catalog.js";
import {
  deliveryFailure,
  describeTrail,
  hasIneffectiveGlobalFlag,
  managementRecording,
  receivesGlobalEvents,
  singleRegionShortfall,
  trailScope,
  type DeliveryFailure,
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

/**
 * A trail or a CloudTrail Lake event data store, judged for one account: what of the
 * global service events it records. Coverage is the union of what the recorders record.
 */
interface Recorder {
  arn: string;
  name: string;
  homeRegion: string;
  trail?: TrailRecord;
  store?: EventDataStoreRecord;
  multiRegion: boolean;
  /** Owned by another account (an organization trail or store seen from a member): fixable only there. */
  foreign: boolean;
  receivesGlobal: boolean;
  logging: boolean | undefined;
  management: ManagementRecording | undefined;
  delivery?: DeliveryFailure;
  /** What it records of the global events; undefined when that could not be read. */
  recorded: ManagementRecording | undefined;
  /** Why it records less than everything, or what could not be read. */
  problem?: string;
}

const NOTHING: ManagementRecording = { reads: false, writes: false };

function evaluateAccount(
  inventory: Inventory,
  account: AccountRecord,
): { verdict: AccountVerdict; findings: Finding[] } {
  const failedRegions = account.regions.filter((read) => read.outcome === "failed").map((read) => read.region);
  const base = { accountId: account.id, accountName: account.name, state: account.state, failedRegions };

  if (account.outcome === "skipped") {
    return {
      verdict: { ...base, verdict: "skipped", coveredBy: [], reason: account.reason ?? `state ${account.state}` },
      findings: [],
    };
  }
  if (account.outcome === "failed") {
    return notAssessed(base, account, account.reason ?? "the account could not be read");
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
          `(${globalRead?.error ?? "not read"}), so a trail there may have been missed`,
      );
    }
    if (inventory.organizationTrailsError) {
      reasons.push(`the organization trails could not be read from their owner (${inventory.organizationTrailsError})`);
    }
    // A trail that would record the writes but whose deliveries fail stores nothing: an error, not a gap in our reading.
    for (const recorder of failing) findings.push(notDelivered(account, recorder, "error"));
    if (reasons.length > 0) {
      // Something that could cover the account was not seen: never call that compliant or broken.
      return notAssessed(
        base,
        account,
        `no trail was seen recording global service events, and ${reasons.join("; ")}`,
        findings,
      );
    }
    if (!failing.some((recorder) => recorder.management?.writes))
      findings.push(notRecorded(account, recorders, readers, inventory));
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

/** The account's own event data stores, and the organization's organization-wide ones. */
function applicableStores(inventory: Inventory, account: AccountRecord): EventDataStoreRecord[] {
  const byArn = new Map<string, EventDataStoreRecord>();
  for (const store of account.eventDataStores ?? [])
    if (store.ownerAccountId === account.id) byArn.set(store.arn, store);
  if (account.state !== NOT_IN_ORGANIZATION) {
    for (const store of inventory.organizationEventDataStores ?? [])
      if (store.organizationEnabled) byArn.set(store.arn, store);
  }
  return [...byArn.values()].sort((a, b) => a.arn.localeCompare(b.arn));
}

function judgeTrail(trail: TrailRecord, account: AccountRecord, inventory: Inventory): Recorder {
  const scope = trailScope(trail);
  const receivesGlobal = receivesGlobalEvents(scope, inventory.partition);
  const logging = trail.status?.isLogging;
  const management = managementRecording(trail.selectors);
  const foreign = trail.ownerAccountId !== account.id;
  const delivery = logging ? deliveryFailure(trail.status, inventory.generatedAt) : undefined;
  const recorder = {
    arn: trail.arn,
    name: trail.name,
    homeRegion: trail.homeRegion,
    trail,
    multiRegion: trail.isMultiRegionTrail,
    foreign,
    receivesGlobal,
    logging,
    management,
    ...(delivery ? { delivery } : {}),
  };

  // Every reason a trail falls short is listed: the fix has to address all of them.
  const problems: string[] = [];
  const shortfall = singleRegionShortfall(scope, inventory.partition);
  if (hasIneffectiveGlobalFlag(trail, inventory.partition))
    problems.push(`${shortfall} (its IncludeGlobalServiceEvents flag is on, but has no effect there)`);
  else if (shortfall) problems.push(shortfall);
  if (logging === false) problems.push("stopped (not logging)");
  if (management && !management.writes) {
    problems.push(management.reads ? "records management reads only, not writes" : "records no management events");
  }
  if (delivery) problems.push(`its log files are not delivered (${delivery.error})`);
  if (!receivesGlobal || logging === false || (management && !management.reads && !management.writes)) {
    return { ...recorder, recorded: NOTHING, problem: problems.join("; ") };
  }

  const unknown: string[] = [];
  if (logging === undefined) {
    const why =
      trail.statusError ?? (foreign ? "it is read from the account that owns it, which was not read" : "not read");
    unknown.push(`status could not be read (${why})`);
  }
  if (!management) unknown.push(`event selectors could not be read (${trail.selectorsError ?? "not read"})`);
  if (unknown.length > 0) return { ...recorder, recorded: undefined, problem: [...problems, ...unknown].join("; ") };
  return {
    ...recorder,
    recorded: delivery ? NOTHING : management!,
    ...(problems.length > 0 ? { problem: problems.join("; ") } : {}),
  };
}

function judgeStore(store: EventDataStoreRecord, account: AccountRecord, inventory: Inventory): Recorder {
  const scope = {
    homeRegion: store.homeRegion,
    isMultiRegion: store.multiRegionEnabled,
    includeGlobalServiceEvents: true,
  };
  const receivesGlobal = receivesGlobalEvents(scope, inventory.partition);
  const logging = store.status === "ENABLED";
  const management = managementRecording({ eventSelectors: [], advancedEventSelectors: store.advancedEventSelectors })!;
  const problems: string[] = [];
  const shortfall = singleRegionShortfall(scope, inventory.partition);
  if (shortfall) problems.push(shortfall);
  if (!logging) problems.push(`not ingesting (status ${store.status})`);
  if (!management.writes)
    problems.push(management.reads ? "selects management reads only, not writes" : "selects no management events");
  const recorded = receivesGlobal && logging ? management : NOTHING;
  return {
    arn: store.arn,
    name: store.name,
    homeRegion: store.homeRegion,
    store,
    multiRegion: store.multiRegionEnabled,
    foreign: store.ownerAccountId !== account.id,
    receivesGlobal,
    logging,
    management,
    recorded,
    ...(problems.length > 0 ? { problem: problems.join("; ") } : {}),
  };
}

function describeRecorder(recorder: Recorder): string {
  if (recorder.trail) return describeTrail(recorder.trail);
  const scope = `${recorder.store!.organizationEnabled ? "organization " : ""}event data store, ${recorder.multiRegion ? "multi-Region" : "single-Region"}`;
  return `"${recorder.name}" (${scope}, home ${recorder.homeRegion})`;
}

/** Trails whose recorded event sets overlap: both record the writes, or both the reads. Event data stores are not trails. */
function overlappingTrails(writers: Recorder[], readers: Recorder[]): Recorder[] {
  const overlapping = new Set<Recorder>();
  for (const group of [writers, readers]) {
    const trails = group.filter((recorder) => recorder.trail);
    if (trails.length > 1) for (const recorder of trails) overlapping.add(recorder);
  }
  return [...overlapping].sort((a, b) => a.arn.localeCompare(b.arn));
}

function label(account: AccountRecord): string {
  return account.name && account.name !== account.id ? `${account.name} (${account.id})` : account.id;
}

function finding(
  ruleId: RuleId,
  account: AccountRecord,
  details: Omit<Finding, "ruleId" | "level" | "accountId" | "accountName">,
  level?: Level,
): Finding {
  return {
    ruleId,
    level: level ?? RULES[ruleId].defaultLevel,
    accountId: account.id,
    accountName: account.name,
    ...details,
  };
}

function involved(recorder: Recorder, problem = recorder.problem ?? "records global service events"): InvolvedTrail {
  return { arn: recorder.arn, name: recorder.name, homeRegion: recorder.homeRegion, problem };
}

function names(recorders: Recorder[]): string {
  return recorders.map(describeRecorder).join(", ");
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
      cause: "not-assessed",
      trails: [],
      message: `Account ${label(account)} was not assessed: ${reason}.${failed} Whether it records global service events is unknown.`,
      fix: notAssessedFix(reason, account.access),
    }),
  );
  return { verdict: { ...base, verdict: "not-assessed", coveredBy: [], reason }, findings };
}

function notAssessedFix(reason: string, access: string | undefined): string[] {
  const roleName = access?.split(":role/")[1]?.split("/").pop();
  if (roleName && /could not assume/i.test(reason) && /AccessDenied|not authorized/i.test(reason)) {
    return [
      "# In the account, check that the audit role exists and that its trust policy allows the scanning role:",
      remediation.assumeRoleTrust(roleName),
    ];
  }
  if (/could not reach/.test(reason)) {
    return [
      "# The call never reached AWS: check the network path from the runner to the endpoint named above " +
        "(proxy, firewall, DNS, VPC endpoint), then re-run the scan.",
    ];
  }
  return ["# Re-run the scan; if it fails again, the reason above names the call and Region to check."];
}

function notRecorded(
  account: AccountRecord,
  recorders: Recorder[],
  readers: Recorder[],
  inventory: Inventory,
): Finding {
  const trails = recorders.map((recorder) => involved(recorder));
  const fixable = recorders.filter((recorder) => recorder.trail && !recorder.foreign);
  const fix: string[] = [];
  // Fix the trail that is closest to covering, rather than creating yet another one.
  const candidate = fixable.find((recorder) => recorder.receivesGlobal) ?? fixable[0];
  if (candidate?.trail) {
    const trail = candidate.trail;
    if (!candidate.receivesGlobal) {
      fix.push(
        shellComment(`Make ${describeTrail(trail)} multi-Region; that turns global service events on with it:`),
        remediation.makeMultiRegion(trail),
      );
    }
    if (candidate.management && !candidate.management.writes)
      fix.push(SELECTORS_REPLACE_NOTE, remediation.recordAllManagementEvents(trail));
    if (candidate.logging === false) {
      fix.push(remediation.startLogging(trail));
    } else if (candidate.logging === undefined) {
      fix.push(
        "# Its logging status was not read: check it, and only if IsLogging is false start it:",
        remediation.trailStatus(trail),
        `# ${remediation.startLogging(trail)}`,
      );
    }
  } else {
    fix.push(...remediation.createTrail(inventory.globalEventsRegion));
  }
  const seen =
    trails.length > 0
      ? ` Checked: ${trails.map((trail) => `"${trail.name}" (${trail.homeRegion}): ${trail.problem}`).join("; ")}.`
      : account.regions.some((read) => read.outcome === "failed")
        ? ` No trail was seen; ${countOf(account.regions.filter((read) => read.outcome === "failed").length, "Region")} ` +
          `could not be read, but ${inventory.globalEventsRegion}, where every trail that could record them ` +
          "shows, was read."
        : " The account has no trail.";
  const orgNote = recorders.some((recorder) => recorder.foreign)
    ? " An organization trail or store must be fixed from the management account."
    : "";
  const lake = inventory.organizationEventDataStoresError ?? account.eventDataStoresError;
  const lakeNote = lake
    ? ` CloudTrail Lake could not be read (${lake}), so an event data store was not considered.`
    : "";
  const headline =
    readers.length > 0
      ? `global service events (IAM, STS, CloudFront) are recorded for reads only, by ${names(readers)}: no ` +
        "trail records the management writes, so changes to IAM users, roles and policies leave no record."
      : "no trail records global service events (IAM, STS, CloudFront): neither management reads nor writes are recorded.";
  return finding("cloudtrail/global-events-not-recorded", account, {
    cause: notRecordedCause(recorders, candidate, inventory),
    trails,
    message: `Account ${label(account)}: ${headline}${seen}${orgNote}${lakeNote}`,
    fix,
  });
}

/**
 * The one cause of an uncovered account, for the plan. A broken organization trail or store
 * comes first: repairing it covers every account at once. Otherwise the first shortfall of
 * the trail the fix works on, in the order the fix addresses them.
 */
function notRecordedCause(recorders: Recorder[], candidate: Recorder | undefined, inventory: Inventory): Cause {
  if (recorders.some((recorder) => recorder.foreign)) return "organization-trail";
  const subject = candidate ?? recorders[0];
  if (!subject) return "no-trail";
  if (!subject.receivesGlobal) {
    const homes = Object.values(globalEventRegions(inventory.partition).byService ?? {});
    return subject.trail && !subject.trail.includeGlobalServiceEvents && homes.includes(subject.homeRegion)
      ? "global-events-excluded"
      : "single-region-elsewhere";
  }
  if (subject.logging === false) return "stopped";
  return "management-events";
}

function ineffectiveFlag(
  account: AccountRecord,
  trail: TrailRecord,
  inventory: Inventory,
  coveredBy: Recorder[],
): Finding {
  const { byService } = globalEventRegions(inventory.partition);
  const where = [...new Set(Object.values(byService ?? {}))].join(" and ");
  const problem =
    `single-Region in ${trail.homeRegion} with IncludeGlobalServiceEvents on: receives no global service ` +
    `events since Nov 2021 (only ${where} does)`;
  const common = {
    region: trail.homeRegion,
    trailArn: trail.arn,
    trails: [{ arn: trail.arn, name: trail.name, homeRegion: trail.homeRegion, problem }],
  };
  // The events are recorded elsewhere: a misleading flag, not a gap. A note never opens an issue.
  return finding(
    "cloudtrail/global-events-flag-ineffective",
    account,
    {
      ...common,
      cause: "misleading-flag",
      message:
        `Account ${label(account)}: trail "${trail.name}" is ${problem}. The account's global service events ` +
        `are recorded by ${names(coveredBy)}, so the flag misleads but leaves no gap.`,
      fix: [
        "# Another trail records the global service events: turn the misleading flag off:",
        remediation.excludeGlobalEvents(trail),
      ],
    },
    "note",
  );
}

function readsNotRecorded(account: AccountRecord, writers: Recorder[]): Finding {
  const first = writers[0]!;
  const fix = first.trail
    ? [
        ...(first.foreign ? ["# The organization trail must be changed from the management account:"] : []),
        SELECTORS_REPLACE_NOTE,
        remediation.recordAllManagementEvents(first.trail),
      ]
    : [
        "# Add a management-events selector without readOnly to the event data store (aws cloudtrail update-event-data-store --advanced-event-selectors).",
      ];
  return finding("cloudtrail/global-events-reads-not-recorded", account, {
    cause: "writes-only",
    region: first.homeRegion,
    trailArn: first.arn,
    trails: writers.map((recorder) => involved(recorder, "records management writes only")),
    message: `Account ${label(account)}: ${names(writers)} records global service events but management writes only; reads of IAM and STS are not recorded.`,
    fix,
  });
}

/** Likely cause of a delivery error, from the S3 or KMS error text CloudTrail reports. */
function deliveryCause(error: string): "bucket-missing" | "kms-key" | "bucket-policy" | "unknown" {
  if (/NoSuchBucket/i.test(error)) return "bucket-missing";
  if (/KMS|kms/.test(error)) return "kms-key";
  if (/AccessDenied|InsufficientS3BucketPolicy|Forbidden|not authorized/i.test(error)) return "bucket-policy";
  return "unknown";
}

function notDelivered(account: AccountRecord, recorder: Recorder, level: Level): Finding {
  const trail = recorder.trail!;
  const failure = recorder.delivery!;
  const since = failure.lastDelivered
    ? `the last successful delivery was at ${failure.lastDelivered}`
    : "no successful delivery is recorded";
  const cause = deliveryCause(failure.error);
  const bucket = trail.s3BucketName ?? "YOUR-CLOUDTRAIL-BUCKET";
  const causeText = {
    "bucket-missing": `the S3 bucket "${bucket}" no longer exists`,
    "kms-key": `the KMS key ${trail.kmsKeyId ? `"${trail.kmsKeyId}" ` : ""}is disabled, deleted or no longer lets CloudTrail use it`,
    "bucket-policy": `the policy of bucket "${bucket}" no longer lets cloudtrail.amazonaws.com write`,
    unknown: "see the error text",
  }[cause];
  const fix: string[] = recorder.foreign ? ["# The organization trail is fixed from the management account:"] : [];
  if (cause === "bucket-missing") {
    fix.push(
      "# Point the trail at a bucket whose policy allows cloudtrail.amazonaws.com (replace the name):",
      remediation.changeBucket(trail),
    );
  } else if (cause === "kms-key" && trail.kmsKeyId) {
    fix.push(
      "# Check the key's state; enable it if it is Disabled, and check its policy allows cloudtrail.amazonaws.com:",
      remediation.keyState(trail.kmsKeyId, trail.homeRegion),
      `# ${remediation.enableKey(trail.kmsKeyId, trail.homeRegion)}`,
    );
  } else if (cause === "bucket-policy" && trail.s3BucketName) {
    fix.push(
      "# Check that the bucket policy allows cloudtrail.amazonaws.com s3:GetBucketAcl and s3:PutObject for this account:",
      remediation.bucketPolicy(trail.s3BucketName),
    );
  } else {
    fix.push("# Read the trail's delivery status and error:", remediation.trailStatus(trail));
  }
  const others =
    level === "warning"
      ? " Another trail still records the account's global service events."
      : " No other trail records them: the account's global service events are not stored.";
  return finding(
    "cloudtrail/global-events-not-delivered",
    account,
    {
      cause: recorder.foreign ? "organization-trail" : "delivery-failing",
      region: trail.homeRegion,
      trailArn: trail.arn,
      trails: [involved(recorder, `logging, but delivery fails: ${failure.error}`)],
      message:
        `Account ${label(account)}: ${describeTrail(trail)} is logging but its log files are not delivered: ` +
        `"${failure.error}"; ${since}. Likely cause: ${causeText}.${others}`,
      fix,
    },
    level,
  );
}

function singleRegionOnly(account: AccountRecord, writers: Recorder[]): Finding {
  const first = writers[0]!;
  const fix = first.foreign ? ["# The organization trail or store is changed from the management account:"] : [];
  fix.push(first.trail ? remediation.makeMultiRegion(first.trail) : storeRemediation.makeMultiRegion(first));
  return finding("cloudtrail/global-events-single-region", account, {
    cause: "single-region-only",
    region: first.homeRegion,
    trailArn: first.arn,
    trails: writers.map((recorder) =>
      involved(recorder, "single-Region: records the global service events of its own Region only"),
    ),
    message:
      `Account ${label(account)}: its global service events are recorded only by single-Region ` +
      `${names(writers)}. That misses STS calls to regional endpoints (recorded in the Region called) and ` +
      "console sign-in events AWS records in other Regions; only a multi-Region trail records them all.",
    fix,
  });
}

function duplicated(account: AccountRecord, recording: Recorder[]): Finding {
  const organizationTrail = recording.find((recorder) => recorder.trail?.isOrganizationTrail);
  const keep = organizationTrail ?? recording.find((recorder) => recorder.multiRegion) ?? recording[0]!;
  const redundant = recording.filter((recorder) => recorder !== keep && !recorder.foreign);
  const fix: string[] = [
    shellComment(`Keep ${describeRecorder(keep)}; stop the others recording global service events:`),
  ];
  for (const recorder of redundant) {
    const trail = recorder.trail!;
    if (trail.isMultiRegionTrail) {
      fix.push(
        shellComment(
          `${describeTrail(trail)} is multi-Region and cannot turn global events off; delete it if the kept trail records what it records:`,
        ),
        `# ${remediation.deleteTrail(trail)}`,
      );
    } else {
      fix.push(remediation.excludeGlobalEvents(trail));
    }
  }
  return finding(
    "cloudtrail/global-events-duplicated",
    account,
    {
      cause: "duplicated",
      trails: recording.map((recorder) =>
        involved(
          recorder,
          recorder === keep ? "records global service events (keep)" : "records global service events again",
        ),
      ),
      message:
        `Account ${label(account)}: ${recording.length} trails record the same global service events, so ` +
        `each is stored ${recording.length} times: ${names(recording)}.`,
      fix,
    },
    // An organization trail is expected to overlap members' own trails: worth knowing, not a warning.
    organizationTrail ? "note" : "warning",
  );
}
