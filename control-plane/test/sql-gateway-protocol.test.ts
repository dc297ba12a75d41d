/**
 * The SQL gateway's protocol on the real stack, through the control plane's main port under
 * /sql-gateway (where the dashboard's SQL page talks to it): errors in the protocol's shape, a
 * preview paged with a retried token, the limit on concurrent previews, a lapsed session whose
 * preview job is cancelled and topic deleted, and INSERT refused, or deployed and audited like the
 * job API when the operator enabled it.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayInstance, gatewayServer } from '../src/gateway/plugin.js';
import { PREVIEW_JOB_PREFIX, PREVIEW_TOPIC_PREFIX } from '../src/gateway/constants.js';
import { HttpPlanner } from '../src/gateway/planner.js';
import { renderPrelude } from '../src/gateway/prelude.js';
import {
  brokers,
  createTopics,
  deleteTopics,
  flinkUrl,
  produce,
  readUntil,
  uid,
  withAdmin,
} from './kafka-helpers.js';
import { privateControlPlane } from './private-jobs.js';

const JOBS_DIR = resolve(import.meta.dirname, '..', '..', 'jobs', 'sql');
const TOKEN = 'gateway-protocol-token';
const id = uid();
const input = `gw_in_${id}`;
const output = `gw_out_${id}`;
const ROWS = 25;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = Record<string, any>;

const apps: FastifyInstance[] = [];
afterAll(async () => {
  for (const app of apps) await app.close();
  await deleteTopics([input, output]);
});

beforeAll(async () => {
  await createTopics([
    { topic: input, partitions: 1 },
    { topic: output, partitions: 1 },
  ]);
  await produce(
    input,
    Array.from({ length: ROWS }, (_, i) => ({
      value: JSON.stringify({ n: i, word: `w${i % 4}` }),
    })),
  );
});

async function controlPlane(env: Record<string, string> = {}) {
  const app = await privateControlPlane(JOBS_DIR, TOKEN, env);
  apps.push(app);
  await app.ready();
  return app;
}

async function call(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  payload?: object,
  headers: Record<string, string> = {},
) {
  const res = await app.inject({
    method,
    url: path.startsWith('/sql-gateway') ? path : `/sql-gateway${path}`,
    ...(payload ? { payload } : {}),
    headers,
  });
  return { status: res.statusCode, body: res.json() as Body };
}

async function open(app: FastifyInstance, properties: Record<string, string> = {}) {
  return (await call(app, 'POST', '/v2/sessions', { properties })).body.sessionHandle as string;
}

async function run(app: FastifyInstance, session: string, statement: string, headers = {}) {
  const res = await call(app, 'POST', `/v2/sessions/${session}/statements`, { statement }, headers);
  return res.body.operationHandle as string;
}

/** The first answer that is not NOT_READY for token 0. */
async function first(app: FastifyInstance, session: string, op: string) {
  for (;;) {
    const res = await call(
      app,
      'GET',
      `/v2/sessions/${session}/operations/${op}/result/0?rowFormat=JSON`,
    );
    if (res.status !== 200 || res.body.resultType !== 'NOT_READY') return res;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const inputTable = (name: string) =>
  `CREATE TABLE ${name} (n INT, word STRING) WITH ('connector' = 'kafka', 'topic' = '${input}', 'properties.bootstrap.servers' = '${process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'}', 'properties.group.id' = 'gw-${id}', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json')`;

async function jobState(jobId: string): Promise<string> {
  return ((await (await fetch(`${flinkUrl}/jobs/${jobId}`)).json()) as { state: string }).state;
}

async function previewTopics(app: FastifyInstance): Promise<string[]> {
  const prefix = `${PREVIEW_TOPIC_PREFIX}${gatewayInstance(app.config.stateDir)}`;
  return withAdmin(async (admin) => (await admin.listTopics()).filter((t) => t.startsWith(prefix)));
}

describe('SQL gateway protocol on the real stack', () => {
  it('answers info with the cluster version, 404s and SQL errors with their position in the errors shape', async () => {
    const app = await controlPlane();
    expect((await call(app, 'GET', '/v2/info')).body).toEqual({
      productName: 'Apache Flink',
      version: '1.12.7',
    });
    const missing = await call(app, 'GET', '/v2/sessions/7b3a5c1e-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(Object.keys(missing.body)).toEqual(['errors']);
    const session = await open(app);
    const noOp = await call(
      app,
      'POST',
      `/v1/sessions/${session}/operations/7b3a5c1e-0000-4000-8000-000000000000/cancel`,
    );
    expect(noOp.status).toBe(404);
    const bad = await first(app, session, await run(app, session, 'SELECT nope FROM access_log'));
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatch(/nope/);
    expect(bad.body.errors[0]).toMatch(/line 1, column 8/);
    // A preview whose job fails ends with Flink's cause.
    const failing = await run(app, session, 'SELECT x / (x - 1) AS y FROM (VALUES (1)) AS t(x)');
    let page = await first(app, session, failing);
    while (page.status === 200 && page.body.nextResultUri)
      page = await call(app, 'GET', page.body.nextResultUri);
    expect(page.status).toBe(422);
    expect(page.body.errors[0]).toMatch(/ArithmeticException: \/ by zero/);
    expect(
      (await call(app, 'GET', `/v2/sessions/${session}/operations/${failing}/status`)).body,
    ).toEqual({ status: 'ERROR' });
    await first(
      app,
      session,
      await run(app, session, "CREATE TABLE sink (n INT) WITH ('connector' = 'blackhole')"),
    );
    const insert = await first(
      app,
      session,
      await run(app, session, 'INSERT INTO sink VALUES (1)'),
    );
    expect(insert.status).toBe(403);
    expect(insert.body.errors[0]).toMatch(/SQL_GATEWAY_ALLOW_INSERT/);
    expect((await call(app, 'DELETE', `/v2/sessions/${session}`)).body).toEqual({
      status: 'CLOSED',
    });
    // The gateway's own port: the same routes at /, and the DNS rebinding guard in the same shape.
    const port = await gatewayServer(app);
    const versions = await port.inject({ url: '/v1/api_versions' });
    expect(versions.json()).toEqual({ versions: ['V1', 'V2'] });
    const rebound = await port.inject({ url: '/v1/info', headers: { host: 'evil.example:8083' } });
    expect(rebound.statusCode).toBe(421);
    expect(Object.keys(rebound.json() as object)).toEqual(['errors']);
    await port.close();
  });

  it('pages a live preview to its row limit with a retried token answered the same, and holds previews to the limit', async () => {
    const app = await controlPlane({ SQL_GATEWAY_MAX_PREVIEWS: '1' });
    const session = await open(app, { 'sql-gateway.preview.max-rows': String(ROWS) });
    await first(app, session, await run(app, session, inputTable('words')));
    // One preview at a time here: a second is refused while the first runs, and runs once it closed.
    const live = await run(app, session, 'SELECT path FROM access_log');
    expect((await first(app, session, live)).status).toBe(200);
    const refused = await first(app, session, await run(app, session, 'SELECT n FROM words'));
    expect(refused.status).toBe(429);
    expect(refused.body.errors[0]).toMatch(/SQL_GATEWAY_MAX_PREVIEWS = 1/);
    expect(
      (await call(app, 'DELETE', `/v2/sessions/${session}/operations/${live}/close`)).body,
    ).toEqual({ status: 'CLOSED' });

    const op = await run(app, session, 'SELECT n, UPPER(word) AS word FROM words');
    const start = await first(app, session, op);
    expect(start.body).toMatchObject({
      resultType: 'PAYLOAD',
      isQueryResult: true,
      resultKind: 'SUCCESS_WITH_CONTENT',
    });
    expect(start.body.results.columns.map((c: Body) => [c.name, c.logicalType.type])).toEqual([
      ['n', 'INTEGER'],
      ['word', 'VARCHAR'],
    ]);

    // The answer to token 0 was lost, say: asked again, it is the same page.
    const again = await call(
      app,
      'GET',
      `/v2/sessions/${session}/operations/${op}/result/0?rowFormat=JSON`,
    );
    expect(again.body).toEqual(start.body);
    const rows: unknown[] = [...start.body.results.data];
    let uri: string | undefined = start.body.nextResultUri;
    while (uri) {
      const page = await call(app, 'GET', uri);
      expect(page.status).toBe(200);
      rows.push(...page.body.results.data);
      uri = page.body.nextResultUri;
    }
    expect(rows).toEqual(
      Array.from({ length: ROWS }, (_, n) => ({ kind: 'INSERT', fields: [n, `W${n % 4}`] })),
    );
    expect(start.body.jobID).toMatch(/^[0-9a-f]{32}$/);
    await expect.poll(() => jobState(start.body.jobID), { timeout: 30_000 }).toBe('CANCELED');
    await expect.poll(() => previewTopics(app), { timeout: 15_000 }).toEqual([]);
  });

  it('closes a session whose heartbeat lapsed: its preview job is cancelled and its topic deleted', async () => {
    const app = await controlPlane({ SQL_GATEWAY_SESSION_IDLE: '4s' });
    const session = await open(app);
    const op = await run(app, session, 'SELECT path, status FROM access_log');
    const start = await first(app, session, op);
    const jobId = start.body.jobID as string;
    await expect.poll(() => jobState(jobId), { timeout: 60_000 }).toBe('RUNNING');
    expect(await previewTopics(app)).toHaveLength(1);
    // Nobody asks for anything now: the session lapses.
    await expect.poll(() => jobState(jobId), { timeout: 30_000, interval: 1000 }).toBe('CANCELED');
    await expect.poll(() => previewTopics(app), { timeout: 15_000 }).toEqual([]);
    const gone = await call(app, 'GET', `/v2/sessions/${session}`);
    expect(gone.status).toBe(404);
    expect(gone.body.errors[0]).toMatch(/does not exist/);
  });

  it('deploys an INSERT as a job of the session, with the operator token and an audit entry, once the operator enabled it', async () => {
    const app = await controlPlane({ SQL_GATEWAY_ALLOW_INSERT: 'true' });
    const session = await open(app);
    await first(app, session, await run(app, session, inputTable('words')));
    await first(
      app,
      session,
      await run(
        app,
        session,
        `CREATE TABLE counts (word STRING, n BIGINT, PRIMARY KEY (word) NOT ENFORCED) WITH ('connector' = 'upsert-kafka', 'topic' = '${output}', 'properties.bootstrap.servers' = '${process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'}', 'key.format' = 'json', 'value.format' = 'json')`,
      ),
    );
    const insert = 'INSERT INTO counts SELECT word, COUNT(*) FROM words GROUP BY word';
    const anonymous = await first(app, session, await run(app, session, insert));
    expect(anonymous.status).toBe(401);
    const auth = { authorization: `Bearer ${TOKEN}`, 'x-operator': 'ada' };
    const done = await first(app, session, await run(app, session, insert, auth));
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    const jobId = done.body.jobID as string;
    expect(done.body.results.data).toEqual([{ kind: 'INSERT', fields: [jobId] }]);
    const job = `sql-${session.slice(0, 8)}-1`;
    const flinkJob = (await (await fetch(`${flinkUrl}/jobs/${jobId}`)).json()) as { name: string };
    expect(flinkJob.name).toMatch(new RegExp(`^${job}@[0-9a-f]{12}$`));
    // Its output is the count of each word.
    const seen = new Map<string, number>();
    await readUntil(output, (records) => {
      for (const r of records) {
        const v = JSON.parse(r.value ?? 'null') as { word: string; n: number } | null;
        if (v) seen.set(v.word, v.n);
      }
      return [...seen.values()].reduce((a, b) => a + b, 0) === ROWS;
    });
    expect(Object.fromEntries(seen)).toEqual({ w0: 7, w1: 6, w2: 6, w3: 6 });
    const audit = await app.inject({
      method: 'GET',
      url: '/api/audit',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const entry = (audit.json() as { entries: Body[] }).entries.find((e) => e.target === job);
    expect(entry).toMatchObject({ who: 'ada@127.0.0.1', action: 'deploy', status: 200 });
    // The job API lists it beside the files' jobs, and stops it by its name.
    const listed = (await app.inject({ method: 'GET', url: '/api/jobs' })).json() as {
      jobs: Body[];
    };
    expect(listed.jobs.find((j) => j.name === job)).toMatchObject({
      file: job,
      jobId,
      state: 'RUNNING',
    });
    expect((await app.inject({ method: 'GET', url: `/api/jobs/${job}` })).statusCode).toBe(200);
    const cancel = await app.inject({
      method: 'POST',
      url: `/api/jobs/${job}/cancel`,
      headers: auth,
    });
    expect(cancel.statusCode).toBe(200);
    const after = (await app.inject({ method: 'GET', url: '/api/jobs' })).json() as {
      jobs: Body[];
    };
    expect(after.jobs.map((j) => j.name)).not.toContain(job);
  });

  it('cancels and deletes, at start, the previews a crashed run of the same control plane left behind', async () => {
    const state = mkdtempSync(join(tmpdir(), 'gateway-state-'));
    const instance = gatewayInstance(state);
    const topic = `${PREVIEW_TOPIC_PREFIX}${instance}-orphan`;
    await createTopics([{ topic, partitions: 1 }]);
    // A preview as the dead run started it, straight through the planner, and never cleaned.
    const planner = new HttpPlanner(process.env.PLANNER_URL ?? 'http://127.0.0.1:8093');
    const sid = randomUUID();
    await planner.openSession(sid, {}, await renderPrelude(JOBS_DIR, { BROKERS: brokers }));
    const answer = await planner.statement(sid, 'SELECT path FROM access_log', {
      topic,
      bootstrapServers: brokers,
      jobName: `${PREVIEW_JOB_PREFIX}${instance}-orphan`,
    });
    await planner.closeSession(sid);
    const jobId = answer.resultType === 'QUERY' ? answer.jobId! : '';
    await expect.poll(() => jobState(jobId), { timeout: 60_000 }).toBe('RUNNING');
    const app = await controlPlane({ CONTROL_PLANE_STATE: state });
    await expect.poll(() => jobState(jobId), { timeout: 60_000 }).toBe('CANCELED');
    await expect.poll(() => previewTopics(app), { timeout: 30_000 }).toEqual([]);
  });
});
