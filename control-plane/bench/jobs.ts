/**
 * bench:jobs — how many access events per second the web jobs sustain on this machine, read from
 * Flink's own metrics: pv_uv alone (with and without DISTINCT_SPLIT), then the whole web job set
 * at once (pv_uv and web_analytics, each reading the same access log).
 *
 *   npm run bench:jobs -- [--events 2000000] [--cases pv_uv,split,set]
 *
 * Cases: pv_uv (alone), split (pv_uv alone with DISTINCT_SPLIT), web_analytics (alone), set (the
 * whole web set at once: pv_uv and web_analytics, the figure the target is about).
 *
 * Preloads the events into a fresh topic once, then for each case deploys private copies of the
 * jobs (their own names, output topics and history database, so nothing of `npm start` is touched)
 * reading from the earliest offset, and times them from the jobs' start until every source has read
 * every event (its Kafka positions, as Flink's REST API reports them about every 10 s).
 */
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, CompressionTypes } from 'kafkajs';
import { consoleReporter, endpoints, loadConfig as loadStack, up } from '@pulse/stack';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { privateJobsDir } from '../test/private-jobs.js';
import { freshDatabase, jdbcOf } from '../test/history-helpers.js';
import { readProgress } from './flink-metrics.js';

const CASES = ['pv_uv', 'split', 'web_analytics', 'set'] as const;
const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '2000000' },
    cases: { type: 'string', default: 'pv_uv,split,set' },
  },
});
const cases = new Set(values.cases.split(',').map((c) => c.trim()));
for (const c of cases)
  if (!(CASES as readonly string[]).includes(c))
    throw new Error(`unknown case ${c}: choose from ${CASES.join(', ')}`);
const N = Number(values.events);
const report = consoleReporter('bench:jobs');

const stack = await up(loadStack(), report);
const { kafkaBrokers, flinkRestUrl } = endpoints(loadStack());
const id = randomUUID().slice(0, 8);
const topic = `bench-access-${id}`;
const kafka = new Kafka({
  clientId: 'bench-jobs',
  brokers: [kafkaBrokers],
  logLevel: logLevel.NOTHING,
});
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });

report.step(`preloading ${N.toLocaleString()} access events into ${topic}`);
const producer = kafka.producer({ idempotent: true });
await producer.connect();
const base = Date.UTC(2026, 0, 1);
const batch = 5_000; // stays under the broker's 1 MiB per partition batch
const loadStart = Date.now();
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0) Chrome/120.0',
  'Googlebot/2.1',
  'Mozilla/5.0 (iPhone) Safari/604.1',
];
for (let i = 0; i < N; i += batch) {
  const messages = [];
  for (let k = i; k < Math.min(N, i + batch); k++) {
    const t = base + k * 5; // 200 events per second of event time
    const visitor = `v${(k * 2654435761) % 50_000}`;
    const path = k % 10 === 0 ? `/static/app${k % 7}.js` : `/p${k % 100}`;
    const status = k % 50 === 0 ? 404 : k % 97 === 0 ? 500 : 200;
    const referrer = k % 4 === 0 ? `https://site${k % 13}.example/` : '-';
    messages.push({
      key: visitor,
      value: `{"event_time":"${new Date(t).toISOString().replace('T', ' ').replace('Z', '')}","ts_ms":${t},"client_ip":"10.0.0.1","visitor_id":"${visitor}","method":"GET","path":"${path}","protocol":"HTTP/1.1","status":${status},"bytes":512,"referrer":"${referrer}","user_agent":"${AGENTS[k % 3]}","source_file":"/bench","source_offset":${k}}`,
    });
  }
  await producer.send({ topic, messages, compression: CompressionTypes.None });
  if ((i / batch) % 100 === 0) report.info(`${Math.min(N, i + batch).toLocaleString()} produced`);
}
await producer.disconnect();
report.info(`preloaded in ${((Date.now() - loadStart) / 1000).toFixed(1)}s`);

// Private copies of the jobs: their own names, so no job of `npm start` is upgraded or stopped.
const config = loadConfig({
  ...process.env,
  KAFKA_BROKERS: kafkaBrokers,
  FLINK_REST_URL: flinkRestUrl,
});
const jobs = privateJobsDir(config.jobsDir, 'pv_uv', `bench_pv_uv_${id}`);
for (const file of ['web_analytics']) {
  const path = join(jobs.dir, `${file}.sql`);
  writeFileSync(
    path,
    readFileSync(path, 'utf8').replace(/^--\s*name:.*$/m, `-- name: bench_${file}_${id}`),
  );
}
const db = await freshDatabase('pulse_bench_jobs');
const app = await buildApp({
  config: { ...config, jobsDir: jobs.dir, operatorToken: 'bench-operator-token', logLevel: 'warn' },
  relay: false,
});

const outputs: string[] = [];
const out = (name: string) => {
  outputs.push(`bench-${name}-${id}`);
  return outputs.at(-1) as string;
};
const common = (run: string) => ({
  ACCESS_TOPIC: topic,
  GROUP_PREFIX: `bench-${id}-${run}`,
  BROKERS: kafkaBrokers,
  CHECKPOINT_INTERVAL: '30 s',
});
const variables = {
  pv_uv: (run: string, split = 'false') => ({
    ...common(run),
    PVUV_TOPIC: out(`pvuv-${run}`),
    DISTINCT_SPLIT: split,
    ...jdbcOf(db.url),
  }),
  web_analytics: (run: string) => ({
    ...common(run),
    ...jdbcOf(db.url),
    WEB_MINUTE_TOPIC: out(`web-minute-${run}`),
    WEB_HOUR_TOPIC: out(`web-hour-${run}`),
    WEB_TODAY_TOPIC: out(`web-today-${run}`),
    WEB_TOP_PAGES_TOPIC: out(`web-pages-${run}`),
    WEB_TOP_REFERRERS_TOPIC: out(`web-referrers-${run}`),
    WEB_TOP_404_TOPIC: out(`web-404-${run}`),
  }),
};

// Interrupted (Ctrl-C), the benchmark cancels the jobs it started rather than leave them running.
const running = new Set<string>();
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    report.info(`${signal}: cancelling ${running.size} job(s) this run started`);
    void Promise.all([...running].map((jobId) => app.flink.cancelJob(jobId).catch(() => {}))).then(
      () => process.exit(130),
    );
  });

async function deploy(file: string, vars: Record<string, string>): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: `/api/jobs/${file}/deploy`,
    headers: { authorization: 'Bearer bench-operator-token' },
    payload: { variables: vars, start: 'earliest' },
  });
  if (res.statusCode !== 200) throw new Error(`deploy of ${file} failed: ${res.body}`);
  const { jobId } = res.json() as { jobId: string };
  running.add(jobId);
  return jobId;
}

/** Runs the jobs at once until each has read every event; the rate over the slowest. */
async function measure(label: string, started: Array<[string, string]>) {
  report.step(`${label}: ${started.map(([f, j]) => `${f} (${j})`).join(', ')} consuming`);
  const progress = await Promise.all(
    started.map(([file, jobId]) =>
      readProgress(
        app.flink,
        flinkRestUrl,
        jobId,
        N,
        (read) => report.info(`${file}: ${read.toLocaleString()} read`),
        'access_log',
      ),
    ),
  );
  for (const [, jobId] of started) {
    await app.flink.cancelJob(jobId);
    await app.flink.waitForJobState(jobId, ['CANCELED']);
    running.delete(jobId);
  }
  const seconds =
    (Math.max(...progress.map((p) => p.doneAt)) - Math.min(...progress.map((p) => p.startedAt))) /
    1000;
  const eventsPerSecond = seconds > 0 ? Math.round(N / seconds) : Number.NaN;
  report.info(`${N.toLocaleString()} events in ${seconds.toFixed(1)}s`);
  return { label, eventsPerSecond, seconds };
}

const results: Array<{ label: string; eventsPerSecond: number; seconds: number }> = [];
if (cases.has('pv_uv'))
  results.push(
    await measure('pv_uv alone', [['pv_uv', await deploy('pv_uv', variables.pv_uv('a'))]]),
  );
if (cases.has('split'))
  results.push(
    await measure('pv_uv alone, DISTINCT_SPLIT=true', [
      ['pv_uv', await deploy('pv_uv', variables.pv_uv('b', 'true'))],
    ]),
  );
if (cases.has('web_analytics'))
  results.push(
    await measure('web_analytics alone', [
      ['web_analytics', await deploy('web_analytics', variables.web_analytics('e'))],
    ]),
  );
if (cases.has('set'))
  results.push(
    await measure('web set (pv_uv + web_analytics)', [
      ['pv_uv', await deploy('pv_uv', variables.pv_uv('c'))],
      ['web_analytics', await deploy('web_analytics', variables.web_analytics('c'))],
    ]),
  );

await app.close();
await db.drop();
jobs.remove();
await admin.deleteTopics({ topics: [topic, ...outputs] }).catch(() => {});
await admin.disconnect();
console.log(
  `\nWeb job throughput on this machine (${N.toLocaleString()} events, parallelism 1, from the jobs' start until every source read every event):`,
);
for (const r of results)
  console.log(
    `  ${r.label.padEnd(52)} ${Number.isNaN(r.eventsPerSecond) ? 'not measurable'.padStart(10) : r.eventsPerSecond.toLocaleString().padStart(10)} events/s  (${r.seconds.toFixed(1)} s)`,
  );
const alone = results.find((r) => r.label === 'pv_uv alone')?.eventsPerSecond;
const set = results.find((r) => r.label.startsWith('web set'))?.eventsPerSecond;
if (alone !== undefined && set !== undefined)
  console.log(
    `  the whole set runs at ${((set / alone) * 100).toFixed(0)} % of pv_uv alone (target: at least 50 %)`,
  );
if (stack.started.length)
  console.log(`(the stack was started for this run and keeps running: npm run stack -- down)`);
process.exit(0);
