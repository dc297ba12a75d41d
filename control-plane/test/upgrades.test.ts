/**
 * Upgrades an operator can trust, on the real cluster: a version whose state would mean
 * something else is refused with the verdict before the running copy is touched; a version that
 * does not run is rolled back to the previous one from the same savepoint; two control planes
 * deploying the same version start one copy. Its own job name, topics and state folder.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@pulse/stack';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { TERMINAL_STATES } from '../src/constants.js';
import {
  brokers,
  createTopics,
  deleteTopics,
  flinkUrl,
  produce,
  sqlTimestamp,
  uid,
} from './kafka-helpers.js';
import { privateJobsDir } from './private-jobs.js';

const TOKEN = 'test-operator-token-upgrades';
const id = uid();
const jobName = `pv_uv_upgrades_${id}`;
const topics = { access: `upg-access-${id}`, other: `upg-other-${id}`, pvuv: `upg-pvuv-${id}` };
const jobs = privateJobsDir(join(REPO_ROOT, 'jobs', 'sql'), 'pv_uv', jobName);
const stateDir = mkdtempSync(join(tmpdir(), 'upgrades-state-'));

const variables = (extra: Record<string, string> = {}) => ({
  ACCESS_TOPIC: topics.access,
  PVUV_TOPIC: topics.pvuv,
  GROUP_PREFIX: `upg-${id}`,
  BROKERS: brokers,
  WINDOW_SIZE: '20',
  WINDOW_SLIDE: '5',
  WATERMARK_DELAY: '5',
  CHECKPOINT_INTERVAL: '2 s',
  ...extra,
});

async function controlPlane(): Promise<FastifyInstance> {
  const config = loadConfig({
    ...process.env,
    KAFKA_BROKERS: brokers,
    FLINK_REST_URL: flinkUrl,
    JOBS_DIR: jobs.dir,
    CONTROL_PLANE_STATE: stateDir,
  });
  return buildApp({ config: { ...config, operatorToken: TOKEN, logLevel: 'warn' }, relay: false });
}

let app: FastifyInstance;
let other: FastifyInstance | undefined;

const deploy = (body: object, on: FastifyInstance = app) =>
  on.inject({
    method: 'POST',
    url: '/api/jobs/pv_uv/deploy',
    headers: { authorization: `Bearer ${TOKEN}` },
    payload: body,
  });

async function listed() {
  const body = (await app.inject({ url: '/api/jobs' })).json() as {
    jobs: { name: string; state: string; jobId: string; runningHash: string | null }[];
  };
  return body.jobs.find((j) => j.name === jobName)!;
}

async function activeCopies(): Promise<string[]> {
  return (await app.flink.jobsOverview())
    .filter((j) => j.name.startsWith(`${jobName}@`) && !TERMINAL_STATES.has(j.state))
    .map((j) => j.jid);
}

async function cancelAll(): Promise<void> {
  for (const jid of await activeCopies()) {
    await app.flink.cancelJob(jid).catch(() => undefined);
    await app.flink
      .waitForJobState(jid, ['CANCELED', 'FAILED', 'FINISHED'], 60_000)
      .catch(() => undefined);
  }
}

beforeAll(async () => {
  await createTopics([
    { topic: topics.access },
    { topic: topics.other },
    { topic: topics.pvuv, partitions: 1 },
  ]);
  const t = Date.UTC(2026, 2, 1, 9, 0, 0);
  await produce(
    topics.access,
    Array.from({ length: 200 }, (_, i) => ({
      key: `v${i % 17}`,
      value: JSON.stringify({
        event_time: sqlTimestamp(t + i * 100),
        ts_ms: t + i * 100,
        visitor_id: `v${i % 17}`,
      }),
    })),
  );
  app = await controlPlane();
});

afterAll(async () => {
  await cancelAll();
  await other?.close();
  await app.close();
  await deleteTopics(Object.values(topics));
  jobs.remove();
});

describe('upgrades', () => {
  it('refuses a version whose state would mean something else, with the verdict, and leaves the running copy alone', async () => {
    const first = await deploy({ variables: variables(), start: 'earliest' });
    expect(first.statusCode, first.body).toBe(200);
    const { jobId, hash } = first.json() as { jobId: string; hash: string };
    await app.flink.waitForJobState(jobId, ['RUNNING']);

    const wider = await deploy({ variables: variables({ WINDOW_SIZE: '40' }) });
    expect(wider.statusCode, wider.body).toBe(409);
    const refusal = wider.json() as {
      error: string;
      message: string;
      verdict: { verdict: string; changed: { vertex: string }[] };
    };
    expect(refusal.error).toBe('STATE_INCOMPATIBLE');
    expect(refusal.verdict.verdict).toBe('incompatible');
    expect(refusal.verdict.changed[0]?.vertex).toContain('GroupWindowAggregate');
    expect(refusal.message).toContain('40000');
    expect(refusal.message).toContain('Nothing was stopped');

    const otherTopic = await deploy({ variables: variables({ ACCESS_TOPIC: topics.other }) });
    expect(otherTopic.statusCode, otherTopic.body).toBe(409);
    expect(otherTopic.json()).toMatchObject({ error: 'STATE_INCOMPATIBLE' });
    expect((otherTopic.json() as { message: string }).message).toContain(`topic=${topics.other}`);

    expect(await listed()).toMatchObject({ state: 'RUNNING', jobId, runningHash: hash });
    expect(await activeCopies()).toEqual([jobId]);

    // The operator's way out: start the new version fresh; the old state is kept in a savepoint.
    const fresh = await deploy({ variables: variables({ WINDOW_SIZE: '40' }), start: 'now' });
    expect(fresh.statusCode, fresh.body).toBe(200);
    expect(fresh.json()).toMatchObject({
      action: 'replaced',
      previousJobId: jobId,
      from: expect.stringMatching(/^now \(the previous copy's state is kept in .*savepoint-/),
    });
    await cancelAll();
  }, 240_000);

  it('rolls a version that does not run back to the previous one, from the same savepoint', async () => {
    const first = await deploy({ variables: variables(), start: 'earliest' });
    expect(first.statusCode, first.body).toBe(200);
    const { jobId, hash } = first.json() as { jobId: string; hash: string };
    await app.flink.waitForJobState(jobId, ['RUNNING']);

    // Same graph, same state: only the history sink's database is one that does not answer.
    const broken = await deploy({
      variables: variables({ JDBC_URL: 'jdbc:postgresql://127.0.0.1:1/nowhere' }),
    });
    expect(broken.statusCode, broken.body).toBe(422);
    const answer = broken.json() as { error: string; message: string };
    expect(answer.error).toBe('UPGRADE_ROLLED_BACK');
    expect(answer.message).toMatch(
      /Rolled back: the previous version \(\w+\) runs again from .*savepoint-/,
    );

    const now = await listed();
    expect(now).toMatchObject({ state: 'RUNNING', runningHash: hash });
    expect(now.jobId).not.toBe(jobId);
    expect(await activeCopies()).toEqual([now.jobId]);
    await cancelAll();
  }, 300_000);

  it('starts one copy when two control planes deploy the same version at once', async () => {
    other = await controlPlane();
    const answers = await Promise.all([
      deploy({ variables: variables() }),
      deploy({ variables: variables() }, other),
    ]);
    const ok = answers.filter((a) => a.statusCode === 200);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const refused of answers.filter((a) => a.statusCode !== 200))
      expect(refused.json()).toMatchObject({ error: 'JOB_DUPLICATED' });
    const copies = await activeCopies();
    expect(copies).toHaveLength(1);
    for (const a of ok) expect((a.json() as { jobId: string }).jobId).toBe(copies[0]);
  }, 180_000);
});
