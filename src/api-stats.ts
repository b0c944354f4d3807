/** What the scan asked of AWS: calls by operation, retries, throttles. Reported, never judged. */
export interface ApiStats {
  /** Calls as the scanner made them (one per SDK send), by "Service.Operation". */
  calls: Record<string, number>;
  /** Extra attempts the SDK made after a failed one (throttles, 5xx, resets, timeouts). */
  retries: number;
  /** Attempts answered with a throttling error. */
  throttles: number;
  /** Calls that failed after every attempt. */
  failures: number;
  /** The lowest account concurrency the scan backed off to. */
  lowestConcurrency?: number;
}

export function emptyApiStats(): ApiStats {
  return { calls: {}, retries: 0, throttles: 0, failures: 0 };
}
