/**
 * attendance.sql on the real cluster: rates equal those computed here from generated associations
 * (devices outside class time, in other rooms, failed associations and repeats included), and an
 * enrolled-count change in the schedule changes the rate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { ScheduleRow } from '@pulse/contracts';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import {
  brokers,
  createTopics,
  deleteTopics,
  flinkUrl,
  produce,
  readUntil,
  sqlTimestamp,
  uid,
} from './kafka-helpers.js';

const TOKEN = 'test-operator-token-attendance';

type Section = ScheduleRow;
interface Assoc {
  mac: string;
  ap: string;
  local: string;
  result: string;
}

// 2026-03-02 is a Monday (ISO weekday 1), 2026-03-03 a Tuesday.
const SECTIONS: Section[] = [
  {
    course_id: 'CSC1001',
    section: 'L01',
    room: 'TA-101',
    aps: ['TA-1F-01', 'TA-1F-02'],
    weekday: 1,
    start_time: '09:00:00',
    end_time: '10:50:00',
    enrolled: 40,
  },
  {
    course_id: 'MAT2040',
    section: 'L02',
    room: 'TB-105',
    aps: ['TB-1F-05'],
    weekday: 1,
    start_time: '10:30:00',
    end_time: '12:20:00',
    enrolled: 25,
  },
  {
    course_id: 'ECO2011',
    section: 'L01',
    room: 'TA-101',
    aps: ['TA-1F-01', 'TA-1F-02'],
    weekday: 2,
    start_time: '09:00:00',
    end_time: '10:50:00',
    enrolled: 30,
  },
];

function generate(): Assoc[] {
  const out: Assoc[] = [];
  const mac = (p: string, i: number) => `${p}-${String(i).padStart(4, '0')}`;
  // CSC1001 Monday: 30 devices in class (some twice, on both APs), 5 failed only, 4 before class.
  for (let i = 0; i < 30; i++) {
    out.push({
      mac: mac('aa', i),
      ap: 'TA-1F-01',
      local: `2026-03-02 09:${String(5 + (i % 40)).padStart(2, '0')}:10`,
      result: 'Success',
    });
    if (i % 3 === 0)
      out.push({
        mac: mac('aa', i),
        ap: 'TA-1F-02',
        local: `2026-03-02 10:${String(10 + (i % 30)).padStart(2, '0')}:00`,
        result: 'Success',
      });
  }
  for (let i = 0; i < 5; i++)
    out.push({ mac: mac('fa', i), ap: 'TA-1F-02', local: '2026-03-02 09:30:00', result: 'Fail' });
  for (let i = 0; i < 4; i++)
    out.push({
      mac: mac('ea', i),
      ap: 'TA-1F-01',
      local: '2026-03-02 08:40:00',
      result: 'Success',
    });
  // MAT2040 Monday: 12 devices; 3 of them also seen in TA-101 (other room) and after class.
  for (let i = 0; i < 12; i++)
    out.push({
      mac: mac('bb', i),
      ap: 'TB-1F-05',
      local: `2026-03-02 11:${String(i * 4).padStart(2, '0')}:00`,
      result: 'Success',
    });
  for (let i = 0; i < 3; i++)
    out.push({
      mac: mac('bb', i),
      ap: 'TA-1F-01',
      local: '2026-03-02 12:00:00',
      result: 'Success',
    });
  for (let i = 0; i < 6; i++)
    out.push({
      mac: mac('cb', i),
      ap: 'TB-1F-05',
      local: '2026-03-02 12:30:00',
      result: 'Success',
    });
  // Tuesday: ECO2011 in TA-101 gets 9 devices; CSC1001 (a Monday class) gets none of them.
  for (let i = 0; i < 9; i++)
    out.push({
      mac: mac('dd', i),
      ap: 'TA-1F-02',
      local: `2026-03-03 09:${String(20 + i).padStart(2, '0')}:00`,
      result: 'Success',
    });
  return out;
}

/** The rule, computed independently: distinct successful devices on the room's APs during class. */
function expected(
  sections: Section[],
  assocs: Assoc[],
): Map<string, { present: number; enrolled: number; rate: number }> {
  const out = new Map<string, { present: number; enrolled: number; rate: number }>();
  for (const s of sections) {
    const byDate = new Map<string, Set<string>>();
    for (const a of assocs) {
      const [date, time] = a.local.split(' ') as [string, string];
      const weekday = ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
      if (
        a.result !== 'Success' ||
        !s.aps.includes(a.ap) ||
        weekday !== s.weekday ||
        time < s.start_time ||
        time >= s.end_time
      )
        continue;
      const set = byDate.get(date) ?? new Set<string>();
      set.add(a.mac);
      byDate.set(date, set);
    }
    for (const [date, macs] of byDate)
      out.set(`${s.course_id}|${s.section}|${date}`, {
        present: macs.size,
        enrolled: s.enrolled,
        rate: macs.size / s.enrolled,
      });
  }
  return out;
}

function scheduleRecord(s: Section) {
  return {
    key: JSON.stringify({ course_id: s.course_id, section: s.section }),
    value: JSON.stringify({ ...s, aps_csv: s.aps.join(','), timezone: 'Asia/Shanghai' }),
  };
}

function wifiRecord(a: Assoc, i: number) {
  // Campus time is UTC+8 here: the UTC event time is eight hours earlier.
  const utc = Date.parse(`${a.local.replace(' ', 'T')}+08:00`);
  return {
    key: a.mac,
    value: JSON.stringify({
      event_time: sqlTimestamp(utc),
      ts_ms: utc,
      local_time: a.local,
      mac: a.mac,
      apname: a.ap,
      currentapname: a.ap,
      ssid: 'CAMPUS',
      connectresult: a.result,
      uppacketnum: 1,
      upbyte: 1,
      downpacketnum: 1,
      downbyte: 1,
      source_file: '/logs/wifi.log',
      source_offset: i,
    }),
  };
}

/** The upsert topic folded into its current table (last value per key; null deletes). */
function table(records: { key: string | null; value: string | null }[]) {
  const rows = new Map<string, { present: number; enrolled: number; rate: number }>();
  for (const r of records) {
    const k = JSON.parse(r.key!) as { course_id: string; section: string; class_date: string };
    const id = `${k.course_id}|${k.section}|${k.class_date}`;
    if (r.value === null) rows.delete(id);
    else {
      const v = JSON.parse(r.value) as { present: number; enrolled: number; rate: number };
      rows.set(id, { present: v.present, enrolled: v.enrolled, rate: v.rate });
    }
  }
  return rows;
}

const sameTable = (a: Map<string, { rate: number }>, b: Map<string, { rate: number }>) =>
  a.size === b.size &&
  [...b].every(([k, v]) => a.has(k) && JSON.stringify(a.get(k)) === JSON.stringify(v));

describe('attendance job', () => {
  let app: FastifyInstance;
  const id = uid();
  const vars = {
    WIFI_TOPIC: `wifi-${id}`,
    SCHEDULE_TOPIC: `schedule-${id}`,
    ATTENDANCE_TOPIC: `attendance-${id}`,
    GROUP_PREFIX: `att-${id}`,
    BROKERS: brokers,
    CHECKPOINT_INTERVAL: '2 s',
  };
  let jobId = '';

  beforeAll(async () => {
    app = await buildApp({
      config: {
        ...loadConfig({ ...process.env, KAFKA_BROKERS: brokers, FLINK_REST_URL: flinkUrl }),
        operatorToken: TOKEN,
        logLevel: 'warn',
      },
      relay: false,
    });
    await createTopics([
      { topic: vars.WIFI_TOPIC },
      { topic: vars.SCHEDULE_TOPIC, compact: true },
      { topic: vars.ATTENDANCE_TOPIC, compact: true },
    ]);
  });

  afterAll(async () => {
    if (jobId) await app.flink.cancelJob(jobId).catch(() => {});
    await app.close();
    await deleteTopics(Object.values(vars).filter((v) => v.includes(id)));
  });

  it('rates every section and date as the rule computed from the same associations, and follows an enrolled change', async () => {
    const assocs = generate();
    await produce(vars.SCHEDULE_TOPIC, SECTIONS.map(scheduleRecord));
    await produce(vars.WIFI_TOPIC, assocs.map(wifiRecord));
    const want = expected(SECTIONS, assocs);
    expect(want.get('CSC1001|L01|2026-03-02')).toEqual({ present: 30, enrolled: 40, rate: 0.75 });
    expect(want.size).toBe(3);

    const res = await app.inject({
      method: 'POST',
      url: '/api/jobs/attendance/deploy',
      headers: { authorization: `Bearer ${TOKEN}` },
      payload: { variables: vars },
    });
    expect(res.statusCode, res.body).toBe(200);
    jobId = (res.json() as { jobId: string }).jobId;

    const first = table(
      await readUntil(vars.ATTENDANCE_TOPIC, (r) => sameTable(table(r), want), 120_000),
    );
    expect(first).toEqual(want);

    // The registrar raises MAT2040's enrolment: its rate must follow.
    const changed = SECTIONS.map((s) => (s.course_id === 'MAT2040' ? { ...s, enrolled: 48 } : s));
    await produce(vars.SCHEDULE_TOPIC, [scheduleRecord(changed[1]!)]);
    const want2 = expected(changed, assocs);
    expect(want2.get('MAT2040|L02|2026-03-02')).toEqual({ present: 12, enrolled: 48, rate: 0.25 });
    const second = table(
      await readUntil(vars.ATTENDANCE_TOPIC, (r) => sameTable(table(r), want2), 120_000),
    );
    expect(second).toEqual(want2);
  });
});
