/**
 * Campus-local calendar arithmetic with the platform's time-zone data (Intl), so daylight-saving
 * zones work too. Dates are `YYYY-MM-DD` strings; instants are epoch milliseconds.
 */
import { isTimeZone, wallClock } from '@pulse/kit';
const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD (2026-02-30 is not one). */
export function isCalendarDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** An ISO-8601 instant with its offset (`2026-09-02T08:00:00+08:00`, `...Z`), or undefined. */
export function parseInstant(s: string): number | undefined {
  if (!INSTANT.test(s)) return undefined;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The date `n` days after (or before) a date. */
export function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `a` to `b` (positive when b is later). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);
}

/** True when the platform knows the IANA zone. */
export { isTimeZone };

/** The campus-local date of an instant. */
export function campusDate(ms: number, zone: string): string {
  return new Date(wallClock(ms, zone)).toISOString().slice(0, 10);
}

/** The instant a campus-local date begins (its first existing minute on a DST day). */
export function campusMidnight(date: string, zone: string): number {
  const wall = Date.parse(`${date}T00:00:00Z`);
  // Offsets differ at most by a few hours across a day: two corrections settle on the instant.
  let guess = wall - (wallClock(wall, zone) - wall);
  guess = wall - (wallClock(guess, zone) - guess);
  return campusDate(guess, zone) < date ? guess + 3_600_000 : guess;
}
