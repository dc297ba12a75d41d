/**
 * bench:history — the history API's latency and the JDBC sink's throughput on this machine.
 *
 *   npm run bench:history -- [--requests 400] [--sink-rows 300000]
 *
 * Loads a fresh database with 30 days of minute traffic (43,200 rows, with hours and days) and a
 * 16-week term of attendance for 400 sections, serves it with the control plane on a real port,
 * and prints p50/p99 over sequential HTTP requests per endpoint (target p99 < 50 ms), with the plan
 * PostgreSQL chose for each query. Then runs a Flink job writing --sink-rows rows through the
 * JDBC sink twice (inserts, then a replay that updates every row) and prints rows per second.
 */
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { dropDatabase, ensureDatabase, migrate, withDatabase } from '@pulse/db';
import { consoleReporter, endpoints, loadConfig as loadStack, up } from '@pulse/stack';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { loadTerm, loadTraffic } from './history-load.js';
import { benchJobsDir, createBenchTable, sinkRound } from './history-sink.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '400' },
    'sink-rows': { type: 'string', default: '300000' },
  },
});
const REQUESTS = Number(values.requests);
const SINK_ROWS = Number(values['sink-rows']);
const TOKEN = 'bench-history-operator-token';
const report = consoleReporter('bench:history');

const stackConfig = loadStack();
await up(stackConfig, report);
const { kafkaBrokers, flinkRestUrl, databaseUrl } = endpoints(stackConfig);
const url = withDatabase(databaseUrl, `pulse_bench_${randomUUID().slice(0, 8)}`);
await ensureDatabase(url);
await migrate(url);
const pool = new pg.Pool({ connectionString: url, max: 4 });

report.step('loading 30 days of minute traffic and a 16-week term for 400 sections');
const loadStart = Date.now();
const now = Date.now();
const traffic = await loadTraffic(pool, now);
const term = await loadTerm(pool);
await pool.query('ANALYZE');
report.info(
  `${traffic.minutes.toLocaleString()} minute rows, ${term.rows.toLocaleString()} attendance rows in ${((Date.now() - loadStart) / 1000).toFixed(1)}s`,
);

const app = await buildApp({
  config: {
    ...loadConfig({ ...process.env, KAFKA_BROKERS: kafkaBrokers, FLINK_REST_URL: flinkRestUrl }),
    databaseUrl: url,
    jobsDir: benchJobsDir(SINK_ROWS),
    operatorToken: TOKEN,
    logLevel: 'warn',
  },
  relay: false,
});
const base = await app.listen({ host: '127.0.0.1', port: 0 });

let seed = 1;
const pick = <T>(list: readonly T[]): T =>
  list[(seed = (seed * 48271) % 2147483647) % list.length]!;
const iso = (ms: number) => new Date(ms).toISOString();
const randomDay = () =>
  traffic.first + Math.floor((pick([...Array(29).keys()]) + 0.5) * 86_400_000);

/** Each endpoint: a request maker (varied parameters) and the query whose plan to show. */
const cases: { name: string; path: () => string; plan: string }[] = [
  {
    name: 'attendance: one section, whole term',
    path: () => {
      const s = pick(term.sections);
      return `/api/history/attendance?course=${s.course}&section=${s.section}&from=${term.start}&to=${term.end}`;
    },
    plan: `SELECT * FROM attendance WHERE course_id = 'C1100' AND section = 'L01' AND class_date BETWEEN '${term.start}' AND '${term.end}' ORDER BY class_date LIMIT 1001`,
  },
  {
    name: 'attendance: every section on a date',
    path: () => `/api/history/attendance/${pick(term.classDates)}`,
    plan: `SELECT * FROM attendance WHERE class_date = '${term.classDates[10]}' ORDER BY course_id, section LIMIT 1001`,
  },
  {
    name: 'attendance: every section on a date, CSV',
    path: () => `/api/history/attendance/${pick(term.classDates)}?format=csv`,
    plan: '',
  },
  {
    name: 'traffic: minutes of one day (1,440 rows)',
    path: () => {
      const from = randomDay();
      return `/api/history/traffic?step=minute&from=${iso(from)}&to=${iso(from + 86_400_000)}&limit=1440`;
    },
    plan: `SELECT * FROM traffic_minute WHERE bucket_start BETWEEN '${iso(traffic.first + 86_400_000).slice(0, 19)}' AND '${iso(traffic.first + 2 * 86_400_000).slice(0, 19)}' ORDER BY bucket_start LIMIT 1441`,
  },
  {
    name: 'traffic: minutes of one hour (60 rows)',
    path: () => {
      const from = randomDay();
      return `/api/history/traffic?step=minute&from=${iso(from)}&to=${iso(from + 3_600_000)}`;
    },
    plan: '',
  },
  {
    name: 'traffic: hours of 7 days',
    path: () =>
      `/api/history/traffic?step=hour&from=${iso(traffic.first + 86_400_000)}&to=${iso(traffic.first + 8 * 86_400_000)}`,
    plan: `SELECT * FROM traffic_hour WHERE bucket_start BETWEEN '${iso(traffic.first).slice(0, 19)}' AND '${iso(traffic.last).slice(0, 19)}' ORDER BY bucket_start LIMIT 1001`,
  },
  {
    name: 'traffic: days of 30 days',
    path: () => '/api/history/traffic?step=day',
    plan: '',
  },
];

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

report.step(
  `history API: ${REQUESTS} sequential requests per endpoint over HTTP (after 50 to warm up)`,
);
const latency: { name: string; rows: number; p50: number; p99: number; plan: string }[] = [];
for (const c of cases) {
  for (let i = 0; i < 50; i++) await (await fetch(base + c.path())).arrayBuffer();
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < REQUESTS; i++) {
    const started = performance.now();
    const res = await fetch(base + c.path());
    const body = await res.text();
    times.push(performance.now() - started);
    if (res.status !== 200) throw new Error(`${c.name}: ${res.status} ${body.slice(0, 200)}`);
    rows = body.startsWith('{')
      ? (JSON.parse(body) as { rows: unknown[] }).rows.length
      : body.split('\r\n').length - 2;
  }
  times.sort((a, b) => a - b);
  let plan = '';
  if (c.plan) {
    const explained = await pool.query(`EXPLAIN ${c.plan}`);
    plan = (explained.rows as { 'QUERY PLAN': string }[])
      .map((r) => r['QUERY PLAN'].trim().replace(/^->\s*/, ''))
      .filter((l) => /Scan/.test(l))
      .map((l) => l.replace(/\s+\(cost.*$/, ''))
      .join('; ');
  }
  latency.push({
    name: c.name,
    rows,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    plan,
  });
}

report.step(`JDBC sink: ${SINK_ROWS.toLocaleString()} rows through Flink's jdbc connector, twice`);
await createBenchTable(pool);
const u = new URL(url);
const variables = {
  JDBC_URL: `jdbc:postgresql://${u.host}${u.pathname}`,
  JDBC_USER: decodeURIComponent(u.username),
  JDBC_PASSWORD: decodeURIComponent(u.password),
};
const inserts = await sinkRound(app, pool, TOKEN, variables, SINK_ROWS, 1);
const replay = await sinkRound(app, pool, TOKEN, variables, SINK_ROWS, 2);

await app.close();
await pool.end();
await dropDatabase(url);

const pad = (s: string, n: number) => s.padEnd(n);
process.stdout.write(
  `\nhistory API on this machine (${traffic.minutes.toLocaleString()} minute rows over 30 days; ${term.rows.toLocaleString()} attendance rows, 400 sections x 16 weeks), ${REQUESTS} requests each:\n` +
    `${pad('endpoint', 44)}${pad('rows', 7)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}plan\n` +
    latency
      .map(
        (l) =>
          `${pad(l.name, 44)}${pad(String(l.rows), 7)}${pad(l.p50.toFixed(2), 9)}${pad(l.p99.toFixed(2), 9)}${l.plan}`,
      )
      .join('\n') +
    `\n\nJDBC sink (Flink 1.12.7 jdbc connector, PostgreSQL upserts, batches of 1000, parallelism 1):\n` +
    `  ${SINK_ROWS.toLocaleString()} new rows:        ${inserts.seconds.toFixed(1)} s, ${Math.round(inserts.rowsPerSecond).toLocaleString()} rows/s\n` +
    `  the same rows again (replay): ${replay.seconds.toFixed(1)} s, ${Math.round(replay.rowsPerSecond).toLocaleString()} rows/s\n`,
);
process.exit(0);
