import { describe, expect, it } from "vitest";
import type { ScanProgress } from "../src/aws/scan.js";
import type { AccountRecord } from "../src/inventory.js";
import { ProgressTracker, periodicLines } from "../src/progress.js";
import { evaluateInventory } from "../src/rules/evaluate.js";
import { trail } from "./support/records.js";

describe("progress", () => {
  const progress = (done: number, total: number): ScanProgress => ({
    done,
    total,
    listingComplete: true,
    partition: "aws",
    globalEventsRegion: "us-east-1",
    context: {
      schemaVersion: 2,
      generatedAt: "2026-11-30T06:00:00.000Z",
      partition: "aws",
      globalEventsRegion: "us-east-1",
      organizationTrails: [],
    },
  });
  const account = (id: string, trails: AccountRecord["trails"]): AccountRecord => ({
    id,
    name: id,
    state: "ACTIVE",
    outcome: "read",
    regions: [{ region: "us-east-1", outcome: "read" }],
    trails,
    durationMs: 1,
  });

  it("counts findings so far, and estimates the time left only once the pace means something", () => {
    let now = 0;
    const tracker = new ProgressTracker(() => now);
    // A slow start (credentials, organization trails): the first account takes 30 s.
    now = 30_000;
    tracker.record(account("100000000001", []), progress(1, 100));
    expect(tracker.findings).toBe(1);
    expect(tracker.etaSeconds()).toBeUndefined();
    expect(tracker.line()).toBe("Scanned 1/100 accounts; findings so far: 1, not assessed: 0; ETA estimating.");
    // Then one a second: after 10 accounts (and 5 %), the estimate is the pace since the first.
    for (let index = 2; index <= 9; index += 1) {
      now += 1_000;
      tracker.record(account(String(100_000_000_000 + index), []), progress(index, 100));
      expect(tracker.etaSeconds()).toBeUndefined();
    }
    now += 1_000;
    tracker.record(account("100000000010", []), progress(10, 100));
    expect(tracker.etaSeconds()).toBe(90);
    expect(tracker.line()).toBe("Scanned 10/100 accounts; findings so far: 10, not assessed: 0; ETA 1m 30s.");
  });

  it("gives no estimate while the listing is still growing the total", () => {
    let now = 0;
    const tracker = new ProgressTracker(() => now);
    for (let index = 1; index <= 20; index += 1) {
      now += 1_000;
      tracker.record(account(String(100_000_000_000 + index), []), {
        ...progress(index, index + 5),
        listingComplete: false,
      });
    }
    expect(tracker.etaSeconds()).toBeUndefined();
    expect(tracker.line()).toMatch(/ETA listing accounts\.$/);
  });

  it("says 1 account, not 1 accounts", () => {
    const tracker = new ProgressTracker(() => 0);
    tracker.record(account("100000000001", []), progress(1, 1));
    expect(tracker.line()).toBe("Scanned 1/1 account; findings so far: 1, not assessed: 0; ETA 0s.");
  });

  it("prints a line only every few seconds", () => {
    let now = 0;
    const lines: string[] = [];
    const onAccount = periodicLines(
      new ProgressTracker(() => now),
      (line) => lines.push(line),
      5_000,
      () => now,
    );
    for (let index = 1; index <= 12; index += 1) {
      now = index * 1_000;
      onAccount(account(String(100_000_000_000 + index), []), progress(index, 12));
    }
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Scanned 5\/12 accounts/);
  });

  it("counts as the result does: an organization event data store read after the first account, a stale delivery error", () => {
    const scannedAt = "2026-11-30T06:00:00.000Z";
    const orgStore = {
      arn: "arn:aws:cloudtrail:us-east-1:111111111111:eventdatastore/org-lake",
      name: "org-lake",
      homeRegion: "us-east-1",
      ownerAccountId: "111111111111",
      status: "ENABLED",
      multiRegionEnabled: true,
      organizationEnabled: true,
      advancedEventSelectors: [{ fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] }],
    };
    // Its last error is from last week; it delivered an hour before the scan.
    const recovered = trail("100000000002", "recovered", {
      status: {
        isLogging: true,
        latestDeliveryError: "AccessDenied",
        latestDeliveryTime: "2026-11-30T05:00:00.000Z",
      },
    });
    const accounts = [account("100000000001", []), account("100000000002", [recovered])];
    const context = {
      schemaVersion: 2 as const,
      generatedAt: scannedAt,
      partition: "aws",
      globalEventsRegion: "us-east-1",
      organizationTrails: [],
      organizationEventDataStores: [orgStore],
    };
    const result = evaluateInventory({ ...context, accounts, durationMs: 1 });
    expect(result.findings.filter((finding) => finding.level !== "note")).toEqual([]);

    const tracker = new ProgressTracker(() => 0);
    // The first account is done before the organization's stores are read: it waits for them.
    tracker.record(accounts[0]!, { ...progress(1, 2), context: undefined });
    expect(tracker.findings).toBe(0);
    tracker.record(accounts[1]!, { ...progress(2, 2), context });
    expect(tracker.findings).toBe(result.findings.length);
    expect(tracker.notAssessed).toBe(0);
  });
});
