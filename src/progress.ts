import type { ScanProgress } from "./aws/scan.js";
import type { AccountRecord } from "./inventory.js";
import { countOf } from "./plural.js";
import { evaluateInventory } from "./rules/evaluate.js";

/** An estimate waits for this many accounts, and this share of the total, to be done. */
const ETA_MIN_SAMPLES = 10;
const ETA_MIN_SHARE = 0.05;

/**
 * Counts a long scan as it goes: accounts done of those selected, findings so far, and
 * an estimate of the time left. Each account is judged as it finishes, against the
 * organization trails that the scan reads first.
 */
export class ProgressTracker {
  done = 0;
  total = 0;
  findings = 0;
  notAssessed = 0;
  private listingComplete = false;
  private waiting: AccountRecord[] = [];
  private firstDoneAt: number | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  record(account: AccountRecord, progress: ScanProgress): void {
    this.done = progress.done;
    this.total = progress.total;
    this.listingComplete = progress.listingComplete;
    this.firstDoneAt ??= this.now();
    // Judged as the result will be, against the same organization trails and stores, as
    // of the same time; accounts done before those are read wait for them.
    this.waiting.push(account);
    if (!progress.context) return;
    const { findings, verdicts } = evaluateInventory({ ...progress.context, accounts: this.waiting, durationMs: 0 });
    this.waiting = [];
    this.findings += findings.length;
    this.notAssessed += verdicts.filter((verdict) => verdict.verdict === "not-assessed").length;
  }

  /**
   * Seconds left at the pace so far, once it means something: the total is known (listing
   * done) and enough accounts are done. The pace is measured from the first account done,
   * not from the start, so the warm-up (credentials, organization trails, the first
   * connections) does not inflate it: it made a 20-second scan first promise 4 minutes.
   */
  etaSeconds(): number | undefined {
    if (
      !this.listingComplete ||
      this.firstDoneAt === undefined ||
      this.done < Math.min(this.total, Math.max(ETA_MIN_SAMPLES, Math.ceil(this.total * ETA_MIN_SHARE)))
    ) {
      return undefined;
    }
    const perAccount = (this.now() - this.firstDoneAt) / 1000 / Math.max(1, this.done - 1);
    return Math.max(0, Math.round(perAccount * (this.total - this.done)));
  }

  /** "1m 5s", or what the estimate waits for. */
  etaText(): string {
    const eta = this.etaSeconds();
    if (eta !== undefined) return formatDuration(eta);
    return this.listingComplete ? "estimating" : "listing accounts";
  }

  line(): string {
    return (
      `Scanned ${this.done}/${countOf(this.total, "account")}; findings so far: ${this.findings}, not ` +
      `assessed: ${this.notAssessed}; ETA ${this.etaText()}.`
    );
  }
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes}m ${seconds % 60}s` : `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

/** Prints the tracker's line at most every intervalMs, for logs (the Actions log, a pipe). */
export function periodicLines(
  tracker: ProgressTracker,
  print: (line: string) => void,
  intervalMs = 5_000,
  now: () => number = Date.now,
) {
  let last = now();
  return (account: AccountRecord, progress: ScanProgress) => {
    tracker.record(account, progress);
    if (now() - last >= intervalMs) {
      last = now();
      print(tracker.line());
    }
  };
}
