/**
 * Backs the account concurrency off when AWS keeps throttling and restores it when it
 * stops (additive increase, multiplicative decrease, as TCP does). It judges each service
 * by the share of its attempts throttled over a short window: a few sporadic throttles
 * among thousands of calls are left to the retries, while a service that throttles a
 * large share of calls (an STS or Organizations limit being hit) sees fewer callers.
 */
export interface ConcurrencyTarget {
  concurrency: number;
}

export interface GovernorOptions {
  /** Throttled attempts of one service within a window before it can count as persistent... */
  threshold: number;
  /** ...and the share of that service's attempts they must be. */
  ratio: number;
  windowMs: number;
  /** Calm time after which one more slot is given back. */
  recoverMs: number;
  now?: () => number;
}

export const DEFAULT_GOVERNOR: GovernorOptions = { threshold: 10, ratio: 0.3, windowMs: 2_000, recoverMs: 2_000 };

interface ServiceWindow {
  attempts: number;
  throttles: number;
}

export class ConcurrencyGovernor {
  private windowStart: number;
  private services = new Map<string, ServiceWindow>();
  private lastChange: number;
  lowest: number;
  private readonly now: () => number;

  constructor(
    private readonly target: ConcurrencyTarget,
    private readonly ceiling: number,
    private readonly options: GovernorOptions = DEFAULT_GOVERNOR,
  ) {
    this.now = options.now ?? Date.now;
    this.windowStart = this.now();
    this.lastChange = this.windowStart;
    this.lowest = target.concurrency;
  }

  onThrottle(service: string): void {
    const window = this.window(service);
    window.attempts += 1;
    window.throttles += 1;
    if (this.persistent(window)) {
      this.target.concurrency = Math.max(1, Math.floor(this.target.concurrency / 2));
      this.lowest = Math.min(this.lowest, this.target.concurrency);
      this.lastChange = this.now();
      this.services.clear();
    }
  }

  onSuccess(service: string): void {
    this.window(service).attempts += 1;
    const now = this.now();
    if (this.target.concurrency < this.ceiling && now - this.lastChange >= this.options.recoverMs && this.calm()) {
      this.target.concurrency += 1;
      this.lastChange = now;
    }
  }

  /** No service near the trigger: sporadic throttles alone do not hold the concurrency down. */
  private calm(): boolean {
    return [...this.services.values()].every((window) => window.throttles / window.attempts < this.options.ratio / 2);
  }

  private persistent(window: ServiceWindow): boolean {
    return window.throttles >= this.options.threshold && window.throttles / window.attempts >= this.options.ratio;
  }

  private window(service: string): ServiceWindow {
    const now = this.now();
    if (now - this.windowStart >= this.options.windowMs) {
      this.services.clear();
      this.windowStart = now;
    }
    let window = this.services.get(service);
    if (!window) {
      window = { attempts: 0, throttles: 0 };
      this.services.set(service, window);
    }
    return window;
  }
}
