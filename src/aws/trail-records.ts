import type {
  AdvancedEventSelector as SdkAdvancedSelector,
  EventSelector as SdkEventSelector,
  GetTrailStatusResponse,
  Trail,
} from "@aws-sdk/client-cloudtrail";
import type { AdvancedEventSelector, TrailRecord, TrailSelectors, TrailStatus } from "../inventory.js";

/** The SDK's CloudTrail shapes as inventory records: plain data, dates as ISO strings. */

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

const TRAIL_ARN = /^arn:[\w-]+:cloudtrail:([\w-]+):(\d{12}):trail\/(.+)$/;

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

export function toSelectors(basic: SdkEventSelector[] | undefined, advanced: SdkAdvancedSelector[] | undefined): TrailSelectors {
  return {
    eventSelectors: (basic ?? []).map((selector) => ({
      ...(selector.ReadWriteType ? { readWriteType: selector.ReadWriteType } : {}),
      ...(selector.IncludeManagementEvents !== undefined ? { includeManagementEvents: selector.IncludeManagementEvents } : {}),
      ...(selector.ExcludeManagementEventSources?.length ? { excludeManagementEventSources: selector.ExcludeManagementEventSources } : {}),
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
