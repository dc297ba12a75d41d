/**
 * attendance.sql on the real cluster: every row it writes equals the rule computed here in
 * TypeScript (test/attendance-rule.ts) over a generated campus fortnight (test/attendance-scenario.ts):
 * two devices of one student, a device connected before class that stays silent, a one-minute
 * pass-by, roaming in from another room, an early leaver, MACs written three ways, unregistered and
 * unenrolled devices, a holiday, a class after the term, a section on another time zone, and a
 * roster change in the middle of a class, fed in two halves so the live rows are checked too.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { TOPICS, topicSpec, type TopicSpec } from '@pulse/contracts';
import { provisionTopics } from '@pulse/contracts/kafka';
import { withClient } from '@pulse/db';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import {
  brokers,
  deleteTopics,
  flinkUrl,
  produce,
  readUntil,
  sqlTimestamp,
  uid,
  withAdmin,
} from './kafka-helpers.js';
import { freshDatabase } from './history-helpers.js';
import { privateJobsDir } from './private-jobs.js';
import {
  expectedAttendance,
  type Association,
  type Inputs,
  type Row,
  type Settings,
} from './attendance-rule.js';
import {
  ASSOCIATIONS,
  CALENDAR,
  MID_CLASS,
  REGISTRY,
  ROSTERS,
  ROSTER_ADDED,
  ROSTER_DROPPED,
  SCHEDULE,
} from './attendance-scenario.js';

const TOKEN = 'test-operator-token-attendance';
const SETTINGS: Settings = { maxSilenceMinutes: 120, minOverlapMinutes: 10, graceMinutes: 10 };

const json = (v: unknown) => JSON.stringify(v);

function wifiRecord(a: Association, offset: number) {
  return {
    key: a.mac,
    value: json({
      event_time: sqlTimestamp(a.ms),
      ts_ms: a.ms,
      local_time: new Date(a.ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' '),
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
      source_offset: offset,
    }),
  };
}

/** The upsert topic folded into its current table (last value per key; null deletes). */
function table(records: { key: string | null; value: string | null }[]): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const r of records) {
    const k = JSON.parse(r.key!) as { course_id: string; section: string; class_date: string };
    const id = `${k.course_id}|${k.section}|${k.class_date}`;
    if (r.value === null) rows.delete(id);
    else {
      const { course_id, section, class_date, ...row } = JSON.parse(r.value) as Row & typeof k;
      expect([course_id, section, class_date]).toEqual([k.course_id, k.section, k.class_date]);
      rows.set(id, sortKeys(row as Row));
    }
  }
  return rows;
}

/** A row with its fields in name order, so two rows compare as JSON text. */
function sortKeys(row: Row): Row {
  return Object.fromEntries(Object.entries(row).sort(([a], [b]) => a.localeCompare(b))) as Row;
}
const sorted = (rows: Map<string, Row>) => new Map([...rows].map(([k, v]) => [k, sortKeys(v)]));
/** The history table in PostgreSQL, keyed as the topic's rows are. */
async function historyTable(url: string): Promise<Map<string, Row>> {
  const { rows } = await withClient(url, (c) =>
    c.query<Record<string, string | number | boolean | null>>(
      `SELECT course_id, section, to_char(class_date, 'YYYY-MM-DD') AS class_date, unit, present,
         enrolled, rate, late, left_early, other_devices, over_capacity FROM attendance`,
    ),
  );
  return new Map(
    rows.map((r) => [
      `${r.course_id}|${r.section}|${r.class_date}`,
      sortKeys({
        unit: r.unit as Row['unit'],
        // bigint columns arrive as text
        present: Number(r.present),
        enrolled: Number(r.enrolled),
        rate: r.rate === null ? null : Number(r.rate),
        late: Number(r.late),
        left_early: Number(r.left_early),
        other_devices: Number(r.other_devices),
        over_capacity: r.over_capacity as boolean,
      }),
    ]),
  );
}

const sameTable = (a: Map<string, Row>, b: Map<string, Row>) =>
  a.size === b.size && [...b].every(([k, v]) => json(a.get(k)) === json(sortKeys(v)));

describe('attendance job', () => {
  let app: FastifyInstance;
  const id = uid();
  const vars = {
    WIFI_TOPIC: `wifi-${id}`,
    SCHEDULE_TOPIC: `schedule-${id}`,
    REGISTRY_TOPIC: `registry-${id}`,
    ROSTER_TOPIC: `roster-${id}`,
    CALENDAR_TOPIC: `calendar-${id}`,
    ATTENDANCE_TOPIC: `attendance-${id}`,
    GROUP_PREFIX: `att-${id}`,
    BROKERS: brokers,
    CHECKPOINT_INTERVAL: '2 s',
    MAX_SILENCE_MINUTES: String(SETTINGS.maxSilenceMinutes),
    MIN_OVERLAP_MINUTES: String(SETTINGS.minOverlapMinutes),
    GRACE_MINUTES: String(SETTINGS.graceMinutes),
  };
  let jobId = '';
  // A database of its own with the history schema: the job's JDBC sink writes there.
  let db: Awaited<ReturnType<typeof freshDatabase>>;

  let jobs: ReturnType<typeof privateJobsDir>;

  beforeAll(async () => {
    db = await freshDatabase('attendance_test');
    const config = loadConfig({
      ...process.env,
      KAFKA_BROKERS: brokers,
      FLINK_REST_URL: flinkUrl,
      DATABASE_URL: db.url,
    });
    jobs = privateJobsDir(config.jobsDir, 'attendance', `attendance-test-${id}`);
    app = await buildApp({
      config: {
        ...config,
        jobsDir: jobs.dir,
        // Its own state folder: the savepoints and intents of a running npm start stay untouched.
        stateDir: mkdtempSync(join(tmpdir(), 'attendance-state-')),
        operatorToken: TOKEN,
        logLevel: 'warn',
      },
      relay: false,
    });
    // The catalog's settings under this test's own names, so a running `npm start` is untouched.
    const renamed = (topic: string, name: string): TopicSpec => ({ ...topicSpec(topic)!, name });
    await withAdmin((admin) =>
      provisionTopics(
        admin,
        [
          renamed(TOPICS.wifiLog, vars.WIFI_TOPIC),
          renamed(TOPICS.courseSchedule, vars.SCHEDULE_TOPIC),
          renamed(TOPICS.deviceRegistry, vars.REGISTRY_TOPIC),
          renamed(TOPICS.classRoster, vars.ROSTER_TOPIC),
          renamed(TOPICS.termCalendar, vars.CALENDAR_TOPIC),
          renamed(TOPICS.attendance, vars.ATTENDANCE_TOPIC),
        ],
        { defaultPartitions: 3 },
      ),
    );
  });

  afterAll(async () => {
    if (jobId) await app.flink.cancelJob(jobId).catch(() => {});
    await app.close();
    await deleteTopics(Object.values(vars).filter((v) => v.includes(id)));
    await db.drop();
    jobs.remove();
  });

  it('writes exactly the rows the rule gives, live in mid-class and after a roster change', async () => {
    const before = ASSOCIATIONS.filter((a) => a.ms < MID_CLASS);
    const after = ASSOCIATIONS.filter((a) => a.ms >= MID_CLASS);
    const inputs: Inputs = {
      schedule: SCHEDULE,
      registry: REGISTRY,
      rosters: ROSTERS,
      calendar: CALENDAR,
      associations: before,
    };
    const live = expectedAttendance(inputs, SETTINGS);
    // The scenario does what it says: mid-class, eight of twelve are in, two of them late, and
    // the device of s13 (not yet enrolled), t01 (enrolled elsewhere) and an unknown one are others.
    expect(live).toEqual(
      new Map([
        [
          'CSC1001|L01|2026-03-02',
          {
            unit: 'students',
            present: 8,
            enrolled: 12,
            rate: 8 / 12,
            late: 2,
            left_early: 0,
            other_devices: 3,
            over_capacity: false,
          },
        ],
      ]),
    );

    await produce(
      vars.SCHEDULE_TOPIC,
      SCHEDULE.map((s) => ({
        key: json({ course_id: s.course_id, section: s.section }),
        value: json(s),
      })),
    );
    await produce(
      vars.REGISTRY_TOPIC,
      [...REGISTRY].map(([mac, student_id]) => ({
        key: json({ mac }),
        value: json({ mac, student_id }),
      })),
    );
    await produce(
      vars.ROSTER_TOPIC,
      ROSTERS.map((r) => ({ key: json(r), value: json(r) })),
    );
    await produce(
      vars.CALENDAR_TOPIC,
      CALENDAR.map((c) => ({
        key: json({ kind: c.kind, first_date: c.first_date }),
        value: json(c),
      })),
    );
    await produce(vars.WIFI_TOPIC, before.map(wifiRecord));

    const res = await app.inject({
      method: 'POST',
      url: '/api/jobs/attendance/deploy',
      headers: { authorization: `Bearer ${TOKEN}` },
      payload: { variables: vars, start: 'earliest' },
    });
    expect(res.statusCode, res.body).toBe(200);
    jobId = (res.json() as { jobId: string }).jobId;

    const midClass = table(
      await readUntil(vars.ATTENDANCE_TOPIC, (r) => sameTable(table(r), live), 180_000),
    );
    expect(sorted(midClass)).toEqual(sorted(live));

    // The second half of the fortnight, and the roster change while CSC1001 is still running.
    await produce(vars.ROSTER_TOPIC, [
      ...ROSTER_DROPPED.map((r) => ({ key: json(r), value: null })),
      ...ROSTER_ADDED.map((r) => ({ key: json(r), value: json(r) })),
    ]);
    await produce(
      vars.WIFI_TOPIC,
      after.map((a, i) => wifiRecord(a, before.length + i)),
    );
    const rosters = [
      ...ROSTERS.filter((r) => !ROSTER_DROPPED.some((d) => json(d) === json(r))),
      ...ROSTER_ADDED,
    ];
    const want = expectedAttendance({ ...inputs, rosters, associations: ASSOCIATIONS }, SETTINGS);
    // Five classes have rows; the holiday and the Monday after the term have none.
    expect([...want.keys()].sort()).toEqual([
      'BIO1008|L01|2026-03-03',
      'CSC1001|L01|2026-03-02',
      'ECO2011|L01|2026-03-03',
      'MAT2040|L01|2026-03-02',
      'PHY1001|L01|2026-03-02',
    ]);
    expect(want.get('CSC1001|L01|2026-03-02')).toMatchObject({
      present: 9,
      late: 2,
      left_early: 1,
    });
    expect(want.get('MAT2040|L01|2026-03-02')).toMatchObject({
      unit: 'devices',
      present: 6,
      over_capacity: true,
    });

    const final = table(
      await readUntil(vars.ATTENDANCE_TOPIC, (r) => sameTable(table(r), want), 180_000),
    );
    expect(sorted(final)).toEqual(sorted(want));

    // The same rows in PostgreSQL (the JDBC sink flushes every second).
    const deadline = Date.now() + 60_000;
    let history = await historyTable(db.url);
    while (!sameTable(history, want) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      history = await historyTable(db.url);
    }
    expect(sorted(history)).toEqual(sorted(want));
  });
});
