/**
 * pv_uv.sql on the real cluster: for every closed HOP window, PV and UV in the output topic equal
 * PV and UV computed here from the same events; and an upgrade through a savepoint halfway loses
 * no window and counts none twice.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@pulse/stack';
import { privateControlPlane, privateJobsDir } from './private-jobs.js';
import { accessRecord, hopWindows } from './history-events.js';
import type { FastifyInstance } from 'fastify';
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

const TOKEN = 'test-operator-token-pvuv';
const SIZE_S = 20;
const SLIDE_S = 5;
const DELAY_S = 5;
const BASE = Date.UTC(2026, 2, 1, 9, 0, 0);

interface Event {
  t: number;
  visitor: string;
}

/** Events over `spanS` seconds, shuffled by up to 3 s (less than the 5 s watermark delay). */
function events(count: number, spanS: number, seed: number, start = BASE): Event[] {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const out: Event[] = [];
  for (let i = 0; i < count; i++) {
    const t = start + Math.floor((i / count) * spanS * 1000);
    out.push({ t, visitor: `v${Math.floor(rnd() ** 2 * 3000)}` });
  }
  // Bounded disorder: swap neighbours within a 3-second band.
  for (let i = 0; i < out.length; i++) {
    const j = Math.min(out.length - 1, i + Math.floor(rnd() * 40));
    if (Math.abs(out[j]!.t - out[i]!.t) < 3000) [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** One late event per partition moves every partition's watermark past the real windows. */
function flushRecords(at: number) {
  return [0, 1, 2].map((partition) => ({
    partition,
    key: 'flush',
    value: JSON.stringify({ event_time: sqlTimestamp(at), ts_ms: at, visitor_id: 'flush' }),
  }));
}

function parseOutput(records: { value: string | null }[]) {
  return records.map(
    (r) =>
      JSON.parse(r.value!) as { window_start: string; window_end: string; pv: number; uv: number },
  );
}

describe('pv_uv job', () => {
  let app: FastifyInstance;
  const topics: string[] = [];
  // Its own job name and state folder: a running npm start's pv_uv is never touched.
  const jobName = `pv_uv_test_${uid()}`;
  const jobs = privateJobsDir(join(REPO_ROOT, 'jobs', 'sql'), 'pv_uv', jobName);

  beforeAll(async () => {
    app = await privateControlPlane(jobs.dir, TOKEN);
  });

  afterAll(async () => {
    await app.close();
    await deleteTopics(topics);
    jobs.remove();
  });

  async function deploy(vars: Record<string, string>, options: object = { start: 'earliest' }) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/jobs/pv_uv/deploy',
      headers: { authorization: `Bearer ${TOKEN}` },
      payload: { variables: vars, ...options },
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { action: string; jobId: string; savepoint: string | null };
  }

  function variables(id: string) {
    return {
      ACCESS_TOPIC: `access-${id}`,
      PVUV_TOPIC: `pvuv-${id}`,
      GROUP_PREFIX: `pvuv-${id}`,
      BROKERS: brokers,
      WINDOW_SIZE: String(SIZE_S),
      WINDOW_SLIDE: String(SLIDE_S),
      WATERMARK_DELAY: String(DELAY_S),
      CHECKPOINT_INTERVAL: '2 s',
    };
  }

  async function cancel(jobId: string) {
    await app.flink.cancelJob(jobId).catch(() => {});
  }

  it('writes, for every closed window, the PV and UV computed from the same events', async () => {
    const id = uid();
    const vars = variables(id);
    topics.push(vars.ACCESS_TOPIC, vars.PVUV_TOPIC);
    await createTopics([{ topic: vars.ACCESS_TOPIC }, { topic: vars.PVUV_TOPIC, partitions: 1 }]);
    const all = events(30_000, 120, 7);
    await produce(
      vars.ACCESS_TOPIC,
      all.map((e, i) => accessRecord({ ...e, status: 200 }, i)),
    );
    const lastT = Math.max(...all.map((e) => e.t));
    await produce(vars.ACCESS_TOPIC, flushRecords(lastT + 120_000));
    const expected = hopWindows(all, SIZE_S, SLIDE_S);
    const { jobId } = await deploy(vars);
    try {
      const out = parseOutput(
        await readUntil(vars.PVUV_TOPIC, (r) => r.length >= expected.size, 180_000),
      );
      const got = new Map(out.map((w) => [Date.parse(w.window_end), { pv: w.pv, uv: w.uv }]));
      expect(out.length).toBe(got.size); // no window twice
      expect(got).toEqual(expected);
      for (const w of out)
        expect(Date.parse(w.window_end) - Date.parse(w.window_start)).toBe(SIZE_S * 1000);
    } finally {
      await cancel(jobId);
    }
  });

  it('loses no window and counts none twice across an upgrade through a savepoint', async () => {
    const id = uid();
    const vars = variables(id);
    topics.push(vars.ACCESS_TOPIC, vars.PVUV_TOPIC);
    await createTopics([{ topic: vars.ACCESS_TOPIC }, { topic: vars.PVUV_TOPIC, partitions: 1 }]);
    const all = events(20_000, 100, 11);
    const half = Math.floor(all.length / 2);
    await produce(
      vars.ACCESS_TOPIC,
      all.slice(0, half).map((e, i) => accessRecord({ ...e, status: 200 }, i)),
    );
    const first = await deploy(vars);
    expect(first.action).toBe('started');
    // Let the first copy emit some windows (so state and output both span the upgrade).
    await readUntil(vars.PVUV_TOPIC, (r) => r.length >= 3, 120_000);
    // The same deploy again is harmless: the copy that runs is the one asked for.
    expect(await deploy(vars, {})).toMatchObject({ action: 'unchanged', jobId: first.jobId });
    const second = await deploy(vars, { start: 'state' });
    expect(second.action).toBe('upgraded');
    expect(second.savepoint).toMatch(/savepoint-/);
    await produce(
      vars.ACCESS_TOPIC,
      all.slice(half).map((e, i) => accessRecord({ ...e, status: 200 }, half + i)),
    );
    const lastT = Math.max(...all.map((e) => e.t));
    await produce(vars.ACCESS_TOPIC, flushRecords(lastT + 120_000));
    const expected = hopWindows(all, SIZE_S, SLIDE_S);
    try {
      const out = parseOutput(
        await readUntil(vars.PVUV_TOPIC, (r) => r.length >= expected.size, 180_000),
      );
      const ends = out.map((w) => w.window_end);
      expect(new Set(ends).size).toBe(ends.length);
      expect(new Map(out.map((w) => [Date.parse(w.window_end), { pv: w.pv, uv: w.uv }]))).toEqual(
        expected,
      );
      const listed = (await app.inject({ url: '/api/jobs' })).json() as {
        jobs: { name: string; jobId: string; state: string }[];
      };
      expect(listed.jobs.find((j) => j.name === jobName)).toMatchObject({
        jobId: second.jobId,
        state: 'RUNNING',
      });
    } finally {
      await cancel(second.jobId);
    }
  });

  it('runs beside a copy of itself under another name, neither fencing the other', async () => {
    // The same script under two names (a test's copy beside npm start's, say). Flink 1.12 names
    // the exactly-once sink's Kafka transactions after the task and operator id, which are the
    // same for the same SQL; the runner puts each job's tables in a database of its own so the
    // task names differ. Both copies must write every window, and neither may fail.
    const twinName = `pv_uv_twin_${uid()}`;
    const twinJobs = privateJobsDir(join(REPO_ROOT, 'jobs', 'sql'), 'pv_uv', twinName);
    const twin = await privateControlPlane(twinJobs.dir, TOKEN);
    const id = uid();
    const vars = variables(id);
    const twinVars = {
      ...variables(id),
      PVUV_TOPIC: `pvuv-twin-${id}`,
      GROUP_PREFIX: `twin-${id}`,
    };
    topics.push(vars.ACCESS_TOPIC, vars.PVUV_TOPIC, twinVars.PVUV_TOPIC);
    await createTopics([
      { topic: vars.ACCESS_TOPIC },
      { topic: vars.PVUV_TOPIC, partitions: 1 },
      { topic: twinVars.PVUV_TOPIC, partitions: 1 },
    ]);
    const all = events(10_000, 60, 5);
    await produce(
      vars.ACCESS_TOPIC,
      all.map((e, i) => accessRecord({ ...e, status: 200 }, i)),
    );
    await produce(vars.ACCESS_TOPIC, flushRecords(Math.max(...all.map((e) => e.t)) + 120_000));
    const expected = hopWindows(all, SIZE_S, SLIDE_S);
    const { jobId } = await deploy(vars);
    const res = await twin.inject({
      method: 'POST',
      url: '/api/jobs/pv_uv/deploy',
      headers: { authorization: `Bearer ${TOKEN}` },
      payload: { variables: twinVars, start: 'earliest' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const twinId = (res.json() as { jobId: string }).jobId;
    try {
      for (const topic of [vars.PVUV_TOPIC, twinVars.PVUV_TOPIC]) {
        const out = parseOutput(await readUntil(topic, (r) => r.length >= expected.size, 180_000));
        expect(new Map(out.map((w) => [Date.parse(w.window_end), { pv: w.pv, uv: w.uv }]))).toEqual(
          expected,
        );
        expect(out.length).toBe(expected.size);
      }
      // A few more checkpoints (2 s apart) commit transactions of both; neither job failed.
      await new Promise((r) => setTimeout(r, 8_000));
      for (const job of [jobId, twinId]) {
        const failures = (await (await fetch(`${flinkUrl}/jobs/${job}/exceptions`)).json()) as {
          'root-exception': string | null;
        };
        expect(failures['root-exception'] ?? null).toBeNull();
        expect((await app.flink.job(job)).state).toBe('RUNNING');
      }
    } finally {
      await cancel(jobId);
      await cancel(twinId);
      await twin.close();
      twinJobs.remove();
    }
  });
});
