/**
 * Turns a history request's dates, range, step and cursor into what the queries read, or refuses
 * it with a 400 that says what is wrong. Pure functions: tested without a database.
 */
import { CodedError } from '@pulse/kit';
import type { TrafficStep } from '@pulse/contracts';
import { DEFAULT_RANGE_DAYS, MAX_RANGE_DAYS } from './constants.js';
import {
  addDays,
  campusDate,
  campusMidnight,
  daysBetween,
  isCalendarDate,
  parseInstant,
} from './time.js';

/** A request the history cannot answer as asked; the message says why. */
export class HistoryRequestError extends CodedError {
  constructor(message: string) {
    super('HISTORY_BAD_REQUEST', message, false);
    this.name = 'HistoryRequestError';
  }
}

function calendarDate(name: string, value: string): string {
  if (!isCalendarDate(value))
    throw new HistoryRequestError(`${name}: "${value}" is not a calendar date (YYYY-MM-DD)`);
  return value;
}

/** An inclusive range of campus dates for one section, defaulting to the last 180 days. */
export function attendanceRange(
  query: { from?: string | undefined; to?: string | undefined },
  today: string,
): { from: string; to: string } {
  const to = query.to === undefined ? today : calendarDate('to', query.to);
  const from =
    query.from === undefined
      ? addDays(to, -(DEFAULT_RANGE_DAYS.attendance - 1))
      : calendarDate('from', query.from);
  checkSpan(from, to, daysBetween(from, to) + 1, MAX_RANGE_DAYS.attendance, 'attendance');
  return { from, to };
}

/** A traffic range: UTC instants for minute and hour rows, campus dates for day rows. */
export interface TrafficRange {
  step: TrafficStep;
  /** Instants, `to` excluded. */
  fromMs: number;
  toMs: number;
  /** Campus dates, both included (what day rows are keyed by). */
  fromDate: string;
  toDate: string;
}

/**
 * `from`/`to` are campus dates (from its midnight; `to` included to the end of its day) or
 * ISO-8601 instants (`to` excluded). Without them the range ends now and reaches back one day
 * (minute), seven (hour) or thirty (day).
 */
export function trafficRange(
  query: { from?: string | undefined; to?: string | undefined; step?: TrafficStep | undefined },
  now: number,
  zone: string,
): TrafficRange {
  const step = query.step ?? 'hour';
  const bound = (name: 'from' | 'to', value: string): number => {
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
      const date = calendarDate(name, value);
      return campusMidnight(name === 'to' ? addDays(date, 1) : date, zone);
    }
    const ms = parseInstant(value);
    if (ms === undefined)
      throw new HistoryRequestError(
        `${name}: "${value}" is neither a date (YYYY-MM-DD) nor an ISO-8601 instant with an offset (2026-09-02T08:00:00+08:00)`,
      );
    return ms;
  };
  let toMs = query.to === undefined ? now : bound('to', query.to);
  let fromMs: number;
  if (query.from !== undefined) fromMs = bound('from', query.from);
  else if (step === 'day')
    fromMs = campusMidnight(
      addDays(campusDate(toMs - 1, zone), -(DEFAULT_RANGE_DAYS.day - 1)),
      zone,
    );
  else fromMs = toMs - DEFAULT_RANGE_DAYS[step] * 86_400_000;
  if (toMs <= fromMs) {
    const iso = (ms: number) => new Date(ms).toISOString();
    throw new HistoryRequestError(`from (${iso(fromMs)}) must be before to (${iso(toMs)})`);
  }
  if (step === 'day') {
    // Day rows cover whole campus days: widen the range to them.
    const fromDate = campusDate(fromMs, zone);
    const toDate = campusDate(Math.max(fromMs, toMs - 1), zone);
    fromMs = campusMidnight(fromDate, zone);
    toMs = campusMidnight(addDays(toDate, 1), zone);
    checkSpan(fromDate, toDate, daysBetween(fromDate, toDate) + 1, MAX_RANGE_DAYS.day, 'day');
    return { step, fromMs, toMs, fromDate, toDate };
  }
  const iso = (ms: number) => new Date(ms).toISOString();
  checkSpan(iso(fromMs), iso(toMs), (toMs - fromMs) / 86_400_000, MAX_RANGE_DAYS[step], step);
  return {
    step,
    fromMs,
    toMs,
    fromDate: campusDate(fromMs, zone),
    toDate: campusDate(Math.max(fromMs, toMs - 1), zone),
  };
}

function checkSpan(from: string, to: string, days: number, max: number, what: string): void {
  if (days <= 0 || from > to)
    throw new HistoryRequestError(`from (${from}) must be before to (${to})`);
  if (days > max) {
    const hint =
      what === 'minute' ? '; ask for step=hour' : what === 'hour' ? '; ask for step=day' : '';
    throw new HistoryRequestError(
      `the range is ${Math.ceil(days)} days; ${what === 'attendance' ? 'attendance' : `step=${what}`} allows at most ${max} days per request${hint}`,
    );
  }
}

/** A page's position: the sort key of its last row, opaque to clients. */
export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Reads a cursor back; one this API did not write is a 400. */
export function decodeCursor(cursor: string, parts: number): string[] {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.length === parts && key.every((k) => typeof k === 'string'))
      return key as string[];
  } catch {
    // fall through to the refusal
  }
  throw new HistoryRequestError(
    'cursor: not a cursor this API returned (use the `next` of a page)',
  );
}
