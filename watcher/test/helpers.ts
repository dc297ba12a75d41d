/** Helpers for the watcher's integration tests: a real watcher process, a real broker, read_committed reads. */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { freePort, REPO_ROOT } from '@pulse/stack';
import { retry, sleep } from '@pulse/kit';
import { formatClfTime } from '../src/formats/clf.js';

export { freePort, sleep };

export const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
export const uid = () => randomUUID().slice(0, 8);

export interface Setup {
  dir: string;
  logs: string;
  configFile: string;
  topics: { access: string; wifi: string; schedule: string };
  stateId: string;
  port: number;
  brokers: string;
}

/**
 * A temp folder with a config watching logs/ for all three formats, on fresh topic names. `extra`
 * adds top-level fields; its `lineSource` fields go into the web and Wi-Fi sources.
 */
export async function setup(
  { lineSource = {}, ...extra }: Record<string, unknown> & { lineSource?: object } = {},
  kafkaBrokers = brokers,
  producer: 'librdkafka' | 'kafkajs' | 'auto' = 'auto',
): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'watcher-'));
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  const id = uid();
  const topics = { access: `access-${id}`, wifi: `wifi-${id}`, schedule: `schedule-${id}` };
  const stateId = `test-${id}`;
  const port = await freePort();
  const configFile = join(dir, 'watcher.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      kafka: { brokers: [kafkaBrokers], producer },
      stateId,
      http: { port },
      pollIntervalMs: 100,
      sources: [
        {
          name: 'web',
          paths: ['logs/access*.log'],
          format: 'combined',
          topic: topics.access,
          timezone: 'UTC',
          ...lineSource,
        },
        {
          name: 'wifi',
          paths: ['logs/wifi.log'],
          format: 'wifi-json',
          topic: topics.wifi,
          timezone: 'Asia/Shanghai',
          ...lineSource,
        },
        {
          name: 'schedule',
          paths: ['logs/schedule.csv'],
          format: 'schedule-csv',
          topic: topics.schedule,
          timezone: 'Asia/Shanghai',
        },
      ],
      ...extra,
    }),
  );
  return { dir, logs, configFile, topics, stateId, port, brokers: kafkaBrokers };
}

/**
 * Starts the watcher CLI as its own process (so it can be killed for real). `onLog` receives its
 * log lines (pino JSON on stdout), at LOG_LEVEL info instead of warn.
 */
export function startWatcher(
  s: Setup,
  onLog?: (entry: Record<string, unknown>) => void,
): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'watcher', 'src', 'cli.ts'), '--config', s.configFile],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, KAFKA_BROKERS: s.brokers, LOG_LEVEL: onLog ? 'info' : 'warn' },
      stdio: ['ignore', onLog ? 'pipe' : 'ignore', 'pipe'],
    },
  );
  child.stderr!.on('data', (d: Buffer) => {
    if (process.env.WATCHER_TEST_VERBOSE) process.stderr.write(d);
  });
  if (onLog) {
    let rest = '';
    child.stdout!.on('data', (d: Buffer) => {
      const lines = (rest + d.toString()).split('\n');
      rest = lines.pop()!;
      for (const line of lines) if (line) onLog(JSON.parse(line) as Record<string, unknown>);
    });
  }
  return child;
}

export async function stopWatcher(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  // A process killed by a signal has no exit code, only a signal code.
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const done = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill(signal);
  return done;
}

export interface Rec {
  topic: string;
  partition: number;
  key: string | null;
  value: Record<string, unknown> | null;
}

/** Reads topics from the beginning (read_committed) until `done` holds or the timeout passes. */
export async function readTopics(
  kafkaBrokers: string,
  topics: string[],
  done: (records: Rec[]) => boolean,
  timeoutMs = 60_000,
): Promise<Rec[]> {
  const kafka = new Kafka({
    clientId: 'watcher-test-reader',
    brokers: [kafkaBrokers],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t));
  if (missing.length)
    await admin.createTopics({ topics: missing.map((topic) => ({ topic })), waitForLeaders: true });
  await admin.disconnect();
  const records: Rec[] = [];
  const consumer = kafka.consumer({
    groupId: `reader-${uid()}`,
    readUncommitted: false,
    maxBytes: 50 * 1024 * 1024,
  });
  await consumer.connect();
  // Right after a broker restart its metadata may not list the partitions yet (a retriable error).
  await retry(() => consumer.subscribe({ topics, fromBeginning: true }), { retries: 10 });
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    const check = () => {
      if (done(records)) {
        clearTimeout(timer);
        resolve();
      }
    };
    void consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages)
          records.push({
            topic: batch.topic,
            partition: batch.partition,
            key: m.key?.toString() ?? null,
            value: m.value ? (JSON.parse(m.value.toString()) as Record<string, unknown>) : null,
          });
        check();
      },
    });
    setTimeout(check, 50);
  });
  await consumer.disconnect();
  return records;
}

/** An hour ago, to the second: times within the sources' default event-time limits. */
export const RECENT_MS = Math.floor(Date.now() / 1000) * 1000 - 3600_000;

/** A combined-format line whose path carries a number, to recognise it later. */
export function webLine(n: number, ts = RECENT_MS + n * 10): string {
  return `10.0.${(n >> 8) & 255}.${n & 255} - - [${formatClfTime(ts)}] "GET /n/${n} HTTP/1.1" 200 ${n % 1000} "-" "test-agent"`;
}
