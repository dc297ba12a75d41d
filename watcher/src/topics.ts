import type { Kafka } from 'kafkajs';
import { dlqTopic } from '@pulse/contracts';
import type { WatcherConfig } from './config.js';

/** Creates the compacted offsets topic and the DLQ topics if absent (source topics auto-create). */
export async function ensureTopics(kafka: Kafka, config: WatcherConfig): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const topics = [
      {
        topic: config.offsetsTopic,
        numPartitions: 1,
        configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
      },
      // A DLQ record carries a whole refused line (up to maxLineBytes) plus its context.
      ...[...new Set(config.sources.map((s) => dlqTopic(s.topic)))].map((topic) => ({
        topic,
        configEntries: [
          { name: 'max.message.bytes', value: String(config.maxLineBytes + 64 * 1024) },
        ],
      })),
    ].filter((t) => !existing.has(t.topic));
    if (topics.length) await admin.createTopics({ topics, waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}
