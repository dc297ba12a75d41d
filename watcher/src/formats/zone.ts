/**
 * Naive local times ("2019-09-02 15:23:02", no zone) to UTC, in an IANA zone, without a library:
 * Intl tells the zone's offset at an instant (kit's zone module); two rounds settle it, also across
 * DST changes.
 */
import { isTimeZone, offsetAt } from '@pulse/kit';
/** True when the zone name is one Intl knows. */
export const isValidZone = isTimeZone;

const NAIVE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/;

/**
 * UTC milliseconds of a naive local time in a zone, or undefined if it is not a valid time.
 * A time in a DST gap moves forward by the gap; an ambiguous one (the repeated hour) takes the
 * first occurrence, as a controller writing continuously would have meant.
 */
export function naiveToUtc(text: string, zone: string): number | undefined {
  const m = NAIVE.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  const wall = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const check = new Date(wall);
  if (
    check.getUTCFullYear() !== y ||
    check.getUTCMonth() !== mo - 1 ||
    check.getUTCDate() !== d ||
    h > 23 ||
    mi > 59 ||
    s > 59
  )
    return undefined;
  // The zone's offsets a day either side bracket any change near this wall time.
  const before = offsetAt(zone, wall - 86_400_000);
  const after = offsetAt(zone, wall + 86_400_000);
  const valid = [...new Set([before, after])]
    .map((o) => wall - o * 60_000)
    .filter((utc) => offsetAt(zone, utc) * 60_000 === wall - utc);
  if (valid.length > 0) return Math.min(...valid);
  // In a gap no instant has this wall time: read it with the offset before the change.
  return wall - before * 60_000;
}

/** 'yyyy-MM-dd HH:mm:ss.SSS' in UTC: the SQL timestamp form Flink's JSON format reads. */
export function sqlUtc(ms: number): string {
  // Consecutive log lines mostly share their second: format that once (a hot path at 100k lines/s).
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastPrefix = new Date(second * 1000).toISOString().slice(0, 19).replace('T', ' ');
  }
  return `${lastPrefix}.${String(ms - second * 1000).padStart(3, '0')}`;
}

let lastSecond = Number.NaN;
let lastPrefix = '';
