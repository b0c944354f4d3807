import type { AdvancedEventSelector, FieldSelector, TrailRecord, TrailSelectors } from "../inventory.js";

/** The event sources whose events AWS records as global service events. */
export const GLOBAL_EVENT_SOURCES = ["iam.amazonaws.com", "sts.amazonaws.com", "cloudfront.amazonaws.com"] as const;

/**
 * Whether a trail is delivered global service events at all. A multi-Region trail always
 * is (the API refuses one with IncludeGlobalServiceEvents off); since Nov 2021 a
 * single-Region trail is only if it lives where the events are recorded.
 */
export function receivesGlobalEvents(trail: TrailRecord, globalEventsRegion: string): boolean {
  return trail.isMultiRegionTrail || (trail.homeRegion === globalEventsRegion && trail.includeGlobalServiceEvents);
}

/** The flag is on, yet the trail is single-Region elsewhere: it has received nothing since Nov 2021. */
export function hasIneffectiveGlobalFlag(trail: TrailRecord, globalEventsRegion: string): boolean {
  return !trail.isMultiRegionTrail && trail.homeRegion !== globalEventsRegion && trail.includeGlobalServiceEvents;
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
  return hasCategory && selector.fieldSelectors.every((field) => {
    const value = event[field.field];
    return value !== undefined && fieldAdmits(field, value);
  });
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
  const scope = trail.isOrganizationTrail ? "organization trail" : trail.isMultiRegionTrail ? "multi-Region" : "single-Region";
  return `"${trail.name}" (${scope}, home ${trail.homeRegion})`;
}
