import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { HEARTBEAT_MS, useSqlStore } from './sql.js';

type Call = { method: string; url: string; body: unknown; keepalive: boolean };
let calls: Call[];
/** Answers by method and path (the URL without its query), each a queue or a fixed answer. */
let routes: Map<string, Array<{ status: number; body: unknown }>>;

const col = (name: string, type: string) => ({ name, logicalType: { type, nullable: true } });
const page = (body: Record<string, unknown>) => ({ status: 200, body });
function answer(
  method: string,
  path: string,
  ...answers: Array<{ status: number; body: unknown }>
) {
  routes.set(`${method} ${path}`, [...(routes.get(`${method} ${path}`) ?? []), ...answers]);
}
const S = '/sql-gateway/v2/sessions/s1';

beforeEach(() => {
  calls = [];
  routes = new Map();
  setActivePinia(createPinia());
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    calls.push({
      method,
      url,
      body: init.body ? JSON.parse(String(init.body)) : undefined,
      keepalive: init.keepalive === true,
    });
    const key = `${method} ${url.split('?')[0]}`;
    const queue = routes.get(key);
    const next = queue && queue.length > 1 ? queue.shift() : queue?.[0];
    const { status, body } = next ?? { status: 200, body: {} };
    return new Response(JSON.stringify(body), { status });
  });
  answer('POST', '/sql-gateway/v2/sessions', page({ sessionHandle: 's1' }));
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/** A statement whose operation handle is `op` and whose pages follow. */
function statement(op: string, ...pages: Array<{ status: number; body: unknown }>) {
  answer('POST', `${S}/statements`, page({ operationHandle: op }));
  pages.forEach((p, token) => answer('GET', `${S}/operations/${op}/result/${token}`, p));
}
const next = (op: string, token: number) =>
  `/v2/sessions/s1/operations/${op}/result/${token}?rowFormat=JSON`;

describe('SQL store', () => {
  it('opens a session and lists its tables with their columns', async () => {
    statement(
      'show',
      page({
        resultType: 'PAYLOAD',
        isQueryResult: false,
        resultKind: 'SUCCESS_WITH_CONTENT',
        results: {
          columns: [col('table name', 'VARCHAR')],
          data: [{ kind: 'INSERT', fields: ['access_log'] }],
        },
        nextResultUri: next('show', 1),
      }),
      page({ resultType: 'EOS', results: { columns: [], data: [] } }),
    );
    const sql = useSqlStore();
    // The DESCRIBE comes after SHOW TABLES: queue its operation behind the first.
    answer('POST', `${S}/statements`, page({ operationHandle: 'desc' }));
    answer(
      'GET',
      `${S}/operations/desc/result/0`,
      page({
        resultType: 'EOS',
        results: {
          columns: [col('name', 'VARCHAR'), col('type', 'VARCHAR')],
          data: [
            { kind: 'INSERT', fields: ['path', 'STRING'] },
            { kind: 'INSERT', fields: ['status', 'INT'] },
          ],
        },
      }),
    );
    await sql.open();
    expect(sql.session).toBe('s1');
    expect(sql.tables).toEqual([
      {
        name: 'access_log',
        columns: [
          { name: 'path', type: 'STRING' },
          { name: 'status', type: 'INT' },
        ],
      },
    ]);
    const statements = calls.filter((c) => c.url.endsWith('/statements')).map((c) => c.body);
    expect(statements).toEqual([
      { statement: 'SHOW TABLES' },
      { statement: 'DESCRIBE `access_log`' },
    ]);
    await sql.close();
    expect(calls.at(-1)).toMatchObject({ method: 'DELETE', url: S });
  });

  it("follows a query's pages, applies its changelog and says the row limit ended it", async () => {
    vi.useFakeTimers();
    const sql = useSqlStore();
    answer('GET', S, page({ properties: { 'sql-gateway.preview.max-rows': '4' } }));
    statement(
      'q',
      page({
        resultType: 'PAYLOAD',
        isQueryResult: true,
        jobID: 'j1',
        results: {
          columns: [col('path', 'VARCHAR'), col('n', 'BIGINT')],
          data: [{ kind: 'INSERT', fields: ['/a', 1] }],
        },
        nextResultUri: next('q', 1),
      }),
      page({ resultType: 'NOT_READY', nextResultUri: next('q', 1) }),
    );
    const run = sql.run('SELECT path, COUNT(*) AS n FROM t GROUP BY path');
    await vi.advanceTimersByTimeAsync(0);
    expect(sql.result).toMatchObject({ status: 'running', isQuery: true, jobId: 'j1' });
    expect(sql.result?.table.rows.map((r) => r.fields)).toEqual([['/a', 1]]);
    // Token 1 answers NOT_READY once, then the update and EOS.
    routes.set(`GET ${S}/operations/q/result/1`, [
      page({ resultType: 'NOT_READY', nextResultUri: next('q', 1) }),
      page({
        resultType: 'PAYLOAD',
        results: {
          columns: [],
          data: [
            { kind: 'UPDATE_BEFORE', fields: ['/a', 1] },
            { kind: 'UPDATE_AFTER', fields: ['/a', 2] },
            { kind: 'INSERT', fields: ['/b', 1] },
          ],
        },
        nextResultUri: next('q', 2),
      }),
    ]);
    answer(
      'GET',
      `${S}/operations/q/result/2`,
      page({ resultType: 'EOS', results: { columns: [], data: [] } }),
    );
    await vi.advanceTimersByTimeAsync(2000);
    await run;
    expect(sql.result?.table.rows.map((r) => r.fields)).toEqual([
      ['/a', 2],
      ['/b', 1],
    ]);
    expect(sql.result).toMatchObject({ status: 'ended', reason: 'rowLimit' });
    expect(calls.at(-1)).toMatchObject({ method: 'DELETE', url: `${S}/operations/q/close` });
  });

  it('stops a running preview by closing its operation', async () => {
    vi.useFakeTimers();
    const sql = useSqlStore();
    statement(
      'q',
      page({
        resultType: 'PAYLOAD',
        isQueryResult: true,
        results: { columns: [col('x', 'INT')], data: [{ kind: 'INSERT', fields: [1] }] },
        nextResultUri: next('q', 1),
      }),
    );
    answer(
      'GET',
      `${S}/operations/q/result/1`,
      page({ resultType: 'NOT_READY', nextResultUri: next('q', 1) }),
    );
    const run = sql.run('SELECT x FROM t');
    await vi.advanceTimersByTimeAsync(500);
    await sql.stop();
    await vi.advanceTimersByTimeAsync(2000);
    await run;
    expect(sql.result).toMatchObject({ status: 'ended', reason: 'stopped' });
    expect(calls.filter((c) => c.url.endsWith('/operations/q/close'))).toHaveLength(1);
  });

  it("marks Flink's error where it points in the editor", async () => {
    const sql = useSqlStore();
    answer('POST', `${S}/statements`, page({ operationHandle: 'bad' }));
    // The gateway answers NOT_READY while the planner works, then the planner's error.
    answer(
      'GET',
      `${S}/operations/bad/result/0`,
      page({ resultType: 'NOT_READY', nextResultUri: next('bad', 0) }),
      {
        status: 400,
        body: {
          errors: [
            "SQL validation failed. From line 1, column 8 to line 1, column 14: Column 'nope_id' not found in any table",
          ],
        },
      },
    );
    const doc = 'SHOW TABLES;\nSELECT nope_id FROM t';
    await sql.run('SELECT nope_id FROM t', doc, doc.indexOf('SELECT'));
    expect(sql.error?.position).toEqual({ line: 1, column: 8, endLine: 1, endColumn: 14 });
    const range = sql.error?.range as { from: number; to: number };
    expect(doc.slice(range.from, range.to)).toBe('nope_id');
    expect(sql.error?.message).toContain("Column 'nope_id' not found");
    // No empty table under the error: no page ever named columns.
    expect(sql.result).toBeNull();
  });

  it('heartbeats while open, opens a new session when the old one lapsed, and closes on pagehide', async () => {
    vi.useFakeTimers();
    statement('show', page({ resultType: 'EOS', results: { columns: [], data: [] } }));
    const sql = useSqlStore();
    await sql.open();
    answer('POST', `${S}/heartbeat`, page({}));
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS * 2);
    expect(calls.filter((c) => c.url === `${S}/heartbeat`)).toHaveLength(2);

    routes.set(`POST ${S}/statements`, [
      { status: 404, body: { errors: ['Session s1 does not exist.'] } },
    ]);
    routes.set('POST /sql-gateway/v2/sessions', [page({ sessionHandle: 's2' })]);
    answer('POST', '/sql-gateway/v2/sessions/s2/statements', page({ operationHandle: 'v' }));
    answer(
      'GET',
      '/sql-gateway/v2/sessions/s2/operations/v/result/0',
      page({
        resultType: 'EOS',
        isQueryResult: false,
        results: {
          columns: [col('result', 'VARCHAR')],
          data: [{ kind: 'INSERT', fields: ['OK'] }],
        },
      }),
    );
    await sql.run("SET 'a' = 'b'");
    expect(sql.session).toBe('s2');
    expect(sql.result?.table.rows.map((r) => r.fields)).toEqual([['OK']]);

    sql.closeOnExit();
    expect(calls.at(-1)).toMatchObject({
      method: 'DELETE',
      url: '/sql-gateway/v2/sessions/s2',
      keepalive: true,
    });
    const before = calls.length;
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS * 2);
    expect(calls.length).toBe(before);
  });
});
