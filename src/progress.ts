import type { ScanProgress } from "./aws/scan.js";
import { INVENTORY_SCHEMA_VERSION, type AccountRecord } from "./inventory.js";
import { evaluateInventory } from "./rules/evaluate.js";

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
  private readonly started: number;

  constructor(private readonly now: () => number = Date.now) {
    this.started = now();
  }

  record(account: AccountRecord, progress: ScanProgress): void {
    this.done = progress.done;
    this.total = progress.total;
    const { findings, verdicts } = evaluateInventory({
      schemaVersion: INVENTORY_SCHEMA_VERSION,
      generatedAt: "",
      partition: progress.partition,
      globalEventsRegion: progress.globalEventsRegion,
      organizationTrails: progress.organizationTrails ?? [],
      ...(progress.organizationTrails ? (progress.organizationTrailsError ? { organizationTrailsError: progress.organizationTrailsError } : {}) : { organizationTrailsError: "not read yet" }),
      accounts: [account],
      durationMs: 0,
    });
    this.findings += findings.length;
    if (verdicts[0]?.verdict === "not-assessed") this.notAssessed += 1;
  }

  /** Seconds left at the pace so far; undefined before the first account is done. */
  etaSeconds(): number | undefined {
    if (this.done === 0) return undefined;
    const elapsed = (this.now() - this.started) / 1000;
    return Math.max(0, Math.round((elapsed / this.done) * (this.total - this.done)));
  }

  line(): string {
    const eta = this.etaSeconds();
    return `Scanned ${this.done}/${this.total} accounts; findings so far: ${this.findings}, not assessed: ${this.notAssessed}; ETA ${eta === undefined ? "unknown" : formatDuration(eta)}.`;
  }
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes}m ${seconds % 60}s` : `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

/** Prints the tracker's line at most every intervalMs, for logs (the Actions log, a pipe). */
export function periodicLines(tracker: ProgressTracker, print: (line: string) => void, intervalMs = 5_000, now: () => number = Date.now) {
  let last = now();
  return (account: AccountRecord, progress: ScanProgress) => {
    tracker.record(account, progress);
    if (now() - last >= intervalMs) {
      last = now();
      print(tracker.line());
    }
  };
}
