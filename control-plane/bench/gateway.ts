/**
 * bench:gateway — the SQL gateway's live previews on the real stack.
 *
 *   npm run bench:gateway -- [--runs 15] [--max 16] [--table <name>]
 *
 * 1. Time to first row: `runs` times, POST .../statements with a simple SELECT over the
 *    access_log table definition, then fetch pages until one carries a row; prints p50/p99/max of
 *    the time from the POST to that page (planner, job submission and start, Kafka both ways).
 *    The table is `access_log_records` re-pointed at a private topic filled with access records,
 *    read from its start (so a row is there to be read; the real access_log starts at the latest
 *    offset), or the session's own `--table` (e.g. `access_log` while npm start's demo writes).
 * 2. Capacity: opens previews one by one and keeps them running until one gets no row within
 *    45 s (its job waits for a task slot) or `max` run; prints how many ran at once against the
 *    TaskManager's slots.
 * Everything it starts is closed at the end (jobs cancelled, topics deleted).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { gatewayServer } from '../src/gateway/plugin.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    max: { type: 'string', default: '16' },
    table: { type: 'string' },
  },
});
const RUNS = Number(values.runs);
const MAX = Number(values.max);
const id = randomUUID().slice(0, 8);
const topic = `bench_gateway_${id}`;
const config = loadConfig({
  ...process.env,
  PORT: '0',
  CONTROL_PLANE_STATE: mkdtempSync(join(tmpdir(), 'bench-gateway-')),
  JOBS_DIR: resolve(import.meta.dirname, '..', '..', 'jobs', 'sql'),
  SQL_GATEWAY_MAX_PREVIEWS: String(MAX + 1),
  SQL_GATEWAY_MAX_SESSIONS: String(MAX + 5),
  LOG_LEVEL: 'warn',
});
const kafka = new Kafka({
  clientId: 'bench-gateway',
  brokers: config.kafkaBrokers.split(','),
  logLevel: logLevel.NOTHING,
});

let base = '';
async function call<T>(method: string, path: string, body?: object): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json()) as T & { errors?: string[] };
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${json.errors?.join('; ')}`);
  return json;
}

interface Page {
  resultType: string;
  jobID?: string;
  nextResultUri?: string;
  results?: { data: unknown[] };
}

async function session(): Promise<string> {
  return (await call<{ sessionHandle: string }>('POST', '/v2/sessions', { properties: {} }))
    .sessionHandle;
}

async function statement(s: string, sql: string): Promise<string> {
  return (
    await call<{ operationHandle: string }>('POST', `/v2/sessions/${s}/statements`, {
      statement: sql,
    })
  ).operationHandle;
}

/** Fetches until a page carries a row or `timeoutMs` passes; the job id and whether a row came. */
async function firstRow(
  s: string,
  op: string,
  timeoutMs: number,
): Promise<{ row: boolean; jobId?: string }> {
  const deadline = Date.now() + timeoutMs;
  let uri = `/v2/sessions/${s}/operations/${op}/result/0?rowFormat=JSON`;
  let jobId: string | undefined;
  while (Date.now() < deadline) {
    const page = await call<Page>('GET', uri);
    jobId ??= page.jobID;
    if ((page.results?.data.length ?? 0) > 0) return { row: true, ...(jobId ? { jobId } : {}) };
    if (page.resultType === 'EOS' || !page.nextResultUri) return { row: false };
    if (page.resultType === 'NOT_READY') await new Promise((r) => setTimeout(r, 20));
    uri = page.nextResultUri;
  }
  return { row: false, ...(jobId ? { jobId } : {}) };
}

async function prepare(s: string): Promise<string> {
  if (values.table) return values.table;
  await firstRow(
    s,
    await statement(
      s,
      `CREATE TABLE bench_access WITH ('topic' = '${topic}', 'scan.startup.mode' = 'earliest-offset', 'properties.group.id' = 'bench-${id}') LIKE access_log_records (OVERWRITING OPTIONS)`,
    ),
    30_000,
  );
  return 'bench_access';
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function main(): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  if (!values.table) {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] });
    const producer = kafka.producer();
    await producer.connect();
    const t0 = Date.now();
    await producer.send({
      topic,
      messages: Array.from({ length: 1000 }, (_, i) => ({
        value: JSON.stringify({
          ts_ms: t0 + i,
          path: `/page/${i % 37}`,
          status: 200,
          visitor_id: `v${i % 50}`,
          method: 'GET',
        }),
      })),
    });
    await producer.disconnect();
  }
  const app = await buildApp({ config, relay: false });
  const gateway = await gatewayServer(app);
  await app.ready();
  base = await gateway.listen({ host: '127.0.0.1', port: 0 });
  try {
    const overview = (await (await fetch(`${config.flinkRestUrl}/overview`)).json()) as {
      'slots-total': number;
      'slots-available': number;
    };
    console.log(
      `cluster: ${overview['slots-total']} task slots, ${overview['slots-available']} free at start`,
    );

    // 1. Time from POST .../statements to the first preview row.
    const s = await session();
    const table = await prepare(s);
    const query = `SELECT path, status FROM ${table}`;
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const op = await statement(s, query);
      const { row } = await firstRow(s, op, 120_000);
      const ms = performance.now() - t0;
      await call('DELETE', `/v2/sessions/${s}/operations/${op}/close`);
      if (!row) throw new Error(`run ${i + 1}: no row within 120 s`);
      times.push(ms);
      console.log(`  run ${i + 1}: first row after ${ms.toFixed(0)} ms`);
    }
    const sorted = [...times].sort((a, b) => a - b);
    console.log(
      `time to first row (${RUNS} runs of "${query}"): p50 ${pct(sorted, 50).toFixed(0)} ms, p99 ${pct(sorted, 99).toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms`,
    );
    await call('DELETE', `/v2/sessions/${s}`);

    // 2. Concurrent previews until the cluster holds no more.
    const running: string[] = [];
    let stuck = '';
    while (running.length < MAX) {
      const own = await session();
      const t = await prepare(own);
      const op = await statement(own, `SELECT path, status FROM ${t}`);
      const { row, jobId } = await firstRow(own, op, 45_000);
      running.push(own);
      if (!row) {
        const job = jobId
          ? ((await (await fetch(`${config.flinkRestUrl}/jobs/${jobId}`)).json()) as {
              state: string;
              vertices: { status: string }[];
            })
          : undefined;
        stuck = job
          ? `job ${job.state}, tasks ${job.vertices.map((v) => v.status).join('/')}`
          : 'not started';
        break;
      }
      console.log(`  preview ${running.length} runs`);
    }
    const held = stuck ? running.length - 1 : running.length;
    console.log(
      stuck
        ? `concurrent previews: ${held} ran at once; preview ${running.length} got no row within 45 s (${stuck}) with ${overview['slots-available']} slots free at start`
        : `concurrent previews: all ${held} ran at once (--max ${MAX}); ${overview['slots-available']} slots were free at start`,
    );
    await Promise.all(running.map((own) => call('DELETE', `/v2/sessions/${own}`)));
  } finally {
    await gateway.close();
    await app.close();
    if (!values.table) await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
