/**
 * bench:history's data: 30 days of minute traffic (and the hours and days over them) up to now,
 * and a 16-week term of attendance for 400 sections, each meeting twice a week.
 */
import type pg from 'pg';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** Inserts rows through one JSON parameter per chunk (PostgreSQL expands them server-side). */
async function insert(pool: pg.Pool, table: string, rows: object[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 10_000) {
    await pool.query(
      `INSERT INTO ${table} SELECT * FROM json_populate_recordset(null::${table}, $1)`,
      [JSON.stringify(rows.slice(i, i + 10_000))],
    );
  }
}

function traffic(i: number) {
  const pv = 200 + ((i * 7919) % 900);
  return {
    pv,
    uv: Math.floor(pv / 3),
    status_2xx: Math.floor(pv * 0.8),
    status_3xx: Math.floor(pv * 0.1),
    status_4xx: Math.floor(pv * 0.07),
    status_5xx: Math.floor(pv * 0.02),
    status_other:
      pv -
      Math.floor(pv * 0.8) -
      Math.floor(pv * 0.1) -
      Math.floor(pv * 0.07) -
      Math.floor(pv * 0.02),
  };
}

const utc = (ms: number) => new Date(ms).toISOString().replace('Z', '');

/** 30 days of minute rows ending at the last whole minute, with their hours and days. */
export async function loadTraffic(
  pool: pg.Pool,
  now: number,
): Promise<{ minutes: number; first: number; last: number }> {
  const last = Math.floor(now / MINUTE) * MINUTE - MINUTE;
  const count = 30 * 1440;
  const first = last - (count - 1) * MINUTE;
  await insert(
    pool,
    'traffic_minute',
    Array.from({ length: count }, (_, i) => ({
      bucket_start: utc(first + i * MINUTE),
      ...traffic(i),
    })),
  );
  await insert(
    pool,
    'traffic_hour',
    Array.from({ length: 30 * 24 }, (_, i) => ({
      bucket_start: utc(Math.floor(first / 3_600_000) * 3_600_000 + i * 3_600_000),
      ...traffic(i),
    })),
  );
  await insert(
    pool,
    'traffic_day',
    Array.from({ length: 31 }, (_, i) => ({
      campus_day: new Date(first + i * DAY).toISOString().slice(0, 10),
      ...traffic(i),
    })),
  );
  return { minutes: count, first, last };
}

export interface Term {
  sections: { course: string; section: string }[];
  start: string;
  end: string;
  classDates: string[];
  rows: number;
}

/** 400 sections (200 courses, two sections each), 16 weeks, two meetings a week each. */
export async function loadTerm(pool: pg.Pool): Promise<Term> {
  const start = Date.UTC(2026, 8, 7); // a Monday
  const sections = Array.from({ length: 400 }, (_, i) => ({
    course: `C${String(1000 + Math.floor(i / 2))}`,
    section: `L0${(i % 2) + 1}`,
  }));
  const rows: object[] = [];
  const classDates = new Set<string>();
  sections.forEach(({ course, section }, i) => {
    const enrolled = 20 + (i % 80);
    for (let week = 0; week < 16; week++)
      for (const weekday of [i % 3, (i % 3) + 2]) {
        const date = new Date(start + (week * 7 + weekday) * DAY).toISOString().slice(0, 10);
        classDates.add(date);
        const present = Math.floor(enrolled * (0.5 + ((i + week) % 50) / 100));
        rows.push({
          course_id: course,
          section,
          class_date: date,
          unit: 'students',
          present,
          enrolled,
          rate: present / enrolled,
          late: week % 4,
          left_early: week % 3,
          other_devices: i % 5,
          over_capacity: false,
        });
      }
  });
  await insert(pool, 'attendance', rows);
  return {
    sections,
    start: new Date(start).toISOString().slice(0, 10),
    end: new Date(start + 16 * 7 * DAY - DAY).toISOString().slice(0, 10),
    classDates: [...classDates].sort(),
    rows: rows.length,
  };
}
