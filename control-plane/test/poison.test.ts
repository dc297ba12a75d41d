/**
 * Poison records on the real cluster: a record in access_log whose event time is missing (null,
 * absent, or unreadable under 'json.ignore-parse-errors') must not stop pv_uv. Its rowtime used to
 * be null, which failed the job on every restart; now it reads as 1970 and the source view leaves
 * it out (it would otherwise make a 1970 window while the watermark has not moved yet).
 * The job keeps RUNNING without a single restart, and every window equals an independent
 * computation over the good records alone.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { REPO_ROOT } from '@pulse/stack';
import { sleep } from '@pulse/kit';
import { privateControlPlane, privateJobsDir } from './private-jobs.js';
import { accessRecord, hopWindows } from './history-events.js';
import {
  brokers,
  createTopics,
  deleteTopics,
  flinkUrl,
  produce,
  readUntil,
  uid,
} from './kafka-helpers.js';

const TOKEN = 'test-operator-token-poison';
const SIZE_S = 20;
const SLIDE_S = 5;
const DELAY_S = 5;
const BASE = Date.UTC(2026, 2, 1, 9, 0, 0);

interface Event {
  t: number;
  visitor: string;
}

/**
 * In time order, over `spanS` seconds from `start`: each second has one request on the second
 * exactly and one a millisecond before the next, so a rowtime off by one millisecond would move
 * a request into another window.
 */
function events(spanS: number, start: number, tag: string): Event[] {
  const out: Event[] = [];
  for (let s = 0; s < spanS; s++) {
    out.push({ t: start + s * 1000, visitor: `${tag}${s % 13}` });
    out.push({ t: start + s * 1000 + 999, visitor: `${tag}${s % 7}` });
  }
  return out;
}

/** The watcher's record of a good request, on partition 0 (where the poison records go too). */
const record = (e: Event) => accessRecord({ ...e, status: 200 }, 0, 0);

/** Records another producer might write: no usable event time, in every way JSON allows. */
const POISON = [
  { event_time: null, ts_ms: null, visitor_id: 'poison-null', path: '/' },
  { visitor_id: 'poison-absent', path: '/' },
  { event_time: '2026-03-01T09:00:30Z', ts_ms: 'soon', visitor_id: 'poison-unreadable' },
].map((value) => ({ key: 'poison', partition: 0, value: JSON.stringify(value) }));

describe('poison records', () => {
  let app: FastifyInstance;
  const topics: string[] = [];
  const jobName = `pv_uv_poison_${uid()}`;
  const jobs = privateJobsDir(join(REPO_ROOT, 'jobs', 'sql'), 'pv_uv', jobName);

  beforeAll(async () => {
    app = await privateControlPlane(jobs.dir, TOKEN);
  });

  afterAll(async () => {
    await app.close();
    await deleteTopics(topics);
    jobs.remove();
  });

  it('a record without event time is left out: pv_uv keeps running and counts right', async () => {
    const id = uid();
    const vars = {
      ACCESS_TOPIC: `access-poison-${id}`,
      PVUV_TOPIC: `pvuv-poison-${id}`,
      GROUP_PREFIX: `poison-${id}`,
      BROKERS: brokers,
      WINDOW_SIZE: String(SIZE_S),
      WINDOW_SLIDE: String(SLIDE_S),
      WATERMARK_DELAY: String(DELAY_S),
      CHECKPOINT_INTERVAL: '2 s',
    };
    topics.push(vars.ACCESS_TOPIC, vars.PVUV_TOPIC);
    // One partition, so the poison records sit between good ones in the order the job reads.
    await createTopics([
      { topic: vars.ACCESS_TOPIC, partitions: 1 },
      { topic: vars.PVUV_TOPIC, partitions: 1 },
    ]);
    const before = events(60, BASE, 'a');
    const after = events(60, BASE + 60_000, 'b');
    const flush = { t: BASE + 300_000, visitor: 'flush' };
    await produce(vars.ACCESS_TOPIC, [
      ...before.map(record),
      ...POISON,
      ...after.map(record),
      record(flush),
    ]);
    // The flush record closes every window of the good records; its own windows stay open.
    const expected = hopWindows([...before, ...after], SIZE_S, SLIDE_S);

    const res = await app.inject({
      method: 'POST',
      url: '/api/jobs/pv_uv/deploy',
      headers: { authorization: `Bearer ${TOKEN}` },
      payload: { variables: vars, start: 'earliest' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const { jobId } = res.json() as { jobId: string };
    try {
      const out = (await readUntil(vars.PVUV_TOPIC, (r) => r.length >= expected.size, 180_000)).map(
        (r) => JSON.parse(r.value!) as { window_end: string; pv: number; uv: number },
      );
      const got = new Map(out.map((w) => [Date.parse(w.window_end), { pv: w.pv, uv: w.uv }]));
      expect(out.length).toBe(got.size);
      expect(got).toEqual(expected);

      // Running, and never failed or restarted on the way.
      await sleep(3_000);
      const job = (await (await fetch(`${flinkUrl}/jobs/${jobId}`)).json()) as {
        state: string;
        timestamps: Record<string, number>;
      };
      expect(job.state).toBe('RUNNING');
      expect(job.timestamps).toMatchObject({ FAILING: 0, RESTARTING: 0 });
      const exceptions = (await (await fetch(`${flinkUrl}/jobs/${jobId}/exceptions`)).json()) as {
        'root-exception'?: string;
        'all-exceptions': unknown[];
      };
      expect(exceptions['root-exception'] ?? null).toBeNull();
      expect(exceptions['all-exceptions']).toEqual([]);
    } finally {
      await app.flink.cancelJob(jobId).catch(() => {});
    }
  });
});
