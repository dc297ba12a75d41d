/**
 * The SQL gateway's planner (the stack part `planner`, issue 15) over its own HTTP API, against the
 * real Kafka and Flink: a session whose prelude creates a Kafka table, catalog answers from Flink
 * 1.12's planner, SET/RESET, errors with their position, and previews that run as jobs on the
 * cluster and write their changelog to a topic, read back here and compared with a computation
 * over the events the test wrote.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  brokers,
  createTopics,
  deleteTopics,
  flinkUrl,
  produce,
  readUntil,
  uid,
} from './kafka-helpers.js';

const plannerUrl = process.env.PLANNER_URL ?? 'http://127.0.0.1:8093';

interface Row {
  kind: 'INSERT' | 'UPDATE_BEFORE' | 'UPDATE_AFTER' | 'DELETE';
  fields: unknown[];
  text: (string | null)[];
}

interface Answer {
  resultType?: string;
  resultKind?: string;
  columns?: { name: string; logicalType: Record<string, unknown>; comment: null }[];
  rows?: Row[];
  jobId?: string;
  script?: string;
  candidates?: string[];
  properties?: Record<string, string>;
  error?: { message: string; line?: number; column?: number };
}

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Answer }> {
  const res = await fetch(`${plannerUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Answer };
}

const sessionId = `planner-test-${uid()}`;
const source = `planner_src_${uid()}`;
const previewTopics: string[] = [];
const jobs: string[] = [];

const statement = (sql: string, preview?: { topic: string; jobName: string }) =>
  call('POST', `/sessions/${sessionId}/statements`, {
    statement: sql,
    ...(preview ? { preview: { ...preview, bootstrapServers: brokers } } : {}),
  });

/** Events with known paths, sizes and times: the GROUP BY preview's input. */
const BASE = Date.UTC(2026, 0, 15, 8, 0, 0);
const events = Array.from({ length: 12 }, (_, i) => ({
  path: ['/a', '/b', '/a', '/c', '/a', '/b'][i % 6]!,
  bytes_sent: 100 + i,
  ts: new Date(BASE + i * 500).toISOString().replace('T', ' ').replace('Z', ''),
}));

const prelude = `-- the shared tables, as the control plane hands them over
CREATE TABLE clicks (
  path STRING,
  bytes_sent BIGINT,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${source}',
  'properties.bootstrap.servers' = '${brokers}',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json'
);
CREATE VIEW big_clicks AS SELECT path, bytes_sent, ts FROM clicks WHERE bytes_sent >= 105;`;

async function previewTopic(): Promise<string> {
  const topic = `planner_preview_${uid()}`;
  await createTopics([{ topic, partitions: 1 }]);
  previewTopics.push(topic);
  return topic;
}

async function flinkJob(
  jobId: string,
): Promise<{ name: string; state: string; vertices: { parallelism: number }[] }> {
  const res = await fetch(`${flinkUrl}/jobs/${jobId}`);
  return (await res.json()) as { name: string; state: string; vertices: { parallelism: number }[] };
}

async function cancel(jobId: string): Promise<void> {
  await fetch(`${flinkUrl}/jobs/${jobId}?mode=cancel`, { method: 'PATCH' }).catch(() => {});
}

/** flink-json's ISO-8601 local timestamp: 'T' between date and time, no trailing zero digits. */
const isoLocal = (sql: string) => sql.replace(' ', 'T').replace(/\.?0+$/, '');

const rowsOf = (records: { value: string | null }[]) =>
  records.map((r) => JSON.parse(r.value!) as Row);

describe('SQL gateway planner', () => {
  beforeAll(async () => {
    await createTopics([{ topic: source, partitions: 1 }]);
    await produce(
      source,
      events.map((e) => ({ value: JSON.stringify(e) })),
    );
    const open = await call('POST', '/sessions', {
      sessionId,
      properties: { 'table.exec.mini-batch.enabled': 'false' },
      prelude,
    });
    expect(open).toEqual({ status: 200, json: { sessionId } });
  });

  afterAll(async () => {
    await Promise.all(jobs.map(cancel));
    await call('DELETE', `/sessions/${sessionId}`).catch(() => {});
    await deleteTopics([source, ...previewTopics]);
  });

  it('answers health with the Flink version it plans for', async () => {
    const { status, json } = await call('GET', '/health');
    expect(status).toBe(200);
    expect(json).toMatchObject({ flinkVersion: '1.12.7' });
  });

  it('lists the prelude tables and describes them from the 1.12 planner', async () => {
    const tables = await statement('SHOW TABLES');
    expect(tables.json).toMatchObject({ resultType: 'TABLE', resultKind: 'SUCCESS_WITH_CONTENT' });
    expect(tables.json.columns).toEqual([
      {
        name: 'table name',
        logicalType: { type: 'VARCHAR', nullable: true, length: 2147483647 },
        comment: null,
      },
    ]);
    expect(tables.json.rows!.map((r) => r.fields[0])).toEqual(['big_clicks', 'clicks']);

    const described = await statement('DESCRIBE clicks');
    expect(described.json.columns!.map((c) => c.name)).toEqual([
      'name',
      'type',
      'null',
      'key',
      'extras',
      'watermark',
    ]);
    const byName = Object.fromEntries(described.json.rows!.map((r) => [r.fields[0], r.fields]));
    expect(byName.path).toEqual(['path', 'STRING', true, null, null, null]);
    expect(byName.ts).toEqual([
      'ts',
      'TIMESTAMP(3) *ROWTIME*',
      true,
      null,
      null,
      "`ts` - INTERVAL '5' SECOND",
    ]);
    expect(described.json.rows!.find((r) => r.fields[0] === 'path')!.text).toEqual([
      'path',
      'STRING',
      'TRUE',
      null,
      null,
      null,
    ]);

    const current = await statement('SHOW CURRENT DATABASE');
    expect(current.json.rows).toEqual([
      { kind: 'INSERT', fields: ['default_database'], text: ['default_database'] },
    ]);
  });

  it('keeps SET options in the session, in both spellings, and RESET returns to the opening ones', async () => {
    const ok = { kind: 'INSERT', fields: ['OK'], text: ['OK'] };
    expect((await statement("SET 'pipeline.max-parallelism' = '64'")).json).toMatchObject({
      resultKind: 'SUCCESS',
      rows: [ok],
    });
    expect((await statement('SET table.exec.mini-batch.enabled = true')).json.rows).toEqual([ok]);
    expect((await call('GET', `/sessions/${sessionId}`)).json.properties).toEqual({
      'pipeline.max-parallelism': '64',
      'table.exec.mini-batch.enabled': 'true',
    });
    const listed = await statement('SET');
    expect(listed.json.columns!.map((c) => c.name)).toEqual(['key', 'value']);
    expect(listed.json.rows!.map((r) => r.fields)).toEqual([
      ['pipeline.max-parallelism', '64'],
      ['table.exec.mini-batch.enabled', 'true'],
    ]);
    await statement("RESET 'pipeline.max-parallelism'");
    await statement('RESET');
    expect((await call('GET', `/sessions/${sessionId}`)).json.properties).toEqual({
      'table.exec.mini-batch.enabled': 'false',
    });
  });

  it("reports Flink's error with its line and column within the statement", async () => {
    const wrong = await statement('SELECT path,\n  nope FROM clicks');
    expect(wrong.status).toBe(400);
    expect(wrong.json.error).toEqual({
      message: expect.stringContaining("Column 'nope' not found in any table") as string,
      line: 2,
      column: 3,
    });
    const indented = await statement('\n\n  SELECT nope FROM clicks;');
    expect(indented.json.error).toMatchObject({ line: 3, column: 10 });
    const parse = await statement('SELECT FROM clicks');
    expect(parse.status).toBe(400);
    expect(parse.json.error).toMatchObject({ line: 1, column: 8 });
    expect(
      (await call('POST', '/sessions/no-such-session/statements', { statement: 'SHOW TABLES' }))
        .status,
    ).toBe(404);
    const badPrelude = await call('POST', '/sessions', {
      sessionId: `${sessionId}-bad`,
      prelude: 'CREATE VIEW v1 AS SELECT 1;\nCREATE VIEW v2 AS\nSELECT nope FROM v1;',
    });
    expect(badPrelude.status).toBe(400);
    expect(badPrelude.json.error).toMatchObject({
      message: expect.stringMatching(/^prelude statement 2 \(line 2\)/) as string,
      line: 3,
      column: 8,
    });
  });

  it('answers an INSERT with the session script a deploy would run, without running it', async () => {
    const answer = await statement('INSERT INTO clicks SELECT path, bytes_sent, ts FROM clicks');
    expect(answer.json.resultType).toBe('INSERT');
    expect(answer.json.script).toContain("SET 'table.exec.mini-batch.enabled' = 'false';\n");
    expect(answer.json.script).toContain(
      'CREATE VIEW big_clicks AS SELECT path, bytes_sent, ts FROM clicks WHERE bytes_sent >= 105;\n',
    );
    expect(answer.json.script).toMatch(
      /INSERT INTO clicks SELECT path, bytes_sent, ts FROM clicks;\n$/,
    );
    const completion = await call('POST', `/sessions/${sessionId}/complete`, {
      statement: 'SELECT * FROM clicks WH',
      position: 23,
    });
    expect(completion.json.candidates).toContain('WHERE');
  });

  it('previews a bounded query: the job writes its rows and finishes', async () => {
    const topic = await previewTopic();
    const jobName = `planner-test-values-${uid()}`;
    const answer = await statement(
      "SELECT * FROM (VALUES (1, 'a', CAST('2026-01-15 08:00:00.5' AS TIMESTAMP(3))), (2, 'b', CAST('2026-01-15 08:00:01' AS TIMESTAMP(3)))) AS t(n, s, happened)",
      { topic, jobName },
    );
    expect(answer.status).toBe(200);
    expect(answer.json.resultType).toBe('QUERY');
    expect(answer.json.columns!.map((c) => [c.name, c.logicalType.type])).toEqual([
      ['n', 'INTEGER'],
      ['s', 'CHAR'],
      ['happened', 'TIMESTAMP_WITHOUT_TIME_ZONE'],
    ]);
    jobs.push(answer.json.jobId!);
    const rows = rowsOf(await readUntil(topic, (r) => r.length >= 2, 90_000));
    expect(rows).toEqual([
      {
        kind: 'INSERT',
        fields: [1, 'a', '2026-01-15T08:00:00.5'],
        text: ['1', 'a', '2026-01-15 08:00:00.500'],
      },
      {
        kind: 'INSERT',
        fields: [2, 'b', '2026-01-15T08:00:01'],
        text: ['2', 'b', '2026-01-15 08:00:01.000'],
      },
    ]);
    const job = await flinkJob(answer.json.jobId!);
    expect(job.name).toBe(jobName);
    expect(new Set(job.vertices.map((v) => v.parallelism))).toEqual(new Set([1]));
  });

  it("previews a GROUP BY over Kafka: the topic holds the aggregate's whole changelog", async () => {
    const topic = await previewTopic();
    const answer = await statement(
      'SELECT path, COUNT(*) AS hits, SUM(bytes_sent) AS total FROM clicks GROUP BY path',
      {
        topic,
        jobName: `planner-test-groupby-${uid()}`,
      },
    );
    expect(answer.status).toBe(200);
    jobs.push(answer.json.jobId!);

    // One partition, parallelism 1: the aggregate sees the events in order and updates per event.
    const expected: Row[] = [];
    const seen = new Map<string, { hits: number; total: number }>();
    for (const e of events) {
      const before = seen.get(e.path);
      const after = { hits: (before?.hits ?? 0) + 1, total: (before?.total ?? 0) + e.bytes_sent };
      const row = (kind: Row['kind'], v: { hits: number; total: number }): Row => ({
        kind,
        fields: [e.path, v.hits, v.total],
        text: [e.path, String(v.hits), String(v.total)],
      });
      if (before) expected.push(row('UPDATE_BEFORE', before), row('UPDATE_AFTER', after));
      else expected.push(row('INSERT', after));
      seen.set(e.path, after);
    }
    const rows = rowsOf(await readUntil(topic, (r) => r.length >= expected.length, 90_000));
    expect(rows).toEqual(expected);
    expect((await flinkJob(answer.json.jobId!)).state).toBe('RUNNING');
  });

  it('previews a time attribute as a plain TIMESTAMP(3), through a view of the prelude', async () => {
    const topic = await previewTopic();
    const answer = await statement('SELECT path, ts FROM big_clicks', {
      topic,
      jobName: `planner-test-rowtime-${uid()}`,
    });
    expect(answer.status).toBe(200);
    expect(answer.json.columns![1]!.logicalType).toEqual({
      type: 'TIMESTAMP_WITHOUT_TIME_ZONE',
      nullable: true,
      precision: 3,
    });
    jobs.push(answer.json.jobId!);
    const expected: Row[] = events
      .filter((e) => e.bytes_sent >= 105)
      .map((e) => ({ kind: 'INSERT', fields: [e.path, isoLocal(e.ts)], text: [e.path, e.ts] }));
    const rows = rowsOf(await readUntil(topic, (r) => r.length >= expected.length, 90_000));
    expect(rows).toEqual(expected);
  });

  it('forgets a closed session', async () => {
    const other = `${sessionId}-closed`;
    expect((await call('POST', '/sessions', { sessionId: other })).status).toBe(200);
    expect(await call('DELETE', `/sessions/${other}`)).toEqual({ status: 200, json: {} });
    expect((await call('GET', `/sessions/${other}`)).status).toBe(404);
  });
});
