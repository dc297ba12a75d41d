/** Typed reads of the control plane's history API (`/api/history`), following its pages. */
import type {
  AttendanceHistory,
  AttendanceHistoryRow,
  ErrorBody,
  HistoryInfo,
  TrafficHistory,
  TrafficHistoryRow,
  TrafficStep,
} from '@pulse/contracts';
import { ApiError } from './jobs.js';

async function getJson<T>(path: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { headers: { accept: 'application/json' } });
  } catch (cause) {
    throw new ApiError(0, {
      error: 'NETWORK',
      message: `control plane unreachable: ${(cause as Error).message}`,
    });
  }
  const body = (await response.json().catch(() => ({}))) as T & Partial<ErrorBody>;
  if (!response.ok)
    throw new ApiError(response.status, {
      error: body.error ?? `HTTP_${response.status}`,
      message: body.message ?? response.statusText,
    });
  return body;
}

/** Every row of a paged answer: follows `next` until the last page. */
async function allPages<R, P extends { rows: R[]; next: string | null }>(
  path: string,
): Promise<R[]> {
  const rows: R[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page: P = await getJson<P>(
      cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path,
    );
    rows.push(...page.rows);
    cursor = page.next;
  } while (cursor);
  return rows;
}

/** GET /api/history: campus zone and today's campus date, limits, the dates held. */
export function fetchHistoryInfo(): Promise<HistoryInfo> {
  return getJson<HistoryInfo>('/api/history');
}

/** GET /api/history/attendance/:date, every page: every section on a campus date. */
export function fetchAttendanceOnDate(date: string): Promise<AttendanceHistoryRow[]> {
  return allPages<AttendanceHistoryRow, AttendanceHistory>(
    `/api/history/attendance/${encodeURIComponent(date)}`,
  );
}

/** GET /api/history/attendance for one section over campus dates (both included). */
export function fetchSectionTrend(
  course: string,
  section: string,
  from: string,
  to: string,
): Promise<AttendanceHistoryRow[]> {
  const q = new URLSearchParams({ course, section, from, to });
  return allPages<AttendanceHistoryRow, AttendanceHistory>(`/api/history/attendance?${q}`);
}

/** GET /api/history/traffic with the API's default range for the step (7 days of hours, 30 of days). */
export function fetchTraffic(step: TrafficStep): Promise<TrafficHistoryRow[]> {
  return allPages<TrafficHistoryRow, TrafficHistory>(`/api/history/traffic?step=${step}`);
}
