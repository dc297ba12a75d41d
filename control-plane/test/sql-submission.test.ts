/**
 * The path from a SQL script to a running Flink job, against the real Kafka and Flink: a TUMBLE
 * window count over events with known times must match the count computed here from the same events.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlinkClient, ensureRunnerJar, FlinkError, runnerArgs } from '../src/flink/index.js';
import { loadConfig } from '../src/config.js';

const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const flinkUrl = process.env.FLINK_REST_URL ?? 'http://127.0.0.1:8081';
const kafka = new Kafka({
  clientId: 'sql-submission-test',
  brokers: [brokers],
  logLevel: logLevel.NOTHING,
});
const client = createFlinkClient({ baseUrl: flinkUrl });

const WINDOW_MS = 5_000;
const EVENTS = 4_000;
const BASE = Date.UTC(2026, 0, 15, 8, 0, 0);

/** 'yyyy-MM-dd HH:mm:ss.SSS' in UTC: the JSON format's SQL timestamp form, free of any zone. */
function sqlTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

function script(inTopic: string, outTopic: string, jobName: string): string {
  return `-- Proof job: count events per 5-second tumbling window.
SET 'execution.checkpointing.interval' = '2s';
SET 'pipeline.name' = '${jobName}';

CREATE TABLE events (
  id BIGINT,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '3' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${inTopic}',
  'properties.bootstrap.servers' = '${brokers}',
  'properties.group.id' = '${jobName}',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json'
);

CREATE TABLE counts (
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  cnt BIGINT
) WITH (
  'connector' = 'kafka',
  'topic' = '${outTopic}',
  'properties.bootstrap.servers' = '${brokers}',
  'properties.transaction.timeout.ms' = '600000',
  'sink.semantic' = 'exactly-once',
  'format' = 'json',
  'json.timestamp-format.standard' = 'ISO-8601'
);

INSERT INTO counts
SELECT TUMBLE_START(ts, INTERVAL '5' SECOND), TUMBLE_END(ts, INTERVAL '5' SECOND), COUNT(*)
FROM events
GROUP BY TUMBLE(ts, INTERVAL '5' SECOND);
`;
}

describe('SQL script submission through Flink REST', () => {
  const inTopic = `proof-in-${randomUUID()}`;
  const outTopic = `proof-out-${randomUUID()}`;
  let admin: Admin;
  let producer: Producer;
  let jarId: string;

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: inTopic, numPartitions: 3 },
        { topic: outTopic, numPartitions: 1 },
      ],
      waitForLeaders: true,
    });
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    jarId = await ensureRunnerJar(client, loadConfig().runnerJar);
  });

  afterAll(async () => {
    await producer?.disconnect();
    await admin?.deleteTopics({ topics: [inTopic, outTopic] }).catch(() => {});
    await admin?.disconnect();
  });

  it('runs a TUMBLE count whose every closed window equals the count computed from the events', async () => {
    // Known event times over ~100 s, shuffled by up to 2 s (less than the 3 s watermark delay).
    const times: number[] = [];
    for (let i = 0; i < EVENTS; i++)
      times.push(BASE + Math.floor((i * 100_000) / EVENTS) + ((i * 7919) % 997));
    const sent = times.map((t, i) => ({ t: t + (((i * 31) % 5) - 2) * 400, i }));
    const expected = new Map<number, number>();
    for (const { t } of sent) {
      const start = Math.floor(t / WINDOW_MS) * WINDOW_MS;
      expected.set(start, (expected.get(start) ?? 0) + 1);
    }
    const lastEvent = Math.max(...sent.map((e) => e.t));
    await producer.send({
      topic: inTopic,
      messages: sent.map(({ t, i }) => ({
        key: String(i % 50),
        value: JSON.stringify({ id: i, ts: sqlTimestamp(t) }),
      })),
    });
    // One late-enough event per partition moves every partition's watermark past the last window.
    const flushAt = lastEvent + 60_000;
    await producer.send({
      topic: inTopic,
      messages: [0, 1, 2].map((partition) => ({
        partition,
        value: JSON.stringify({ id: -1, ts: sqlTimestamp(flushAt) }),
      })),
    });

    const jobName = `proof-${randomUUID().slice(0, 8)}`;
    const submitted = Date.now();
    const { jobId } = await client.runJar(jarId, {
      programArgsList: runnerArgs(script(inTopic, outTopic, jobName), jobName),
    });
    expect(await client.waitForJobState(jobId, ['RUNNING'], 60_000)).toBe('RUNNING');
    console.log(`proof job ${jobId} RUNNING ${Date.now() - submitted} ms after submission`);
    const overview = await client.jobsOverview();
    expect(overview.find((j) => j.jid === jobId)?.name).toBe(jobName);

    const received = new Map<number, number>();
    const consumer = kafka.consumer({
      groupId: `proof-reader-${randomUUID()}`,
      readUncommitted: false,
    });
    await consumer.connect();
    await consumer.subscribe({ topic: outTopic, fromBeginning: true });
    const flushWindow = Math.floor(flushAt / WINDOW_MS) * WINDOW_MS;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${received.size} of ${expected.size} windows arrived`)),
        180_000,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          const row = JSON.parse(message.value!.toString()) as {
            window_start: string;
            window_end: string;
            cnt: number;
          };
          const start = Date.parse(`${row.window_start}Z`);
          expect(Date.parse(`${row.window_end}Z`) - start).toBe(WINDOW_MS);
          expect(received.has(start)).toBe(false); // each window exactly once
          received.set(start, row.cnt);
          if ([...expected.keys()].every((k) => received.has(k))) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    expect(received.has(flushWindow)).toBe(false); // its window is still open
    expect(received).toEqual(expected);
    expect([...received.values()].reduce((a, b) => a + b, 0)).toBe(EVENTS);

    await client.cancelJob(jobId);
    expect(await client.waitForJobState(jobId, ['CANCELED'], 60_000)).toBe('CANCELED');
    const after = await client.jobsOverview();
    expect(after.find((j) => j.jid === jobId)?.state).toBe('CANCELED');
  });

  it('returns the runner error naming the statement, its line and Flink message for a broken script', async () => {
    const broken = [
      "SET 'pipeline.name' = 'broken';",
      "CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen');",
      '-- the sink below does not exist',
      'INSERT INTO missing_sink',
      'SELECT id FROM src;',
    ].join('\n');
    const error = await client
      .runJar(jarId, { programArgsList: runnerArgs(broken, 'broken') })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(FlinkError);
    const info = (error as FlinkError).runnerError;
    expect(info?.statement).toBe(3);
    expect(info?.line).toBe(4);
    expect(info?.message).toContain('missing_sink');
    expect((await client.jobsOverview()).some((j) => j.name === 'broken')).toBe(false);
  });

  it('reports a parse error at its position in the file', async () => {
    const broken =
      "CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen');\n\nINSERT INTO src\n  SELECT id FROM src WHERE id = = 1;";
    const error = (await client
      .planJar(jarId, { programArgsList: runnerArgs(broken, 'parse-error') })
      .catch((e: unknown) => e)) as FlinkError;
    expect(error).toBeInstanceOf(FlinkError);
    // Calcite counts from the statement's start (line 3 of the file): its line 2 is the file's line 4.
    expect(error.runnerError).toMatchObject({ statement: 2, line: 4 });
    const calcite = /Encountered "= =" at line 2, column (\d+)/.exec(
      error.runnerError?.message ?? '',
    );
    expect(calcite).not.toBeNull();
    expect(error.runnerError?.column).toBe(Number(calcite![1]));
  });
});
