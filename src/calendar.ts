/** Days as the reports count them: whole UTC days between instants, and dates (YYYY-MM-DD) moved by days. */

const DAY_MS = 86_400_000;

/** Whole days from one instant (or date) to another; 0 when the second is not later, or either is not a date. */
export function daysBetween(from: string, to: string): number {
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) ? Math.max(0, Math.floor(ms / DAY_MS)) : 0;
}

/** The date (YYYY-MM-DD) `days` after the day of `date` (an instant or a date), in UTC. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(date.slice(0, 10)) + days * DAY_MS).toISOString().slice(0, 10);
}
