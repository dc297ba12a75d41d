import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, type SqlGatewayConfig } from '../config.js';
import configPlugin from '../plugins/config.js';
import auth from '../plugins/auth.js';
import { SqlGateway, type DeployInsert } from './gateway.js';
import gatewayRoutes from './routes.js';
import { jobIdOf, row, StubFlink, StubKafka, StubPlanner } from './testing.js';

const TOKEN = 'operator-token-for-tests';
const JOB1 = jobIdOf(1);

/** A protocol answer, read field by field in the assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = Record<string, any>;

interface Rig {
  app: FastifyInstance;
  gateway: SqlGateway;
  planner: StubPlanner;
  kafka: StubKafka;
  flink: StubFlink;
}

const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) {
    await r.gateway.close();
    await r.app.close();
  }
});

async function rig(settings: Partial<SqlGatewayConfig> = {}, deployInsert?: DeployInsert) {
  const config = loadConfig({ OPERATOR_TOKEN: TOKEN });
  const flink = new StubFlink();
  const kafka = new StubKafka();
  const planner = new StubPlanner(flink);
  const gateway = new SqlGateway({
    config: { ...config.sqlGateway, ...settings },
    planner,
    kafka,
    flink,
    previewBrokers: 'kafka:9092',
    instance: 'test',
    prelude: async () => 'CREATE TABLE t (x INT);',
    ...(deployInsert ? { deployInsert } : {}),
    log: { info() {}, warn() {} },
  });
  const app = Fastify();
  await app.register(configPlugin, { config });
  await app.register(auth);
  await app.register(gatewayRoutes, { gateway });
  const r = { app, gateway, planner, kafka, flink };
  rigs.push(r);
  return r;
}

async function call(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  payload?: object,
  headers: Record<string, string> = {},
) {
  const res = await app.inject({ method, url, ...(payload ? { payload } : {}), headers });
  return { status: res.statusCode, body: res.json() as Body };
}

async function open(app: FastifyInstance, properties: Record<string, string> = {}) {
  const { body } = await call(app, 'POST', '/v2/sessions', { properties });
  return body.sessionHandle as string;
}

async function run(app: FastifyInstance, session: string, statement: string, headers = {}) {
  const { body } = await call(
    app,
    'POST',
    `/v2/sessions/${session}/statements`,
    { statement },
    headers,
  );
  return body.operationHandle as string;
}

/** Fetches pages from token 0 until EOS (or an error), as the SQL client does. */
async function drain(app: FastifyInstance, session: string, op: string, format = 'JSON') {
  const pages: Body[] = [];
  let uri: string | undefined =
    `/v2/sessions/${session}/operations/${op}/result/0?rowFormat=${format}`;
  for (let i = 0; uri && i < 200; i++) {
    const res = await call(app, 'GET', uri);
    if (res.status !== 200) return { pages, error: res };
    pages.push(res.body);
    uri = res.body.nextResultUri as string | undefined;
  }
  const rows = pages.flatMap(
    (p) => (p.results?.data ?? []) as { kind: string; fields: unknown[] }[],
  );
  return { pages, rows, error: undefined };
}

describe('SQL gateway protocol', () => {
  it('answers versions, info, and a session from open to close, then 404 in the errors shape', async () => {
    const { app } = await rig();
    expect((await call(app, 'GET', '/v1/api_versions')).body).toEqual({ versions: ['V1', 'V2'] });
    expect((await call(app, 'GET', '/v2/info')).body).toEqual({
      productName: 'Apache Flink',
      version: '1.12.7',
    });
    const session = await open(app, { 'execution.runtime-mode': 'streaming' });
    const props = (await call(app, 'GET', `/v2/sessions/${session}`)).body.properties;
    expect(props['execution.runtime-mode']).toBe('streaming');
    expect(props['sql-gateway.preview.max-rows']).toBe('10000');
    expect((await call(app, 'POST', `/v2/sessions/${session}/heartbeat`)).body).toEqual({});
    expect((await call(app, 'DELETE', `/v2/sessions/${session}`)).body).toEqual({
      status: 'CLOSED',
    });
    const gone = await call(app, 'GET', `/v2/sessions/${session}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ errors: [`Session '${session}' does not exist.`] });
    const other = await open(app);
    const noOp = await call(
      app,
      'GET',
      `/v2/sessions/${other}/operations/00000000-0000-0000-0000-000000000000/status`,
    );
    expect(noOp.status).toBe(404);
    expect(noOp.body.errors[0]).toMatch(/Can not find the submitted operation/);
    const noRoute = await call(app, 'GET', '/v2/nothing');
    expect(noRoute.status).toBe(404);
    expect(Object.keys(noRoute.body)).toEqual(['errors']);
  });

  it('pages a catalog answer: PAYLOAD with columns and nextResultUri, then EOS; PLAIN_TEXT and V1 too', async () => {
    const { app } = await rig();
    const session = await open(app);
    const op = await run(app, session, 'SHOW TABLES;');
    const { pages, rows } = await drain(app, session, op);
    const payload = pages.find((p) => p.resultType === 'PAYLOAD')!;
    expect(payload.isQueryResult).toBe(false);
    expect(payload.resultKind).toBe('SUCCESS_WITH_CONTENT');
    expect(payload.results.columns[0]).toEqual({
      name: 'table name',
      logicalType: { type: 'VARCHAR', nullable: true, length: 2147483647 },
      comment: null,
    });
    expect(payload.nextResultUri).toBe(
      `/v2/sessions/${session}/operations/${op}/result/1?rowFormat=JSON`,
    );
    expect(rows).toEqual([
      { kind: 'INSERT', fields: ['access_log'] },
      { kind: 'INSERT', fields: ['wifi_log'] },
    ]);
    expect(pages.at(-1)).toMatchObject({ resultType: 'EOS' });
    expect(pages.at(-1)!.nextResultUri).toBeUndefined();
    expect(
      (await call(app, 'GET', `/v2/sessions/${session}/operations/${op}/status`)).body,
    ).toEqual({ status: 'FINISHED' });

    const text = await run(app, session, "SET 'a' = 'b'");
    const plain = await drain(app, session, text, 'PLAIN_TEXT');
    expect(plain.rows).toEqual([{ kind: 'INSERT', fields: ['OK'] }]);
    const v1 = await run(app, session, 'SHOW TABLES');
    await drain(app, session, v1); // wait for it
    const again = await run(app, session, 'SHOW TABLES');
    let first = await call(app, 'GET', `/v1/sessions/${session}/operations/${again}/result/0`);
    while (first.body.resultType === 'NOT_READY')
      first = await call(app, 'GET', `/v1/sessions/${session}/operations/${again}/result/0`);
    expect(first.body.nextResultUri).toBe(`/v1/sessions/${session}/operations/${again}/result/1`);
    expect(first.body.results.rowFormat).toBe('JSON');
  });

  it('streams a preview to its row limit, gives a retried token the same page, cancels the job and deletes the topic', async () => {
    const { app, planner, kafka, flink } = await rig();
    const session = await open(app);
    await drain(app, session, await run(app, session, "SET 'sql-gateway.preview.max-rows' = '3'"));
    const op = await run(app, session, 'SELECT path FROM access_log');
    let page = await call(
      app,
      'GET',
      `/v2/sessions/${session}/operations/${op}/result/0?rowFormat=JSON`,
    );
    while (page.body.resultType === 'NOT_READY')
      page = await call(
        app,
        'GET',
        `/v2/sessions/${session}/operations/${op}/result/0?rowFormat=JSON`,
      );
    const target = planner.previews[0]!;
    expect(target.topic).toMatch(/^__preview-test-/);
    expect(target.jobName).toMatch(/^preview-test-/);
    expect(target.bootstrapServers).toBe('kafka:9092');
    expect(page.body).toMatchObject({ resultType: 'PAYLOAD', isQueryResult: true, jobID: JOB1 });
    kafka.write(target.topic, [row('/a'), row('/b')]);
    const one = await call(app, 'GET', page.body.nextResultUri);
    expect(one.body.results.data).toEqual([
      { kind: 'INSERT', fields: ['/a'] },
      { kind: 'INSERT', fields: ['/b'] },
    ]);
    const retried = await call(app, 'GET', page.body.nextResultUri);
    expect(retried.body).toEqual(one.body);
    kafka.write(target.topic, [row('/c'), row('/d'), row('/e')]);
    const rest = await drain(app, session, op); // token 0 is old now: starts from the next page
    expect(rest.error?.status).toBe(400);
    let uri: string | undefined = one.body.nextResultUri;
    const later: unknown[] = [];
    while (uri) {
      const res = await call(app, 'GET', uri);
      later.push(...res.body.results.data);
      uri = res.body.nextResultUri;
    }
    expect(later).toEqual([{ kind: 'INSERT', fields: ['/c'] }]);
    await new Promise((r) => setTimeout(r, 50));
    expect(flink.cancelled).toEqual([JOB1]);
    expect(kafka.deleted).toEqual([target.topic]);
  });

  it('ends a bounded preview once its job finished and every row is read, without cancelling it', async () => {
    const { app, planner, kafka, flink } = await rig();
    const session = await open(app);
    const op = await run(app, session, 'SELECT path FROM t');
    while (planner.previews.length === 0) await new Promise((r) => setTimeout(r, 10));
    kafka.write(planner.previews[0]!.topic, [row('/x'), row('/y')]);
    flink.states.set(JOB1, 'FINISHED');
    const { rows, pages } = await drain(app, session, op);
    expect(rows).toEqual([
      { kind: 'INSERT', fields: ['/x'] },
      { kind: 'INSERT', fields: ['/y'] },
    ]);
    expect(pages.at(-1)!.resultType).toBe('EOS');
    expect(flink.cancelled).toEqual([]);
    expect(kafka.topics.size).toBe(0);
  });

  it('ends a preview at its time limit, and deletes its topic only once the cancelled job is over', async () => {
    const { app, flink, kafka } = await rig();
    flink.cancelMs = 600;
    const session = await open(app, { 'sql-gateway.preview.timeout': '300 ms' });
    const t0 = Date.now();
    const { pages } = await drain(app, session, await run(app, session, 'SELECT path FROM t'));
    expect(pages.at(-1)!.resultType).toBe('EOS');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(flink.cancelled).toEqual([JOB1]);
    // The job still writes while it cancels: its topic stays until the job is over.
    expect(kafka.topics.size).toBe(1);
    await expect.poll(() => kafka.topics.size, { timeout: 3000 }).toBe(0);
    expect(flink.states.get(JOB1)).toBe('CANCELED');
  });

  it('refuses sessions and previews past their limits, and settings above the ceiling, with clear errors', async () => {
    const { app, flink } = await rig({ maxSessions: 2, maxPreviews: 1, previewMaxRows: 100 });
    const session = await open(app);
    await open(app);
    const third = await call(app, 'POST', '/v2/sessions', {});
    expect(third.status).toBe(429);
    expect(third.body.errors[0]).toMatch(/SQL_GATEWAY_MAX_SESSIONS/);
    const first = await run(app, session, 'SELECT path FROM t');
    await call(app, 'GET', `/v2/sessions/${session}/operations/${first}/result/0?rowFormat=JSON`);
    const second = await drain(app, session, await run(app, session, 'SELECT path FROM t'));
    expect(second.error?.status).toBe(429);
    expect(second.error?.body.errors[0]).toMatch(/SQL_GATEWAY_MAX_PREVIEWS = 1/);
    // Closing the first frees the slot.
    await call(app, 'DELETE', `/v2/sessions/${session}/operations/${first}/close`);
    expect(flink.cancelled).toEqual([JOB1]);
    const third2 = await run(app, session, 'SELECT path FROM t');
    expect(
      (await call(app, 'GET', `/v2/sessions/${session}/operations/${third2}/status`)).body.status,
    ).toBe('RUNNING');
    const set = await drain(
      app,
      session,
      await run(app, session, "SET 'sql-gateway.preview.max-rows' = '500'"),
    );
    expect(set.error?.status).toBe(400);
    expect(set.error?.body.errors[0]).toMatch(/SQL_GATEWAY_PREVIEW_MAX_ROWS = 100/);
  });

  it('closes a session whose heartbeat lapsed: its preview job is cancelled and its topic deleted', async () => {
    const { app, gateway, planner, kafka, flink } = await rig({ sessionIdleMs: 150 });
    const session = await open(app);
    const op = await run(app, session, 'SELECT path FROM t');
    await call(app, 'GET', `/v2/sessions/${session}/operations/${op}/result/0?rowFormat=JSON`);
    while (!flink.states.has(JOB1)) await new Promise((r) => setTimeout(r, 10));
    const kept = await open(app);
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 60));
      await call(app, 'POST', `/v2/sessions/${kept}/heartbeat`);
    }
    await gateway.expire();
    const expired = await call(app, 'GET', `/v2/sessions/${session}`);
    expect(expired.status).toBe(404);
    expect(expired.body.errors[0]).toMatch(
      /does not exist: it expired, .*SQL_GATEWAY_SESSION_IDLE/,
    );
    expect((await call(app, 'GET', `/v2/sessions/${kept}`)).status).toBe(200);
    expect(flink.cancelled).toEqual([JOB1]);
    expect(kafka.deleted).toEqual([planner.previews[0]!.topic]);
    expect(planner.sessions.has(session)).toBe(false);
  });

  it('refuses INSERT unless the operator enabled it, and then only with the operator token', async () => {
    const refused = await rig();
    const s1 = await open(refused.app);
    const r1 = await drain(refused.app, s1, await run(refused.app, s1, 'INSERT INTO out SELECT 1'));
    expect(r1.error?.status).toBe(403);
    expect(r1.error?.body.errors[0]).toMatch(/SQL_GATEWAY_ALLOW_INSERT/);

    const deployed: unknown[] = [];
    const allowed = await rig({ allowInsert: true }, async (job, script, who) => {
      deployed.push({ job, script, who });
      return { jobId: '0000000000000000000000000000f00d' };
    });
    const s2 = await open(allowed.app);
    const anonymous = await drain(
      allowed.app,
      s2,
      await run(allowed.app, s2, 'INSERT INTO out SELECT 1'),
    );
    expect(anonymous.error?.status).toBe(401);
    const op = await run(allowed.app, s2, 'INSERT INTO out SELECT 1', {
      authorization: `Bearer ${TOKEN}`,
      'x-operator': 'ada',
    });
    const { rows, pages } = await drain(allowed.app, s2, op);
    expect(rows).toEqual([{ kind: 'INSERT', fields: ['0000000000000000000000000000f00d'] }]);
    expect(pages[0]!.jobID ?? pages.find((p) => p.jobID)?.jobID).toBe(
      '0000000000000000000000000000f00d',
    );
    expect(deployed).toEqual([
      { job: `sql-${s2.slice(0, 8)}-1`, script: 'INSERT INTO out SELECT 1;', who: 'ada@127.0.0.1' },
    ]);
  });

  it('configures a session with a statement, answering {} or its error (the JDBC driver sets catalogs so)', async () => {
    const { app, planner } = await rig();
    const session = await open(app);
    const ok = await call(app, 'POST', `/v2/sessions/${session}/configure-session`, {
      statement: "SET 'table.local-time-zone' = 'UTC';",
    });
    expect(ok).toEqual({ status: 200, body: {} });
    expect(planner.sessions.get(session)!['table.local-time-zone']).toBe('UTC');
    const bad = await call(app, 'POST', `/v2/sessions/${session}/configure-session`, {
      statement: 'USE CATALOG nowhere',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatch(/nowhere/);
  });

  it('closes a session the planner lost (it restarted), saying to open a new one', async () => {
    const { app, planner } = await rig();
    const session = await open(app);
    planner.sessions.clear();
    const { error } = await drain(app, session, await run(app, session, 'SHOW TABLES'));
    expect(error?.status).toBe(404);
    expect(error?.body.errors[0]).toMatch(
      /the SQL planner no longer holds it .*open a new session/,
    );
    await expect
      .poll(async () => (await call(app, 'GET', `/v2/sessions/${session}`)).status)
      .toBe(404);
  });

  it("passes the planner's SQL error on with its position", async () => {
    const { app } = await rig();
    const session = await open(app);
    const { error } = await drain(app, session, await run(app, session, 'SELECT * FROM nowhere'));
    expect(error?.status).toBe(400);
    expect(error?.body).toEqual({ errors: ["Object 'nowhere' not found (line 1, column 15)"] });
    const complete = await call(
      app,
      'GET',
      `/v2/sessions/${session}/complete-statement?statement=SELECT%20*%20FROM%20a&position=15`,
    );
    expect(complete.body).toEqual({ candidates: ['access_log'] });
  });
});
