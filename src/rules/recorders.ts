import { describeFailure } from "../error-description.js";
import {
  NOT_IN_ORGANIZATION,
  type AccountRecord,
  type EventDataStoreRecord,
  type Inventory,
  type TrailRecord,
} from "../inventory.js";
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
} from "../trail-facts.js";

/**
 * What each trail and event data store that applies to an account records of its global
 * service events, and why not everything: the facts evaluate.ts decides on. Pure.
 */
/**
 * A trail or a CloudTrail Lake event data store, judged for one account: what of the
 * global service events it records. Coverage is the union of what the recorders record.
 */
export interface Recorder {
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

export const NOTHING: ManagementRecording = { reads: false, writes: false };

export function ownTrails(account: AccountRecord): TrailRecord[] {
  return account.trails.filter((trail) => trail.ownerAccountId === account.id);
}

/**
 * The account's own trails plus every organization trail of its organization, judged by
 * the record read from the trail's owner. A member's shadow of an organization trail is
 * used only when the owner's record is missing (then its status is unknown).
 */
export function applicableTrails(inventory: Inventory, account: AccountRecord): TrailRecord[] {
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
export function applicableStores(inventory: Inventory, account: AccountRecord): EventDataStoreRecord[] {
  const byArn = new Map<string, EventDataStoreRecord>();
  for (const store of account.eventDataStores ?? [])
    if (store.ownerAccountId === account.id) byArn.set(store.arn, store);
  if (account.state !== NOT_IN_ORGANIZATION) {
    for (const store of inventory.organizationEventDataStores ?? [])
      if (store.organizationEnabled) byArn.set(store.arn, store);
  }
  return [...byArn.values()].sort((a, b) => a.arn.localeCompare(b.arn));
}

export function judgeTrail(trail: TrailRecord, account: AccountRecord, inventory: Inventory): Recorder {
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
    const why = trail.statusFailure
      ? describeFailure(trail.statusFailure)
      : foreign
        ? "it is read from the account that owns it, which was not read"
        : "not read";
    unknown.push(`status could not be read (${why})`);
  }
  if (!management)
    unknown.push(
      `event selectors could not be read (${trail.selectorsFailure ? describeFailure(trail.selectorsFailure) : "not read"})`,
    );
  if (unknown.length > 0) return { ...recorder, recorded: undefined, problem: [...problems, ...unknown].join("; ") };
  return {
    ...recorder,
    recorded: delivery ? NOTHING : management!,
    ...(problems.length > 0 ? { problem: problems.join("; ") } : {}),
  };
}

export function judgeStore(store: EventDataStoreRecord, account: AccountRecord, inventory: Inventory): Recorder {
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

export function describeRecorder(recorder: Recorder): string {
  if (recorder.trail) return describeTrail(recorder.trail);
  const scope = `${recorder.store!.organizationEnabled ? "organization " : ""}event data store, ${recorder.multiRegion ? "multi-Region" : "single-Region"}`;
  return `"${recorder.name}" (${scope}, home ${recorder.homeRegion})`;
}

/** Trails whose recorded event sets overlap: both record the writes, or both the reads. Event data stores are not trails. */
export function overlappingTrails(writers: Recorder[], readers: Recorder[]): Recorder[] {
  const overlapping = new Set<Recorder>();
  for (const group of [writers, readers]) {
    const trails = group.filter((recorder) => recorder.trail);
    if (trails.length > 1) for (const recorder of trails) overlapping.add(recorder);
  }
  return [...overlapping].sort((a, b) => a.arn.localeCompare(b.arn));
}

/** The account's own trail closest to covering it: the one a fix works on, rather than creating yet another. */
export function fixCandidate(recorders: Recorder[]): Recorder | undefined {
  const fixable = recorders.filter((recorder) => recorder.trail && !recorder.foreign);
  return fixable.find((recorder) => recorder.receivesGlobal) ?? fixable[0];
}
