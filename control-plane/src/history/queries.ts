/**
 * The history's reads, one function per question, each one indexed query (see the migrations'
 * indexes): a page is `limit` rows in key order after the cursor, plus one row to tell whether
 * another page follows.
 */
import type { AttendanceHistoryRow, TrafficHistoryRow } from '@pulse/contracts';
import type { HistoryDb } from '../plugins/db.js';
import { decodeCursor, encodeCursor, HistoryRequestError, type TrafficRange } from './params.js';

/** Rows of one page, and the cursor of the next (null on the last page). */
export interface Page<T> {
  rows: T[];
  next: string | null;
}

const ATTENDANCE_SELECT = `SELECT course_id, section, class_date, unit, present, enrolled, rate,
  late, left_early, other_devices, over_capacity FROM attendance`;

function paged<T>(rows: T[], limit: number, key: (row: T) => string[]): Page<T> {
  if (rows.length <= limit) return { rows, next: null };
  const page = rows.slice(0, limit);
  return { rows: page, next: encodeCursor(key(page[page.length - 1]!)) };
}

/** One course section over an inclusive range of class dates, oldest first. */
export async function attendanceOfSection(
  db: HistoryDb,
  q: {
    course: string;
    section: string;
    from: string;
    to: string;
    cursor?: string | undefined;
    limit: number;
  },
): Promise<Page<AttendanceHistoryRow>> {
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, 1)[0]!;
  const params: unknown[] = [q.course, q.section, q.from, q.to, q.limit + 1];
  const rows = await db.query<AttendanceHistoryRow>(
    `${ATTENDANCE_SELECT}
     WHERE course_id = $1 AND section = $2 AND class_date BETWEEN $3 AND $4
     ${after === undefined ? '' : `AND class_date > $${params.push(after)}`}
     ORDER BY class_date LIMIT $5`,
    params,
  );
  return paged(rows, q.limit, (r) => [r.class_date]);
}

/** Every section on one class date, by course and section. */
export async function attendanceOnDate(
  db: HistoryDb,
  q: { date: string; cursor?: string | undefined; limit: number },
): Promise<Page<AttendanceHistoryRow>> {
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, 2);
  const params: unknown[] = [q.date, q.limit + 1];
  const rows = await db.query<AttendanceHistoryRow>(
    `${ATTENDANCE_SELECT}
     WHERE class_date = $1
     ${after === undefined ? '' : `AND (course_id, section) > ($${params.push(after[0])}, $${params.push(after[1])})`}
     ORDER BY course_id, section LIMIT $2`,
    params,
  );
  return paged(rows, q.limit, (r) => [r.course_id, r.section]);
}

const TRAFFIC_COLUMNS = 'pv, uv, status_2xx, status_3xx, status_4xx, status_5xx, status_other';

/** `timestamp` parameters: the UTC wall-clock time of an instant. */
const utc = (ms: number) => new Date(ms).toISOString().slice(0, 23).replace('T', ' ');

/** Traffic buckets of a range, oldest first: minute and hour rows by instant, day rows by date. */
export async function traffic(
  db: HistoryDb,
  range: TrafficRange,
  page: { cursor?: string | undefined; limit: number },
): Promise<Page<TrafficHistoryRow>> {
  const byDay = range.step === 'day';
  const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, 1)[0]!;
  if (after !== undefined && Number.isNaN(Date.parse(after)))
    throw new HistoryRequestError(
      'cursor: not a cursor this API returned (use the `next` of a page)',
    );
  const table = byDay ? 'traffic_day' : `traffic_${range.step}`;
  const key = byDay ? 'campus_day' : 'bucket_start';
  const params: unknown[] = byDay
    ? [range.fromDate, range.toDate, page.limit + 1]
    : [utc(range.fromMs), utc(range.toMs - 1), page.limit + 1];
  const rows = await db.query<TrafficHistoryRow>(
    `SELECT ${key} AS bucket, ${TRAFFIC_COLUMNS} FROM ${table}
     WHERE ${key} BETWEEN $1 AND $2
     ${after === undefined ? '' : `AND ${key} > $${params.push(byDay ? after : utc(Date.parse(after)))}`}
     ORDER BY ${key} LIMIT $3`,
    params,
  );
  return paged(rows, page.limit, (r) => [r.bucket]);
}

/** The first and last class date the attendance history holds. */
export async function attendanceDates(
  db: HistoryDb,
): Promise<{ first: string | null; last: string | null }> {
  const rows = await db.query<{ first: string | null; last: string | null }>(
    'SELECT min(class_date) AS first, max(class_date) AS last FROM attendance',
  );
  return rows[0] ?? { first: null, last: null };
}
