/**
 * Backs the account concurrency off when AWS keeps throttling and restores it when it
 * stops (additive increase, multiplicative decrease, as TCP does). The SDK's adaptive
 * retries slow each client; this slows the whole scan, so a throttled STS or
 * Organizations endpoint sees fewer callers rather than more retries.
 */
export interface ConcurrencyTarget {
  concurrency: number;
}

export interface GovernorOptions {
  /** Throttles within the window that count as "persistent". */
  threshold: number;
  windowMs: number;
  /** Calm time after which one more slot is given back. */
  recoverMs: number;
  now?: () => number;
}

export const DEFAULT_GOVERNOR: GovernorOptions = { threshold: 5, windowMs: 2_000, recoverMs: 2_000 };

export class ConcurrencyGovernor {
  private throttles: number[] = [];
  private lastChange: number;
  lowest: number;
  private readonly now: () => number;

  constructor(
    private readonly target: ConcurrencyTarget,
    private readonly ceiling: number,
    private readonly options: GovernorOptions = DEFAULT_GOVERNOR,
  ) {
    this.now = options.now ?? Date.now;
    this.lastChange = this.now();
    this.lowest = target.concurrency;
  }

  onThrottle(): void {
    const now = this.now();
    this.throttles = this.throttles.filter((time) => now - time < this.options.windowMs);
    this.throttles.push(now);
    if (this.throttles.length >= this.options.threshold && this.target.concurrency > 1) {
      this.target.concurrency = Math.max(1, Math.floor(this.target.concurrency / 2));
      this.lowest = Math.min(this.lowest, this.target.concurrency);
      this.throttles = [];
      this.lastChange = now;
    }
  }

  onSuccess(): void {
    const now = this.now();
    if (this.target.concurrency < this.ceiling && now - this.lastChange >= this.options.recoverMs && this.throttles.length === 0) {
      this.target.concurrency += 1;
      this.lastChange = now;
    }
  }
}
