import type { AdvancedEventSelector, FieldSelector, TrailRecord, TrailSelectors, TrailStatus } from "./inventory.js";
import { GLOBAL_SERVICE_NAMES, GLOBAL_SERVICES, globalEventRegions, type GlobalService } from "./partitions.js";

/** The event sources whose events AWS records as global service events. */
export const GLOBAL_EVENT_SOURCES = GLOBAL_SERVICES.map((service) => `${service}.amazonaws.com`);

/** What a trail or event data store is made of, as far as where it records goes. */
export interface RecorderScope {
  homeRegion: string;
  isMultiRegion: boolean;
  /** IncludeGlobalServiceEvents; event data stores have no such flag (true). */
  includeGlobalServiceEvents: boolean;
}

export function trailScope(trail: TrailRecord): RecorderScope {
  return {
    homeRegion: trail.homeRegion,
    isMultiRegion: trail.isMultiRegionTrail,
    includeGlobalServiceEvents: trail.includeGlobalServiceEvents,
  };
}

/**
 * Which global services' events reach a trail. A multi-Region trail receives them all
 * (the API refuses one with IncludeGlobalServiceEvents off); a single-Region trail with
 * the flag on receives those that its partition records in its home Region (the table
 * in partitions.ts), and none where that is not documented.
 */
export function globalServicesReceived(scope: RecorderScope, partition: string): GlobalService[] {
  if (scope.isMultiRegion) return [...GLOBAL_SERVICES];
  const { byService } = globalEventRegions(partition);
  if (!scope.includeGlobalServiceEvents || !byService) return [];
  return GLOBAL_SERVICES.filter((service) => byService[service] === scope.homeRegion);
}

/** Whether every global service's events reach it. */
export function receivesGlobalEvents(scope: RecorderScope, partition: string): boolean {
  return globalServicesReceived(scope, partition).length === GLOBAL_SERVICES.length;
}

/**
 * Why a single-Region trail does not receive (all) global events, in words, or undefined
 * when it does. Names the Regions that do receive them.
 */
export function singleRegionShortfall(scope: RecorderScope, partition: string): string | undefined {
  if (receivesGlobalEvents(scope, partition)) return undefined;
  const { byService, unknownBecause } = globalEventRegions(partition);
  if (!byService) return `single-Region: ${unknownBecause}`;
  const received = globalServicesReceived(scope, partition);
  const homes = [...new Set(Object.values(byService))];
  if (homes.includes(scope.homeRegion) && !scope.includeGlobalServiceEvents)
    return "single-Region with IncludeGlobalServiceEvents off";
  if (received.length > 0) {
    const missing = GLOBAL_SERVICES.filter((service) => !received.includes(service));
    return (
      `single-Region in ${scope.homeRegion}: receives ` +
      `${received.map((service) => GLOBAL_SERVICE_NAMES[service]).join(" and ")} events but not ` +
      `${missing.map((service) => `${GLOBAL_SERVICE_NAMES[service]} (recorded in ${byService[service]})`).join(", ")}`
    );
  }
  return `single-Region outside ${homes.join(" and ")}: receives no global service events`;
}

/**
 * The flag is on, yet the trail is single-Region where its partition records none of the
 * global events: it has received nothing since Nov 2021. Where the partition does not
 * document the Region, nothing is claimed.
 */
export function hasIneffectiveGlobalFlag(trail: TrailRecord, partition: string): boolean {
  const { byService } = globalEventRegions(partition);
  return (
    Boolean(byService) &&
    !trail.isMultiRegionTrail &&
    trail.includeGlobalServiceEvents &&
    globalServicesReceived(trailScope(trail), partition).length === 0
  );
}

export interface DeliveryFailure {
  error: string;
  /** The last successful delivery (ISO 8601), if any was ever recorded. */
  lastDelivered?: string;
}

/**
 * A trail whose recent deliveries fail stores nothing, logging or not. LatestDeliveryError
 * can linger after deliveries recover (shared/aws-facts.md), so it counts only when no
 * delivery succeeded after it:
 * - with LatestDeliveryAttemptTime, when the last success (LatestDeliveryTime, or
 *   LatestDeliveryAttemptSucceeded) is older than the latest attempt;
 * - without it (the current API reference marks the attempt fields "no longer in use"),
 *   when nothing was delivered in the DELIVERY_QUIET_LIMIT_MS before the scan. CloudTrail
 *   delivers log files about every 5 minutes while events occur (User Guide, "How
 *   CloudTrail works"), and the scan's own calls are management events of the account.
 * A new trail with no delivery and no error is not failing.
 */
export function deliveryFailure(status: TrailStatus | undefined, scannedAt: string): DeliveryFailure | undefined {
  if (!status?.latestDeliveryError) return undefined;
  const lastDelivered = status.latestDeliveryTime;
  const failure = { error: status.latestDeliveryError, ...(lastDelivered ? { lastDelivered } : {}) };
  const delivered = Math.max(time(lastDelivered), time(status.latestDeliveryAttemptSucceeded));
  const attempted = time(status.latestDeliveryAttemptTime);
  if (attempted > 0) return delivered >= attempted ? undefined : failure;
  const scanned = time(scannedAt);
  if (scanned > 0 && delivered > 0 && scanned - delivered < DELIVERY_QUIET_LIMIT_MS) return undefined;
  return failure;
}

export const DELIVERY_QUIET_LIMIT_MS = 6 * 60 * 60 * 1000;

function time(value: string | undefined): number {
  const parsed = value ? Date.parse(value) : Number.NaN;
  return Number.isNaN(parsed) ? 0 : parsed;
}

export interface ManagementRecording {
  reads: boolean;
  writes: boolean;
}

/**
 * Which management events of the global services the selectors record. Undefined when
 * the selectors were not read. A selector that narrows by a field we do not model
 * (eventName, userIdentity.arn, ...) records only part of them and is not counted.
 */
export function managementRecording(selectors: TrailSelectors | undefined): ManagementRecording | undefined {
  if (!selectors) return undefined;
  if (selectors.advancedEventSelectors.length > 0) {
    const recordsAll = (readOnly: "true" | "false") =>
      GLOBAL_EVENT_SOURCES.every((eventSource) =>
        selectors.advancedEventSelectors.some((selector) =>
          admitsEvent(selector, { eventCategory: "Management", eventSource, readOnly }),
        ),
      );
    return { reads: recordsAll("true"), writes: recordsAll("false") };
  }
  const recording = { reads: false, writes: false };
  for (const selector of selectors.eventSelectors) {
    if (selector.includeManagementEvents === false) continue;
    const type = selector.readWriteType ?? "All";
    if (type === "All" || type === "ReadOnly") recording.reads = true;
    if (type === "All" || type === "WriteOnly") recording.writes = true;
  }
  return recording;
}

function admitsEvent(selector: AdvancedEventSelector, event: Record<string, string>): boolean {
  const hasCategory = selector.fieldSelectors.some((field) => field.field === "eventCategory");
  return (
    hasCategory &&
    selector.fieldSelectors.every((field) => {
      const value = event[field.field];
      return value !== undefined && fieldAdmits(field, value);
    })
  );
}

function fieldAdmits(field: FieldSelector, value: string): boolean {
  const checks: [string[] | undefined, (pattern: string) => boolean, boolean][] = [
    [field.equals, (pattern) => value === pattern, true],
    [field.startsWith, (pattern) => value.startsWith(pattern), true],
    [field.endsWith, (pattern) => value.endsWith(pattern), true],
    [field.notEquals, (pattern) => value === pattern, false],
    [field.notStartsWith, (pattern) => value.startsWith(pattern), false],
    [field.notEndsWith, (pattern) => value.endsWith(pattern), false],
  ];
  return checks.every(([patterns, matches, mustMatch]) => {
    if (!patterns || patterns.length === 0) return true;
    return mustMatch ? patterns.some(matches) : !patterns.some(matches);
  });
}

export function describeTrail(trail: TrailRecord): string {
  const scope = trail.isOrganizationTrail
    ? "organization trail"
    : trail.isMultiRegionTrail
      ? "multi-Region"
      : "single-Region";
  return `"${trail.name}" (${scope}, home ${trail.homeRegion})`;
}
