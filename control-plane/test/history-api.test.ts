/**
 * The history API over a real PostgreSQL holding generated weeks of attendance and traffic: it
 * answers the seed system's two questions ("rate of course X on date D", "all courses on date D"),
 * reads traffic by minute, hour and campus day, pages without losing or repeating a row, answers
 * CSV equal to its JSON, refuses bad requests with the reason, and says 503 when the database is
 * gone. Open to viewers: no request here carries a token.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ATTENDANCE_HISTORY_COLUMNS,
  TRAFFIC_HISTORY_COLUMNS,
  type AttendanceHistoryRow,
  type TrafficHistoryRow,
} from '@pulse/contracts';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { pruneHistory } from '../src/history/retention.js';
import { asCsvRows, freshDatabase, parseCsv, seeded } from './history-helpers.js';

const TERM_START = Date.UTC(2026, 8, 7); // Monday 7 September 2026
const WEEKS = 6;
const COURSES = ['CS101', 'CS102', 'MA201', 'PH110', 'EC120', 'BI150', 'HI100', 'LA300'];
const SECTIONS = ['L01', 'L02', 'L03'];
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A term of attendance: every section meets on two weekdays; a few rows count devices. */
function generateAttendance(): AttendanceHistoryRow[] {
  const rnd = seeded(13);
  const rows: AttendanceHistoryRow[] = [];
  for (const course_id of COURSES)
    for (const section of SECTIONS) {
      const first = Math.floor(rnd() * 3);
      const enrolled = 20 + Math.floor(rnd() * 60);
      for (let w = 0; w < WEEKS; w++)
        for (const weekday of [first, first + 2]) {
          const devices = rnd() < 0.2;
          const present = Math.floor(enrolled * (devices ? 0.6 + rnd() * 0.6 : rnd()));
          rows.push({
            course_id,
            section,
            class_date: day(TERM_START + (w * 7 + weekday) * 86_400_000),
            unit: devices ? 'devices' : 'students',
            present,
            enrolled,
            rate: present / enrolled,
            late: Math.floor(present * rnd() * 0.2),
            left_early: Math.floor(present * rnd() * 0.1),
            other_devices: Math.floor(rnd() * 5),
            over_capacity: devices && present > enrolled,
          });
        }
    }
  return rows;
}

/** Traffic buckets: `count` of them from `start`, `stepMs` apart. */
function generateTraffic(start: number, stepMs: number, count: number, seed: number) {
  const rnd = seeded(seed);
  return Array.from({ length: count }, (_, i) => {
    const s = [0, 0, 0, 0, 0].map(() => Math.floor(rnd() * 500));
    return {
      bucket: new Date(start + i * stepMs).toISOString(),
      pv: s.reduce((a, b) => a + b, 0),
      uv: Math.floor(rnd() * 300),
      status_2xx: s[0]!,
      status_3xx: s[1]!,
      status_4xx: s[2]!,
      status_5xx: s[3]!,
      status_other: s[4]!,
    } satisfies TrafficHistoryRow;
  });
}

const byKey = (a: AttendanceHistoryRow, b: AttendanceHistoryRow) =>
  a.course_id.localeCompare(b.course_id) || a.section.localeCompare(b.section);

describe('history API', () => {
  let app: FastifyInstance;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const attendance = generateAttendance();
  const minutes = generateTraffic(Date.UTC(2026, 8, 1, 12), 60_000, 3 * 1440, 1);
  const hours = generateTraffic(Date.UTC(2026, 7, 20), 3_600_000, 21 * 24, 2);
  const days = generateTraffic(Date.UTC(2026, 7, 1), 86_400_000, 40, 3).map((r) => ({
    ...r,
    bucket: r.bucket.slice(0, 10),
  }));

  beforeAll(async () => {
    db = await freshDatabase('pulse_history_api');
    await db.pool.query(
      `INSERT INTO attendance SELECT * FROM json_populate_recordset(null::attendance, $1)`,
      [JSON.stringify(attendance)],
    );
    for (const [table, key, rows] of [
      ['traffic_minute', 'bucket_start', minutes],
      ['traffic_hour', 'bucket_start', hours],
      ['traffic_day', 'campus_day', days],
    ] as const) {
      await db.pool.query(
        `INSERT INTO ${table} SELECT * FROM json_populate_recordset(null::${table}, $1)`,
        [
          JSON.stringify(
            rows.map(({ bucket, ...r }) => ({ [key]: bucket.replace('Z', ''), ...r })),
          ),
        ],
      );
    }
    app = await buildApp({
      // Retention far beyond the generated dates: the scheduled pruning must not race the reads
      // (pruning is tested below with its own clock).
      config: {
        ...loadConfig(process.env),
        databaseUrl: db.url,
        stateDir: mkdtempSync(join(tmpdir(), 'history-api-state-')),
        historyRetentionDays: 3650,
        logLevel: 'warn',
      },
      relay: false,
    });
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const get = (url: string) => app.inject({ url });

  it('answers "the rate of course X on date D", and X over the whole term', async () => {
    const row = attendance.find((r) => r.course_id === 'MA201' && r.section === 'L02')!;
    const one = await get(
      `/api/history/attendance?course=MA201&section=L02&from=${row.class_date}&to=${row.class_date}`,
    );
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json()).toEqual({ rows: [row], next: null });

    const term = await get(
      `/api/history/attendance?course=MA201&section=L02&from=${day(TERM_START)}&to=${day(TERM_START + WEEKS * 7 * 86_400_000)}`,
    );
    const expected = attendance.filter((r) => r.course_id === 'MA201' && r.section === 'L02');
    expect(expected).toHaveLength(WEEKS * 2);
    expect(term.json().rows).toEqual(expected);
  });

  it('answers "all courses on date D", page by page, each row once', async () => {
    const date = attendance[5]!.class_date;
    const expected = attendance.filter((r) => r.class_date === date).sort(byKey);
    expect(expected.length).toBeGreaterThan(5);
    const seen: AttendanceHistoryRow[] = [];
    let url: string | undefined = `/api/history/attendance/${date}?limit=3`;
    let pages = 0;
    while (url) {
      const res = await get(url);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as { rows: AttendanceHistoryRow[]; next: string | null };
      seen.push(...body.rows);
      pages++;
      const link = res.headers.link as string | undefined;
      expect(Boolean(link)).toBe(body.next !== null);
      url = link ? /<([^>]+)>/.exec(link)![1] : undefined;
    }
    expect(pages).toBe(Math.ceil(expected.length / 3));
    expect(seen).toEqual(expected);
  });

  it('answers CSV with exactly the rows and columns of its JSON', async () => {
    const date = attendance[0]!.class_date;
    for (const url of [
      `/api/history/attendance/${date}`,
      `/api/history/attendance?course=CS101&section=L01&from=2026-09-01&to=2026-10-31`,
    ]) {
      const json = (await get(url)).json() as { rows: AttendanceHistoryRow[] };
      const csv = await get(`${url}${url.includes('?') ? '&' : '?'}format=csv`);
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(json.rows.length).toBeGreaterThan(0);
      expect(parseCsv(csv.body)).toEqual(asCsvRows(ATTENDANCE_HISTORY_COLUMNS, json.rows));
    }
    const traffic = '/api/history/traffic?step=hour&from=2026-08-25&to=2026-08-27';
    const json = (await get(traffic)).json() as { rows: TrafficHistoryRow[] };
    expect(json.rows).toHaveLength(72);
    expect(parseCsv((await get(`${traffic}&format=csv`)).body)).toEqual(
      asCsvRows(TRAFFIC_HISTORY_COLUMNS, json.rows),
    );
  });

  it('reads traffic by minute over a campus day, by hour and by campus day', async () => {
    // The campus day 2 September (Asia/Shanghai) is 16:00 UTC on the 1st to 16:00 UTC on the 2nd.
    const from = Date.UTC(2026, 8, 1, 16);
    const wanted = minutes.filter((m) => {
      const t = Date.parse(m.bucket);
      return t >= from && t < from + 86_400_000;
    });
    const got: TrafficHistoryRow[] = [];
    let cursor = '';
    for (;;) {
      const res = await get(
        `/api/history/traffic?step=minute&from=2026-09-02&to=2026-09-02${cursor && `&cursor=${cursor}`}`,
      );
      const body = res.json() as { rows: TrafficHistoryRow[]; next: string | null; from: string };
      expect(body.from).toBe('2026-09-01T16:00:00.000Z');
      got.push(...body.rows);
      if (!body.next) break;
      cursor = body.next;
    }
    expect(got).toEqual(wanted);
    expect(got).toHaveLength(1440);

    const hourly = await get(
      '/api/history/traffic?step=hour&from=2026-08-22T00:00:00Z&to=2026-08-22T06:00:00Z',
    );
    expect(hourly.json().rows).toEqual(hours.slice(48, 54));

    const daily = await get('/api/history/traffic?step=day&from=2026-08-10&to=2026-08-19');
    expect(daily.json()).toMatchObject({ step: 'day', rows: days.slice(9, 19) });
  });

  it('refuses a bad date, step or range with the reason', async () => {
    const cases: [string, RegExp][] = [
      ['/api/history/attendance/2026-02-30', /"2026-02-30" is not a calendar date/],
      ['/api/history/attendance/yesterday', /must match pattern/],
      [
        '/api/history/attendance?course=CS101&section=L01&from=2026-10-01&to=2026-09-01',
        /must be before/,
      ],
      [
        '/api/history/attendance?course=CS101&section=L01&from=2024-01-01&to=2026-01-01',
        /at most 366 days/,
      ],
      ['/api/history/attendance?section=L01', /must have required property 'course'/],
      ['/api/history/traffic?step=week', /step must be equal to one of the allowed values/],
      [
        '/api/history/traffic?step=minute&from=2026-09-01&to=2026-09-30',
        /step=minute allows at most 7 days/,
      ],
      ['/api/history/traffic?from=noon', /neither a date/],
      ['/api/history/traffic?format=xml', /format must be equal to one of the allowed values/],
      ['/api/history/traffic?cursor=abc', /not a cursor this API returned/],
    ];
    for (const [url, reason] of cases) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().message, url).toMatch(reason);
    }
  });

  it('describes itself: campus zone, today on campus, limits, the attendance dates held', async () => {
    const res = await get('/api/history');
    expect(res.json()).toMatchObject({
      campusTimeZone: 'Asia/Shanghai',
      minuteRetentionDays: 3650,
      maxRangeDays: { attendance: 366, minute: 7, hour: 92, day: 1096 },
      attendanceDates: {
        first: attendance.map((r) => r.class_date).sort()[0],
        last: attendance
          .map((r) => r.class_date)
          .sort()
          .at(-1),
      },
    });
    const spec = (await get('/docs/json')).json() as {
      paths: Record<string, { get: { responses: Record<string, { content: object }> } }>;
    };
    expect(Object.keys(spec.paths['/api/history/traffic']!.get.responses['200']!.content)).toEqual([
      'application/json',
      'text/csv',
    ]);
  });

  it('prunes minute rows past retention and keeps hours and days', async () => {
    const now = Date.parse(minutes[0]!.bucket) + 30 * 86_400_000 + 90 * 60_000;
    const removed = await pruneHistory(app.db, 30, now);
    expect(removed).toEqual({ traffic_minute: 90, pvuv_window: 0 });
    const left = await db.pool.query(
      'SELECT (SELECT count(*) FROM traffic_minute)::int AS m, (SELECT count(*) FROM traffic_hour)::int AS h',
    );
    expect(left.rows[0]).toEqual({ m: minutes.length - 90, h: hours.length });
  });

  it('answers 503, not a hang or a stack, while the database cannot be reached', async () => {
    const gone = await buildApp({
      config: {
        ...loadConfig(process.env),
        databaseUrl: 'postgresql://postgres:postgres@127.0.0.1:1/pulse',
        logLevel: 'silent',
      },
      relay: false,
    });
    try {
      const res = await gone.inject({ url: '/api/history/attendance/2026-09-07' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ error: 'HISTORY_UNAVAILABLE' });
      expect((await gone.inject({ url: '/health' })).statusCode).toBe(200);
    } finally {
      await gone.close();
    }
  });
});
