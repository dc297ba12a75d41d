/**
 * bench:jobs — how many access events per second pv_uv sustains on this machine, read from Flink's
 * own metrics, with and without the distinct-aggregation options (DISTINCT_SPLIT).
 *
 *   npm run bench:jobs -- [--events 2000000]
 *
 * Preloads the events into a fresh topic once, then for each setting deploys pv_uv reading from the
 * start and times the source from its first record to the last (records the source vertex sent on).
 */
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, CompressionTypes } from 'kafkajs';
import { consoleReporter, endpoints, loadConfig as loadStack, up } from '@pulse/stack';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';

const { values } = parseArgs({ options: { events: { type: 'string', default: '2000000' } } });
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
for (let i = 0; i < N; i += batch) {
  const messages = [];
  for (let k = i; k < Math.min(N, i + batch); k++) {
    const t = base + k * 5; // 200 events per second of event time
    const visitor = `v${(k * 2654435761) % 50_000}`;
    messages.push({
      key: visitor,
      value: `{"event_time":"${new Date(t).toISOString().replace('T', ' ').replace('Z', '')}","ts_ms":${t},"client_ip":"10.0.0.1","visitor_id":"${visitor}","method":"GET","path":"/p${k % 100}","protocol":"HTTP/1.1","status":200,"bytes":512,"referrer":"-","user_agent":"bench","source_file":"/bench","source_offset":${k}}`,
    });
  }
  await producer.send({ topic, messages, compression: CompressionTypes.None });
  if ((i / batch) % 100 === 0) report.info(`${Math.min(N, i + batch).toLocaleString()} produced`);
}
await producer.disconnect();
report.info(`preloaded in ${((Date.now() - loadStart) / 1000).toFixed(1)}s`);

const app = await buildApp({
  config: {
    ...loadConfig({ ...process.env, KAFKA_BROKERS: kafkaBrokers, FLINK_REST_URL: flinkRestUrl }),
    operatorToken: 'bench-operator-token',
    logLevel: 'warn',
  },
  relay: false,
});
const results: { setting: string; eventsPerSecond: number; seconds: number }[] = [];
for (const split of ['false', 'true']) {
  const vars = {
    ACCESS_TOPIC: topic,
    PVUV_TOPIC: `bench-pvuv-${id}-${split}`,
    GROUP_PREFIX: `bench-${id}-${split}`,
    BROKERS: kafkaBrokers,
    DISTINCT_SPLIT: split,
    CHECKPOINT_INTERVAL: '30 s',
  };
  const res = await app.inject({
    method: 'POST',
    url: '/api/jobs/pv_uv/deploy',
    headers: { authorization: 'Bearer bench-operator-token' },
    payload: { variables: vars, start: 'earliest' },
  });
  if (res.statusCode !== 200) throw new Error(`deploy failed: ${res.body}`);
  const { jobId } = res.json() as { jobId: string };
  report.step(`DISTINCT_SPLIT=${split}: job ${jobId} consuming`);
  let first = 0;
  let last = 0;
  for (;;) {
    const job = await app.flink.job(jobId);
    const source = job.vertices.find((v) => v.name.startsWith('Source'));
    const sent = Number(source?.metrics?.['write-records'] ?? 0);
    if (sent > 0 && first === 0) first = Date.now();
    if (sent >= N) {
      last = Date.now();
      break;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const seconds = (last - first) / 1000;
  results.push({
    setting: `DISTINCT_SPLIT=${split}`,
    eventsPerSecond: Math.round(N / seconds),
    seconds,
  });
  report.info(`${N.toLocaleString()} events in ${seconds.toFixed(1)}s`);
  await app.flink.cancelJob(jobId);
  await app.flink.waitForJobState(jobId, ['CANCELED']);
}
await app.close();
await admin
  .deleteTopics({
    topics: [topic, ...results.map((_, i) => `bench-pvuv-${id}-${i === 0 ? 'false' : 'true'}`)],
  })
  .catch(() => {});
await admin.disconnect();
console.log(
  `\npv_uv throughput on this machine (${N.toLocaleString()} events, parallelism 1, HOP 60 s / 10 s):`,
);
for (const r of results)
  console.log(
    `  ${r.setting.padEnd(22)} ${r.eventsPerSecond.toLocaleString().padStart(10)} events/s  (${r.seconds.toFixed(1)} s)`,
  );
if (stack.started.length)
  console.log(`(the stack was started for this run and keeps running: npm run stack -- down)`);
process.exit(0);
