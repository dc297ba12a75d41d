/** Real-broker helpers for the integration tests: random topics, producing, reading a topic to the end. */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';

export const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
export const flinkUrl = process.env.FLINK_REST_URL ?? 'http://127.0.0.1:8081';
export const kafka = new Kafka({
  clientId: 'control-plane-test',
  brokers: [brokers],
  logLevel: logLevel.NOTHING,
});

export const uid = () => randomUUID().slice(0, 8);

export async function withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

export async function createTopics(
  topics: { topic: string; partitions?: number; compact?: boolean }[],
): Promise<void> {
  await withAdmin((admin) =>
    admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((t) => ({
        topic: t.topic,
        numPartitions: t.partitions ?? 3,
        ...(t.compact ? { configEntries: [{ name: 'cleanup.policy', value: 'compact' }] } : {}),
      })),
    }),
  );
}

export async function deleteTopics(topics: string[]): Promise<void> {
  await withAdmin((admin) => admin.deleteTopics({ topics })).catch(() => {});
}

export async function produce(
  topic: string,
  messages: { key?: string | null; value: string | null; partition?: number }[],
): Promise<void> {
  const producer: Producer = kafka.producer({ idempotent: true });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 5000) {
      await producer.send({ topic, messages: messages.slice(i, i + 5000) });
    }
  } finally {
    await producer.disconnect();
  }
}

/**
 * Reads a topic from the beginning with read_committed until `done` says the records seen so far
 * are complete, or the timeout passes (then it returns what it has, for the assertion to report).
 */
export async function readUntil(
  topic: string,
  done: (records: { key: string | null; value: string | null }[]) => boolean,
  timeoutMs = 120_000,
): Promise<{ key: string | null; value: string | null }[]> {
  const records: { key: string | null; value: string | null }[] = [];
  const consumer = kafka.consumer({ groupId: `test-reader-${uid()}`, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    void consumer.run({
      eachMessage: async ({ message }) => {
        records.push({
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? null,
        });
        if (done(records)) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return records;
}

/** 'yyyy-MM-dd HH:mm:ss.SSS' in UTC, the SQL timestamp form the watcher writes. */
export function sqlTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}
