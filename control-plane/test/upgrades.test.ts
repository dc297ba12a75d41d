/**
 * Upgrades an operator can trust, on the real cluster: a version whose state would mean
 * something else is refused with the verdict before the running copy is touched; a version that
 * does not run is rolled back to the previous one from the same savepoint; two control planes
 * deploying the same version start one copy. Its own job name, topics and state folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@pulse/stack';
import { sleep } from '@pulse/kit';
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
    await cancelAll();
  }, 180_000);

  it('finishes an upgrade whose control plane was killed mid-way when it starts again', async () => {
    const state = mkdtempSync(join(tmpdir(), 'upgrades-crash-state-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      PORT: String(port),
      HOST: '127.0.0.1',
      OPERATOR_TOKEN: TOKEN,
      JOBS_DIR: jobs.dir,
      CONTROL_PLANE_STATE: state,
      KAFKA_BROKERS: brokers,
      FLINK_REST_URL: flinkUrl,
      LOG_LEVEL: 'warn',
    };
    const call = async (path: string, body?: object) => {
      const res = await fetch(`${base}${path}`, {
        method: body ? 'POST' : 'GET',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    let server = await startControlPlane(env, base);
    try {
      const first = await call('/api/jobs/pv_uv/deploy', {
        variables: variables(),
        start: 'earliest',
      });
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      const oldJobId = first.body.jobId as string;
      await app.flink.waitForJobState(oldJobId, ['RUNNING']);
      const next = variables({ JDBC_FLUSH_ROWS: '500' });
      const { body: planned } = await call('/api/jobs/pv_uv/validate', { variables: next });

      // The upgrade starts; the control plane dies once the old copy has stopped with its savepoint.
      void call('/api/jobs/pv_uv/deploy', { variables: next }).catch(() => undefined);
      for (let i = 0; i < 1200; i++) {
        const job = await app.flink.job(oldJobId);
        if (job.state === 'FINISHED') break;
        await sleep(50);
      }
      server.kill('SIGKILL');
      await new Promise((r) => server.once('exit', r));

      server = await startControlPlane(env, base);
      let listedNow: { state: string; runningHash: string | null } | undefined;
      for (let i = 0; i < 120; i++) {
        const { body } = await call('/api/jobs');
        listedNow = (
          body.jobs as { name: string; state: string; runningHash: string | null }[]
        ).find((j) => j.name === jobName);
        if (listedNow?.state === 'RUNNING' && listedNow.runningHash === planned.hash) break;
        await sleep(500);
      }
      expect(listedNow).toMatchObject({ state: 'RUNNING', runningHash: planned.hash });
      expect(await activeCopies()).toHaveLength(1);
      const details = await call('/api/jobs/pv_uv');
      expect(details.body.savepoints).toContainEqual(
        expect.objectContaining({
          jobId: oldJobId,
          location: expect.stringContaining('savepoint-'),
        }),
      );
    } finally {
      server.kill('SIGTERM');
      await cancelAll();
    }
  }, 300_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The control plane as its own process, which the test can kill. */
async function startControlPlane(env: Record<string, string>, base: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'control-plane/src/server.ts')],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 120; i++) {
    if (child.exitCode !== null) throw new Error(`the control plane exited with ${child.exitCode}`);
    const ok = await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return child;
    await sleep(500);
  }
  throw new Error('the control plane did not answer /health within 60 s');
}
