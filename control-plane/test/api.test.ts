/**
 * The job API against the real Flink cluster: what operators and viewers see and may do.
 */
import { cpSync, readdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { REPO_ROOT } from '@pulse/stack';
import { buildApp } from '../src/app.js';
import { renderJob } from '../src/jobs/script.js';
import { statements } from '../src/jobs/sql-tables.js';
import { loadConfig } from '../src/config.js';
import { brokers, createTopics, deleteTopics, flinkUrl, uid } from './kafka-helpers.js';

const TOKEN = 'test-operator-token-api';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('job API', () => {
  let app: FastifyInstance;
  const jobsDir = mkdtempSync(join(tmpdir(), 'jobs-'));
  const started: string[] = [];
  const id = uid();
  // A copy of the real jobs plus a broken one, so the broken file never sits in jobs/sql.
  cpSync(join(REPO_ROOT, 'jobs', 'sql'), jobsDir, { recursive: true });
  writeFileSync(
    join(jobsDir, 'broken.sql'),
    [
      '-- name: broken',
      '-- #include tables/common.sql',
      '-- #include tables/access_log.sql',
      "CREATE TABLE out_t (n BIGINT) WITH ('connector' = 'blackhole');",
      '',
      'INSERT INTO out_t',
      'SELECT COUNT(*) FROM access_log WHERE no_such_column = 1;',
    ].join('\n'),
  );
  writeFileSync(
    join(jobsDir, 'datagen.sql'),
    [
      '-- name: datagen_probe',
      '-- description: a job with no inputs, for lifecycle tests',
      '-- var SUFFIX = x',
      "CREATE TABLE g (n BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '5');",
      "CREATE TABLE b (n BIGINT) WITH ('connector' = 'blackhole');",
      'INSERT INTO b SELECT n FROM g;',
    ].join('\n'),
  );

  beforeAll(async () => {
    const config = loadConfig({
      ...process.env,
      KAFKA_BROKERS: brokers,
      FLINK_REST_URL: flinkUrl,
      JOBS_DIR: jobsDir,
      CONTROL_PLANE_STATE: mkdtempSync(join(tmpdir(), 'cp-state-')),
    });
    app = await buildApp({
      config: { ...config, operatorToken: TOKEN, logLevel: 'warn' },
      relay: false,
    });
  });

  afterAll(async () => {
    for (const jobId of started) await app.flink.cancelJob(jobId).catch(() => {});
    await app.close();
  });

  it('lists every job file with its hash and Flink state, open to viewers', async () => {
    const res = await app.inject({ url: '/api/jobs' });
    expect(res.statusCode).toBe(200);
    const jobs = (
      res.json() as {
        jobs: {
          name: string;
          file: string;
          hash: string;
          state: string;
          variables: Record<string, string>;
        }[];
      }
    ).jobs;
    expect(jobs.map((j) => j.file).sort()).toEqual(
      readdirSync(jobsDir)
        .filter((f) => f.endsWith('.sql'))
        .sort(),
    );
    expect(jobs.map((j) => j.file)).toEqual(expect.arrayContaining(['broken.sql', 'pv_uv.sql']));
    const pvuv = jobs.find((j) => j.name === 'pv_uv');
    expect(pvuv?.hash).toMatch(/^[0-9a-f]{12}$/);
    // Secrets are shown as set, never as written; other values as they are.
    expect(pvuv?.variables.JDBC_PASSWORD).toBe('••••••');
    expect(pvuv?.variables.WINDOW_SIZE).toBe('60');
    expect(res.body).not.toContain('"JDBC_PASSWORD":"postgres"');
  });

  it('refuses changes without a token (401) or with a wrong one (403), and audits the attempts', async () => {
    expect((await app.inject({ method: 'POST', url: '/api/jobs/datagen/deploy' })).statusCode).toBe(
      401,
    );
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/jobs/datagen/deploy',
          headers: { authorization: 'Bearer wrong-token-value' },
        })
      ).statusCode,
    ).toBe(403);
    const audit = (await app.inject({ url: '/api/audit' })).json() as {
      entries: { action: string; status: number; target: string }[];
    };
    expect(audit.entries.slice(0, 2).map((e) => [e.action, e.target, e.status])).toEqual([
      ['deploy', 'datagen', 403],
      ['deploy', 'datagen', 401],
    ]);
  });

  it('refuses a job name that is not a file in the jobs folder', async () => {
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/jobs/..%2F..%2Fetc%2Fpasswd/validate',
          headers: auth,
        })
      ).statusCode,
    ).toBe(400);
    const missing = await app.inject({
      method: 'POST',
      url: '/api/jobs/no_such_job/validate',
      headers: auth,
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: 'JOB_NOT_FOUND' });
  });

  it('validates with the real planner: 422 with the statement, the file line and Flink message for bad SQL', async () => {
    const bad = await app.inject({
      method: 'POST',
      url: '/api/jobs/broken/validate',
      headers: auth,
    });
    expect(bad.statusCode).toBe(422);
    // The INSERT starts on line 6; Calcite points at the unknown column on line 7. It is the last
    // statement of the rendered script (after those of the included tables).
    const script = (await renderJob(jobsDir, 'broken')).script;
    expect(bad.json()).toMatchObject({
      error: 'SQL_INVALID',
      file: 'broken.sql',
      line: 7,
      statement: statements(script).length,
    });
    expect((bad.json() as { message: string }).message).toContain('no_such_column');
    const good = await app.inject({
      method: 'POST',
      url: '/api/jobs/pv_uv/validate',
      headers: auth,
    });
    expect(good.statusCode).toBe(200);
    expect(JSON.stringify(good.json())).toContain('SlidingGroupWindow');
  });

  it('starts one copy, refuses concurrent deploys, and shows a job killed in Flink on the next call', async () => {
    const [a, b] = await Promise.all([
      app.inject({
        method: 'POST',
        url: '/api/jobs/datagen/deploy',
        headers: auth,
        payload: { variables: { SUFFIX: id } },
      }),
      app.inject({
        method: 'POST',
        url: '/api/jobs/datagen/deploy',
        headers: auth,
        payload: { variables: { SUFFIX: id } },
      }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    const ok = (a.statusCode === 200 ? a : b).json() as { action: string; jobId: string };
    expect(ok.action).toBe('started');
    started.push(ok.jobId);
    const running = (await app.flink.jobsOverview()).filter(
      (j) =>
        j.name.startsWith('datagen_probe@') && j.state !== 'CANCELED' && j.state !== 'FINISHED',
    );
    expect(running.map((j) => j.jid)).toEqual([ok.jobId]);

    await app.flink.cancelJob(ok.jobId); // killed behind the control plane's back
    await app.flink.waitForJobState(ok.jobId, ['CANCELED']);
    const list = (await app.inject({ url: '/api/jobs' })).json() as {
      jobs: { name: string; state: string; jobId: string }[];
    };
    expect(list.jobs.find((j) => j.name === 'datagen_probe')).toMatchObject({
      state: 'CANCELED',
      jobId: ok.jobId,
    });
  });

  it('identifies a copy by its values too: deployed with other values, it is listed so', async () => {
    const quoted = await app.inject({
      method: 'POST',
      url: '/api/jobs/datagen/deploy',
      headers: auth,
      payload: { variables: { SUFFIX: "x'); DROP TABLE b; --" } },
    });
    expect(quoted.statusCode).toBe(400);
    expect(quoted.json()).toMatchObject({ error: 'JOB_VARIABLE_INVALID' });

    const res = await app.inject({
      method: 'POST',
      url: '/api/jobs/datagen/deploy',
      headers: auth,
      payload: { variables: { SUFFIX: 'other' } },
    });
    expect(res.statusCode, res.body).toBe(200);
    const { jobId } = res.json() as { jobId: string };
    started.push(jobId);
    const listed = (await app.inject({ url: '/api/jobs' })).json() as {
      jobs: {
        name: string;
        drift: boolean;
        variables: Record<string, string>;
        runningVariables?: Record<string, string>;
      }[];
    };
    const job = listed.jobs.find((j) => j.name === 'datagen_probe');
    expect(job?.variables.SUFFIX).toBe('x');
    expect(job?.runningVariables?.SUFFIX).toBe('other');
    expect(job?.drift).toBe(true);
    const cancel = await app.inject({
      method: 'POST',
      url: '/api/jobs/datagen/cancel',
      headers: auth,
    });
    expect(cancel.statusCode).toBe(200);
  });

  it('upgrades a job whose file changed when its state carries over, and reports drift', async () => {
    const start = await app.inject({
      method: 'POST',
      url: '/api/jobs/datagen/deploy',
      headers: auth,
    });
    expect(start.statusCode, start.body).toBe(200);
    const first = start.json() as { jobId: string; from: string };
    expect(first.from).toBe('now');
    started.push(first.jobId);
    await app.flink.waitForJobState(first.jobId, ['RUNNING']);
    writeFileSync(
      join(jobsDir, 'datagen.sql'),
      `${'-- edited\n'}${(await import('node:fs')).readFileSync(join(jobsDir, 'datagen.sql'), 'utf8')}`,
    );
    const listed = (await app.inject({ url: '/api/jobs' })).json() as {
      jobs: { name: string; drift: boolean }[];
    };
    expect(listed.jobs.find((j) => j.name === 'datagen_probe')?.drift).toBe(true);
    // A comment changes the identity, not what the state means.
    const upgrade = await app.inject({
      method: 'POST',
      url: '/api/jobs/datagen/deploy',
      headers: auth,
    });
    expect(upgrade.statusCode, upgrade.body).toBe(200);
    const upgraded = upgrade.json() as {
      action: string;
      jobId: string;
      previousJobId: string;
      savepoint: string;
      verdict: string;
    };
    started.push(upgraded.jobId);
    expect(upgraded).toMatchObject({
      action: 'upgraded',
      previousJobId: first.jobId,
      verdict: 'compatible',
    });
    const details = (await app.inject({ url: '/api/jobs/datagen', headers: auth })).json() as {
      job: { drift: boolean };
      savepoints: { location: string }[];
    };
    expect(details.job.drift).toBe(false);
    expect(details.savepoints.at(-1)?.location).toBe(upgraded.savepoint);
    // A viewer sees that a savepoint was taken, not where it lies.
    const viewer = await app.inject({ url: '/api/jobs/datagen' });
    expect(viewer.statusCode).toBe(200);
    expect((viewer.json() as { savepoints: unknown[] }).savepoints).toHaveLength(
      details.savepoints.length,
    );
    expect(viewer.body).not.toContain(upgraded.savepoint);

    const stop = await app.inject({ method: 'POST', url: '/api/jobs/datagen/stop', headers: auth });
    expect(stop.statusCode).toBe(200);
    expect(stop.json()).toMatchObject({ state: 'STOPPED', jobId: upgraded.jobId });
    expect(
      (await app.inject({ method: 'POST', url: '/api/jobs/datagen/cancel', headers: auth }))
        .statusCode,
    ).toBe(409);
  });

  it('reports Flink and Kafka in the cluster view', async () => {
    const topic = `cluster-view-${id}`;
    await createTopics([{ topic, partitions: 2 }]);
    const cluster = (await app.inject({ url: '/api/cluster' })).json() as {
      flink: { 'flink-version': string; taskmanagers: number };
      kafka: { topics: { name: string; partitions: number }[] };
    };
    await deleteTopics([topic]);
    expect(cluster.flink['flink-version']).toBe('1.12.7');
    expect(cluster.flink.taskmanagers).toBeGreaterThanOrEqual(1);
    expect(cluster.kafka.topics).toContainEqual({ name: topic, partitions: 2 });
  });

  it('serves the OpenAPI description at /docs', async () => {
    const doc = (await app.inject({ url: '/docs/json' })).json() as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/jobs/', '/api/jobs/{name}/deploy', '/api/jobs/{name}/stop']),
    );
  });
});
