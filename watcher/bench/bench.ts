/**
 * bench:watcher — how fast the watcher ships a combined log into Kafka with exactly-once on,
 * against `kcat -P` sending the same file (no parsing, no transactions) as the ceiling.
 *
 *   npm run bench:watcher -- [--lines 1000000] [--producer librdkafka,kafkajs] [--keep]
 *
 * It writes the log once, creates fresh topics (so neither side pays for topic creation), starts
 * the watcher bundle on it once per producer engine named (fresh topic and state id each;
 * default: librdkafka, the watcher's default), polls its /metrics until every line is committed,
 * and samples its RSS. Then `kcat -P -l` sends the same
 * file to another fresh topic. Both topics are counted back with a read_committed kcat consumer,
 * so the figures are for lines that really are in Kafka. Topics are deleted at the end unless
 * --keep is given. KAFKA_BROKERS (default 127.0.0.1:9092) names the broker.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  createWriteStream,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { once } from 'node:events';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { readEnv, sleep } from '@pulse/kit';
import { dlqTopic, watcherOffsetsTopic } from '@pulse/contracts';
import { provisionTopics } from '@pulse/contracts/kafka';
import { WATCHER_ENV_SCHEMA } from '../src/config.js';
import { ownTopicSpec } from '../src/topics.js';
import { formatClfTime } from '../src/formats/clf.js';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    keep: { type: 'boolean', default: false },
    producer: { type: 'string', default: 'librdkafka' },
  },
});
const LINES = Number(values.lines);
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const REPO = resolve(fileURLToPath(import.meta.url), '..', '..', '..');
const TARGET_LINES_PER_S = 100_000;
/** Partitions of the fresh topics: as the watcher would create them (KAFKA_PARTITIONS). */
const PARTITIONS = readEnv(WATCHER_ENV_SCHEMA, process.env).KAFKA_PARTITIONS;

function ensureKcat(): void {
  if (spawnSync('kcat', ['-V']).status === 0) return;
  console.log('kcat not found: installing the Debian package (apt-get install -y kcat)');
  const apt = spawnSync('apt-get', ['install', '-y', 'kcat'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (apt.status !== 0 || spawnSync('kcat', ['-V']).status !== 0) {
    console.error(
      'Could not install kcat. Install it yourself (as root: apt-get update && apt-get install -y kcat) and run again.',
    );
    process.exit(2);
  }
}

/** A realistic combined log: varied clients, paths, statuses, agents, times with an offset. */
async function writeLog(file: string, lines: number): Promise<number> {
  const out = createWriteStream(file);
  const agents = [
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148',
    'curl/8.4.0',
  ];
  const paths = [
    '/',
    '/index.html',
    '/courses/CSC1001',
    '/api/v1/timetable?week=12',
    '/static/app.3f9c2.js',
    '/library/search?q=flink',
  ];
  // Recent times, so none is refused by the source's event-time limits (7 days back, 10 min ahead).
  const start = Math.floor(Date.now() / 3600_000) * 3600_000 - 3 * 3600_000 - lines * 7;
  let chunk: string[] = [];
  for (let n = 0; n < lines; n++) {
    const time = formatClfTime(start + n * 7, 480); // written as campus-local +0800
    chunk.push(
      `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255} - - [${time}] "GET ${paths[n % paths.length]} HTTP/1.1" ${n % 17 === 0 ? 404 : 200} ${(n * 37) % 50_000} "https://campus.example/" "${agents[n % agents.length]}"\n`,
    );
    if (chunk.length === 10_000) {
      if (!out.write(chunk.join(''))) await once(out, 'drain');
      chunk = [];
    }
  }
  out.end(chunk.join(''));
  await once(out, 'finish');
  return statSync(file).size;
}

/** Lines committed to a topic, counted by a read_committed consumer. */
function countCommitted(topic: string): number {
  const out = execFileSync(
    'kcat',
    [
      '-C',
      '-b',
      brokers,
      '-t',
      topic,
      '-o',
      'beginning',
      '-e',
      '-q',
      '-X',
      'isolation.level=read_committed',
      '-f',
      '\\n',
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return out.toString().split('\n').length - 1;
}

function metric(text: string, name: string, topic: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{topic="${topic}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

async function runWatcher(
  dir: string,
  file: string,
  topic: string,
  stateId: string,
  port: number,
  producer: string,
): Promise<{ seconds: number; steadySeconds: number; peakRssMiB: number; cpuSeconds: number }> {
  const config = join(dir, 'watcher.json');
  writeFileSync(
    config,
    JSON.stringify({
      kafka: { brokers: [brokers], producer },
      stateId,
      http: { port },
      sources: [{ name: 'web', paths: [file], format: 'combined', topic, timezone: 'UTC' }],
    }),
  );
  const started = performance.now();
  const child = spawn(
    process.execPath,
    // As `npm run watcher` runs it: the bundle (npm run bench:watcher makes sure it is current).
    [
      '--enable-source-maps',
      '--max-semi-space-size=64',
      join(REPO, 'watcher', 'dist', 'watcher.mjs'),
      '--config',
      config,
    ],
    {
      cwd: REPO,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, LOG_LEVEL: 'warn' },
    },
  );
  let peak = 0;
  let firstCommit = 0;
  try {
    for (;;) {
      await sleep(100);
      if (child.exitCode !== null)
        throw new Error(`the watcher exited with code ${child.exitCode}`);
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
      const text = await fetch(`http://127.0.0.1:${port}/metrics`)
        .then((r) => r.text())
        .catch(() => '');
      const sent = metric(text, 'watcher_records_sent_total', topic);
      if (sent > 0 && !firstCommit) firstCommit = performance.now();
      if (sent >= LINES) break;
    }
    // utime + stime in clock ticks (100 per second on Linux): what the watcher itself used, which
    // on a busy machine is less than the wall time it took.
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const cpuSeconds = (Number(stat[11]) + Number(stat[12])) / 100;
    const now = performance.now();
    return {
      seconds: (now - started) / 1000,
      steadySeconds: (now - firstCommit) / 1000,
      peakRssMiB: peak,
      cpuSeconds,
    };
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

async function main(): Promise<void> {
  ensureKcat();
  const id = randomUUID().slice(0, 8);
  const dir = mkdtempSync(join(tmpdir(), 'bench-watcher-'));
  const file = join(dir, 'access.log');
  const engines = values.producer.split(',').filter(Boolean);
  const kcatTopic = `bench-kcat-${id}`;
  console.log(`writing ${LINES.toLocaleString('en')} combined-format lines to ${file} ...`);
  const bytes = await writeLog(file, LINES);
  const mib = bytes / 1024 / 1024;
  console.log(`  ${mib.toFixed(1)} MiB`);

  // Fresh topics, created (as a topic of one's own, default settings) before either side starts,
  // as they exist before a real deployment ships to them: neither figure includes topic creation.
  const admin = new Kafka({
    clientId: 'bench-watcher',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  await provisionTopics(
    admin,
    [kcatTopic, ...engines.map((e) => `bench-watcher-${e}-${id}`)].map(ownTopicSpec),
    { defaultPartitions: PARTITIONS },
  );

  const runs: {
    engine: string;
    topic: string;
    stateId: string;
    count: number;
    result: Awaited<ReturnType<typeof runWatcher>>;
  }[] = [];
  for (const engine of engines) {
    console.log(
      `watcher, producer ${engine} (exactly-once: one transaction per batch, positions in the same transaction) ...`,
    );
    const topic = `bench-watcher-${engine}-${id}`;
    const stateId = `bench-${engine}-${id}`;
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const result = await runWatcher(dir, file, topic, stateId, port, engine);
    runs.push({ engine, topic, stateId, count: countCommitted(topic), result });
  }

  console.log('kcat -P (no parsing, no transactions) on the same file ...');
  const kStart = performance.now();
  execFileSync(
    'kcat',
    [
      '-P',
      '-b',
      brokers,
      '-t',
      kcatTopic,
      '-l',
      '-X',
      'linger.ms=50',
      '-X',
      'batch.size=1000000',
      file,
    ],
    { stdio: 'inherit' },
  );
  const kSeconds = (performance.now() - kStart) / 1000;
  const kCount = countCommitted(kcatTopic);

  const rate = (seconds: number) => Math.round(LINES / seconds).toLocaleString('en');
  const row = (name: string, seconds: number, count: number, rss?: number) =>
    console.log(
      `${name.padEnd(20)} ${String(count).padStart(9)} lines in ${seconds.toFixed(2).padStart(6)} s  ${rate(seconds).padStart(9)} lines/s  ${(mib / seconds).toFixed(1).padStart(6)} MiB/s${rss ? `  peak RSS ${rss.toFixed(0)} MiB` : ''}`,
    );
  console.log('');
  for (const r of runs)
    row(`watcher (${r.engine})`, r.result.seconds, r.count, r.result.peakRssMiB);
  row('kcat -P', kSeconds, kCount);
  console.log('');
  for (const r of runs) {
    const w = r.result;
    console.log(
      `watcher (${r.engine}): ${((kSeconds / w.seconds) * 100).toFixed(0)}% of kcat; target ${TARGET_LINES_PER_S.toLocaleString('en')} lines/s: ${LINES / w.seconds >= TARGET_LINES_PER_S ? 'met' : 'NOT met'}; ` +
        `${rate(w.steadySeconds)} lines/s from its first commit on (start-up excluded); ` +
        `${w.cpuSeconds.toFixed(1)} s of CPU, ${Math.round(LINES / w.cpuSeconds).toLocaleString('en')} lines per CPU-second`,
    );
    if (r.count !== LINES)
      console.log(
        `WARNING: a read_committed consumer counted ${r.count} records in ${r.topic}, expected ${LINES}`,
      );
  }
  console.log(
    `load average now ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores; the watcher times include start-up (connecting, restoring positions, creating topics)`,
  );

  if (!values.keep) {
    await admin
      .deleteTopics({
        topics: [
          kcatTopic,
          ...runs.flatMap((r) => [r.topic, dlqTopic(r.topic), watcherOffsetsTopic(r.stateId)]),
        ],
      })
      .catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
  await admin.disconnect();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
