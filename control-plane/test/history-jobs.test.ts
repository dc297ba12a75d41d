/**
 * The jobs write the history: web_analytics.sql (the traffic tables) and pv_uv.sql run on a private Flink cluster
 * (so killing its TaskManager disturbs no other test) against the real Kafka and a fresh
 * PostgreSQL database. The rows equal an independent computation over the same requests after the
 * TaskManager is killed with SIGKILL mid-stream, and again after a redeploy from an earlier
 * savepoint that replays part of the stream, with every bucket present once.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  down,
  loadConfig as loadStackConfig,
  silentReporter,
  spareStackEnv,
  status,
  up,
  type StackConfig,
} from '@pulse/stack';
import { sleep } from '@pulse/kit';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { freshDatabase, jdbcOf } from './history-helpers.js';
import {
  accessRecord,
  expectedTraffic,
  expectedWindows,
  requests,
  type Request,
  type Totals,
} from './history-events.js';
import { brokers, createTopics, deleteTopics, produce, uid } from './kafka-helpers.js';

const TOKEN = 'test-operator-token-history';
const DELAY_S = 5;
const SIZE_S = 20;
const SLIDE_S = 5;
// 23:00 on 1 March to 01:30 on 2 March on campus (UTC+8): two campus days, three UTC hours.
const START = Date.UTC(2026, 2, 1, 15, 0);
const END = Date.UTC(2026, 2, 1, 17, 30);
// One request per partition well after the rest moves every partition's watermark past the windows.
const FLUSH = Date.UTC(2026, 2, 1, 18, 10);
const WATERMARK = FLUSH - DELAY_S * 1000;

type Db = Awaited<ReturnType<typeof freshDatabase>>;

/** What the database holds, keyed like the expected maps. */
async function readHistory(db: Db) {
  const rows = async (sql: string) => (await db.pool.query(sql)).rows as Record<string, unknown>[];
  const keyed = (list: Record<string, unknown>[], key: string) =>
    new Map(
      list.map(({ [key]: k, ...rest }) => [
        k instanceof Date ? k.toISOString() : String(k),
        rest as unknown as Totals,
      ]),
    );
  const cols = 'pv, uv, status_2xx, status_3xx, status_4xx, status_5xx, status_other';
  const at = (c: string) => `to_char(${c}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  const count = (t: string) => `(SELECT count(*)::int FROM ${t})`;
  return {
    minute: keyed(
      await rows(`SELECT ${at('bucket_start')} AS k, ${cols} FROM traffic_minute`),
      'k',
    ),
    hour: keyed(await rows(`SELECT ${at('bucket_start')} AS k, ${cols} FROM traffic_hour`), 'k'),
    day: keyed(await rows(`SELECT campus_day::text AS k, ${cols} FROM traffic_day`), 'k'),
    windows: new Map(
      (
        await rows(
          `SELECT ${at('window_start')} || '/' || ${at('window_end')} AS k, pv::int, uv::int FROM pvuv_window`,
        )
      ).map(({ k, pv, uv }) => [String(k), { pv, uv }]),
    ),
    counts: (
      await rows(
        `SELECT ${count('traffic_minute')} AS minute, ${count('traffic_hour')} AS hour, ${count('traffic_day')} AS day, ${count('pvuv_window')} AS windows`,
      )
    )[0],
  };
}

describe('history written by the jobs', () => {
  let app: FastifyInstance;
  let db: Db;
  let flink: StackConfig;
  const id = uid();
  const topics = {
    access: `access-h-${id}`,
    pvuv: `pvuv-h-${id}`,
    // web_analytics' own outputs: private, so nothing of an npm start is written.
    WEB_MINUTE_TOPIC: `web-minute-h-${id}`,
    WEB_HOUR_TOPIC: `web-hour-h-${id}`,
    WEB_TODAY_TOPIC: `web-today-h-${id}`,
    WEB_TOP_PAGES_TOPIC: `web-pages-h-${id}`,
    WEB_TOP_REFERRERS_TOPIC: `web-referrers-h-${id}`,
    WEB_TOP_404_TOPIC: `web-404-h-${id}`,
  };
  const all: Request[] = requests(24_000, START, END, 3000, 21);
  const flush: Request[] = [0, 1, 2].map(() => ({ t: FLUSH, visitor: 'flush', status: 200 }));
  const expected = {
    ...expectedTraffic([...all, ...flush], WATERMARK),
    windows: expectedWindows(all, SIZE_S, SLIDE_S, WATERMARK),
  };
  const jobIds: Record<string, string> = {};

  beforeAll(async () => {
    const home = mkdtempSync(join(tmpdir(), 'history-flink-'));
    flink = loadStackConfig({
      ...process.env,
      ...(await spareStackEnv(home)),
      FLINK_TM_MEMORY: '1536m',
      FLINK_TASK_SLOTS: '4',
    });
    await up(flink, silentReporter, { parts: ['jobmanager', 'taskmanager'] });
    db = await freshDatabase('pulse_history_jobs');
    await createTopics([
      { topic: topics.access },
      ...Object.entries(topics)
        .filter(([k]) => k !== 'access')
        .map(([, topic]) => ({ topic, partitions: 1 })),
    ]);
    app = await buildApp({
      config: {
        ...loadConfig({
          ...process.env,
          KAFKA_BROKERS: brokers,
          FLINK_REST_URL: `http://${flink.host}:${flink.flinkRestPort}`,
          CONTROL_PLANE_STATE: mkdtempSync(join(tmpdir(), 'history-jobs-state-')),
        }),
        databaseUrl: db.url,
        operatorToken: TOKEN,
        logLevel: 'warn',
      },
      relay: false,
    });
  });

  afterAll(async () => {
    await app?.close();
    if (flink) await down(flink, silentReporter, { purge: true });
    await db?.drop();
    await deleteTopics(Object.values(topics));
  });

  const variables = (job: 'web_analytics' | 'pv_uv') => ({
    ACCESS_TOPIC: topics.access,
    GROUP_PREFIX: `history-${job}-${id}`,
    BROKERS: brokers,
    WATERMARK_DELAY: String(DELAY_S),
    CHECKPOINT_INTERVAL: '2 s',
    ...jdbcOf(db.url),
    ...(job === 'pv_uv'
      ? { PVUV_TOPIC: topics.pvuv, WINDOW_SIZE: String(SIZE_S), WINDOW_SLIDE: String(SLIDE_S) }
      : {
          WEB_MINUTE_TOPIC: topics.WEB_MINUTE_TOPIC,
          WEB_HOUR_TOPIC: topics.WEB_HOUR_TOPIC,
          WEB_TODAY_TOPIC: topics.WEB_TODAY_TOPIC,
          WEB_TOP_PAGES_TOPIC: topics.WEB_TOP_PAGES_TOPIC,
          WEB_TOP_REFERRERS_TOPIC: topics.WEB_TOP_REFERRERS_TOPIC,
          WEB_TOP_404_TOPIC: topics.WEB_TOP_404_TOPIC,
        }),
  });

  async function deploy(job: 'web_analytics' | 'pv_uv', savepointPath?: string) {
    const res = await app.inject({
      method: 'POST',
      url: `/api/jobs/${job}/deploy`,
      headers: { authorization: `Bearer ${TOKEN}` },
      payload: {
        variables: variables(job),
        ...(savepointPath ? { savepointPath } : { start: 'earliest' }),
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    jobIds[job] = (res.json() as { jobId: string }).jobId;
  }

  async function savepoint(jobId: string): Promise<string> {
    // A job Flink reports RUNNING may still be deploying tasks (a busy machine): Flink refuses a
    // savepoint until every task runs, so wait for that, and try again if it was refused for it.
    for (let attempt = 0; attempt < 5; attempt++) {
      for (let i = 0; i < 120; i++) {
        const job = await app.flink.job(jobId);
        if (job.vertices.every((v) => v.status === 'RUNNING')) break;
        await sleep(500);
      }
      const { triggerId } = await app.flink.triggerSavepoint(jobId);
      for (let i = 0; i < 240; i++) {
        const s = await app.flink.savepointStatus(jobId, triggerId);
        if (s.state === 'COMPLETED') return s.location;
        if (s.state === 'FAILED') {
          if (/not all required tasks are currently running/i.test(s.reason)) break;
          throw new Error(`savepoint failed: ${s.reason}`);
        }
        await sleep(500);
      }
    }
    throw new Error('savepoint did not complete');
  }

  /** Polls until the database equals the expectation (or the time is up), then asserts it. */
  async function expectHistory(timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    let got = await readHistory(db);
    const same = () =>
      JSON.stringify([...got.minute].sort()) === JSON.stringify([...expected.minute].sort()) &&
      JSON.stringify([...got.hour].sort()) === JSON.stringify([...expected.hour].sort()) &&
      JSON.stringify([...got.day].sort()) === JSON.stringify([...expected.day].sort()) &&
      JSON.stringify([...got.windows].sort()) === JSON.stringify([...expected.windows].sort());
    while (!same() && Date.now() < deadline) {
      await sleep(2000);
      got = await readHistory(db);
    }
    expect(got.minute).toEqual(expected.minute);
    expect(got.hour).toEqual(expected.hour);
    expect(got.day).toEqual(expected.day);
    expect(got.windows).toEqual(expected.windows);
    // Every bucket once: the row counts are the expected counts.
    expect(got.counts).toEqual({
      minute: expected.minute.size,
      hour: expected.hour.size,
      day: expected.day.size,
      windows: expected.windows.size,
    });
  }

  let early: { traffic: string; pvuv: string };
  let writtenBeforeSavepoint: { minute: Set<string>; hour: Set<string>; windows: Set<string> };

  it('equals the independent computation after the TaskManager is killed mid-stream', async () => {
    expect(expected.minute.size).toBe(150);
    expect([...expected.day.keys()].sort()).toEqual(['2026-03-01', '2026-03-02']);
    const records = all.map((r, i) => accessRecord(r, i));
    await produce(topics.access, records.slice(0, 12_000));
    await deploy('web_analytics');
    await deploy('pv_uv');
    // Mid-stream: some minutes are written, then an earlier savepoint is kept for the replay.
    for (let i = 0; i < 120 && (await readHistory(db)).minute.size < 10; i++) await sleep(1000);
    early = {
      traffic: await savepoint(jobIds.web_analytics!),
      pvuv: await savepoint(jobIds.pv_uv!),
    };
    const atSavepoint = await readHistory(db);
    writtenBeforeSavepoint = {
      minute: new Set(atSavepoint.minute.keys()),
      hour: new Set(atSavepoint.hour.keys()),
      windows: new Set(atSavepoint.windows.keys()),
    };
    expect(writtenBeforeSavepoint.minute.size).toBeLessThan(expected.minute.size);

    await produce(topics.access, records.slice(12_000, 18_000));
    const tm = (await status(flink)).find((p) => p.part === 'taskmanager')!;
    process.kill(tm.pid!, 'SIGKILL');
    await produce(topics.access, records.slice(18_000));
    await up(flink, silentReporter, { parts: ['taskmanager'] });
    await produce(
      topics.access,
      flush.map((r, p) => accessRecord(r, 24_000 + p, p)),
    );
    await expectHistory(180_000);
    const failures = (await fetch(
      `http://${flink.host}:${flink.flinkRestPort}/jobs/${jobIds.web_analytics}/exceptions`,
    ).then((r) => r.json())) as { 'root-exception': string | null };
    expect(failures['root-exception']).toMatch(/TaskManager|lost|Heartbeat|Connection/i);
  });

  it('still equals it, with no duplicates, after a redeploy that replays from an earlier savepoint', async () => {
    for (const jobId of Object.values(jobIds)) {
      await app.flink.cancelJob(jobId);
      await app.flink.waitForJobState(jobId, ['CANCELED']);
    }
    // Take away what only the replay can bring back: the buckets written after the savepoint,
    // and the newest day's totals.
    await db.pool.query(
      `DELETE FROM traffic_minute WHERE NOT (to_char(bucket_start, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') = ANY($1))`,
      [[...writtenBeforeSavepoint.minute]],
    );
    await db.pool.query(
      `DELETE FROM traffic_hour WHERE NOT (to_char(bucket_start, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') = ANY($1))`,
      [[...writtenBeforeSavepoint.hour]],
    );
    await db.pool.query(
      `DELETE FROM pvuv_window WHERE NOT (to_char(window_start, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '/' || to_char(window_end, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') = ANY($1))`,
      [[...writtenBeforeSavepoint.windows]],
    );
    await db.pool.query('UPDATE traffic_day SET pv = -1, uv = -1 WHERE campus_day = $1', [
      '2026-03-02',
    ]);
    const tampered = await readHistory(db);
    expect(tampered.minute.size).toBeLessThan(expected.minute.size);

    await deploy('web_analytics', early.traffic);
    await deploy('pv_uv', early.pvuv);
    // The replay rewrites every window since the savepoint; on a loaded machine that takes minutes.
    await expectHistory(300_000);
  }, 420_000);
});
