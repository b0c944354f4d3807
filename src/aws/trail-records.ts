import type {
  AdvancedEventSelector as SdkAdvancedSelector,
  EventSelector as SdkEventSelector,
  GetEventDataStoreResponse,
  GetTrailStatusResponse,
  Trail,
} from "@aws-sdk/client-cloudtrail";
import type {
  AdvancedEventSelector,
  EventDataStoreRecord,
  TrailRecord,
  TrailSelectors,
  TrailStatus,
} from "../inventory.js";

/** The SDK's CloudTrail shapes (trails and Lake event data stores) as inventory records: plain data, dates as ISO strings. */

export function toTrailStatus(status: GetTrailStatusResponse): TrailStatus {
  const text = (value: string | undefined) => (value ? value : undefined);
  const attemptTime = text(status.LatestDeliveryAttemptTime);
  const attemptSucceeded = text(status.LatestDeliveryAttemptSucceeded);
  return {
    isLogging: status.IsLogging === true,
    ...(status.LatestDeliveryError ? { latestDeliveryError: status.LatestDeliveryError } : {}),
    ...(status.LatestDeliveryTime ? { latestDeliveryTime: status.LatestDeliveryTime.toISOString() } : {}),
    ...(attemptTime ? { latestDeliveryAttemptTime: attemptTime } : {}),
    ...(attemptSucceeded ? { latestDeliveryAttemptSucceeded: attemptSucceeded } : {}),
  };
}

// Region, owner account and name, from a trail's or an event data store's ARN.
const TRAIL_ARN = /^arn:[\w-]+:cloudtrail:([\w-]+):(\d{12}):trail\/(.+)$/;
const STORE_ARN = /^arn:[\w-]+:cloudtrail:([\w-]+):(\d{12}):eventdatastore\/(.+)$/;

export function toEventDataStoreRecord(
  arn: string,
  store: GetEventDataStoreResponse,
  listedInRegion: string,
): EventDataStoreRecord {
  const match = STORE_ARN.exec(arn);
  return {
    arn,
    name: store.Name ?? match?.[3] ?? arn,
    homeRegion: match?.[1] ?? listedInRegion,
    ownerAccountId: match?.[2] ?? "",
    status: store.Status ?? "UNKNOWN",
    multiRegionEnabled: store.MultiRegionEnabled === true,
    organizationEnabled: store.OrganizationEnabled === true,
    advancedEventSelectors: toAdvancedSelectors(store.AdvancedEventSelectors),
  };
}

export function toTrailRecord(trail: Trail, seenInRegion: string): TrailRecord | undefined {
  if (!trail.TrailARN) return undefined;
  const match = TRAIL_ARN.exec(trail.TrailARN);
  return {
    arn: trail.TrailARN,
    name: trail.Name ?? match?.[3] ?? trail.TrailARN,
    homeRegion: trail.HomeRegion ?? match?.[1] ?? seenInRegion,
    ownerAccountId: match?.[2] ?? "",
    isMultiRegionTrail: trail.IsMultiRegionTrail === true,
    includeGlobalServiceEvents: trail.IncludeGlobalServiceEvents === true,
    isOrganizationTrail: trail.IsOrganizationTrail === true,
    ...(trail.S3BucketName ? { s3BucketName: trail.S3BucketName } : {}),
    ...(trail.KmsKeyId ? { kmsKeyId: trail.KmsKeyId } : {}),
  };
}

export function toSelectors(
  basic: SdkEventSelector[] | undefined,
  advanced: SdkAdvancedSelector[] | undefined,
): TrailSelectors {
  return {
    eventSelectors: (basic ?? []).map((selector) => ({
      ...(selector.ReadWriteType ? { readWriteType: selector.ReadWriteType } : {}),
      ...(selector.IncludeManagementEvents !== undefined
        ? { includeManagementEvents: selector.IncludeManagementEvents }
        : {}),
      ...(selector.ExcludeManagementEventSources?.length
        ? { excludeManagementEventSources: selector.ExcludeManagementEventSources }
        : {}),
    })),
    advancedEventSelectors: toAdvancedSelectors(advanced),
  };
}

export function toAdvancedSelectors(advanced: SdkAdvancedSelector[] | undefined): AdvancedEventSelector[] {
  return (advanced ?? []).map((selector) => ({
    ...(selector.Name ? { name: selector.Name } : {}),
    fieldSelectors: (selector.FieldSelectors ?? []).map((field) => ({
      field: field.Field ?? "",
      ...(field.Equals?.length ? { equals: field.Equals } : {}),
      ...(field.NotEquals?.length ? { notEquals: field.NotEquals } : {}),
      ...(field.StartsWith?.length ? { startsWith: field.StartsWith } : {}),
      ...(field.NotStartsWith?.length ? { notStartsWith: field.NotStartsWith } : {}),
      ...(field.EndsWith?.length ? { endsWith: field.EndsWith } : {}),
      ...(field.NotEndsWith?.length ? { notEndsWith: field.NotEndsWith } : {}),
    })),
  }));
}
