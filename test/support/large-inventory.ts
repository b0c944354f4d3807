import type { AccountRecord, Inventory, TrailRecord } from "../../src/inventory.js";

/**
 * A saved scan of a large organization with no organization trail, built as the scanner
 * writes one: accounts covered by a multi-Region trail of their own, and accounts broken in
 * one of three ways (a single-Region eu-west-1 trail with the global-events flag on, no
 * trail, a stopped multi-Region trail). Which accounts are broken is chosen by index, so a
 * test can compute every count it expects.
 */
export interface LargeOrganization {
  total: number;
  /** Accounts with only a single-Region trail in eu-west-1, flag on. */
  singleRegionEu: number;
  noTrail: number;
  stopped: number;
}

export const MANAGEMENT = "100000000000";
export const ORGANIZATION_ID = "o-large12345";

export function accountIdOf(index: number): string {
  return String(100_000_000_000 + index);
}

/** What account `index` is: broken ones come first, in the order of the shape's fields. */
export function kindOf(
  shape: LargeOrganization,
  index: number,
): "single-region-eu" | "no-trail" | "stopped" | "covered" {
  // Index 0 is the management account, covered by its own trail.
  const broken = index - 1;
  if (broken < 0) return "covered";
  if (broken < shape.singleRegionEu) return "single-region-eu";
  if (broken < shape.singleRegionEu + shape.noTrail) return "no-trail";
  if (broken < shape.singleRegionEu + shape.noTrail + shape.stopped) return "stopped";
  return "covered";
}

const ALL_MANAGEMENT = {
  eventSelectors: [],
  advancedEventSelectors: [
    { name: "Management events", fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] },
  ],
};

function trail(
  accountId: string,
  name: string,
  options: { region: string; multiRegion: boolean; logging: boolean },
): TrailRecord {
  return {
    arn: `arn:aws:cloudtrail:${options.region}:${accountId}:trail/${name}`,
    name,
    homeRegion: options.region,
    ownerAccountId: accountId,
    isMultiRegionTrail: options.multiRegion,
    includeGlobalServiceEvents: true,
    isOrganizationTrail: false,
    s3BucketName: `cloudtrail-${accountId}`,
    status: { isLogging: options.logging },
    selectors: ALL_MANAGEMENT,
  };
}

export function largeInventory(
  shape: LargeOrganization,
  overrides: { generatedAt?: string; kinds?: Map<number, ReturnType<typeof kindOf>> } = {},
): Inventory {
  const accounts: AccountRecord[] = Array.from({ length: shape.total }, (_, index) => {
    const id = accountIdOf(index);
    const kind = overrides.kinds?.get(index) ?? kindOf(shape, index);
    const trails =
      kind === "single-region-eu"
        ? [trail(id, "eu-audit", { region: "eu-west-1", multiRegion: false, logging: true })]
        : kind === "no-trail"
          ? []
          : [trail(id, "audit", { region: "us-east-1", multiRegion: true, logging: kind !== "stopped" })];
    return {
      id,
      name: index === 0 ? "management" : `account-${index}`,
      state: "ACTIVE",
      outcome: "read",
      access: index === 0 ? "caller" : `arn:aws:iam::${id}:role/OrganizationAccountAccessRole`,
      regions: [
        { region: "us-east-1", outcome: "read" },
        ...(kind === "single-region-eu" ? [{ region: "eu-west-1", outcome: "read" as const }] : []),
      ],
      trails,
      readPlan: "list-trails",
      durationMs: 100,
    };
  });
  return {
    schemaVersion: 2,
    generatedAt: overrides.generatedAt ?? "2026-11-26T06:00:00.000Z",
    partition: "aws",
    globalEventsRegion: "us-east-1",
    callerAccountId: MANAGEMENT,
    organization: { id: ORGANIZATION_ID, managementAccountId: MANAGEMENT },
    organizationTrails: [],
    organizationEventDataStores: [],
    accounts,
    durationMs: 5_000,
  };
}
