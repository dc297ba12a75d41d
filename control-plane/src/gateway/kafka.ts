/** The Kafka of previews (kafkajs, as the relay): topics of one partition, read from the start. */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { PreviewKafka } from './preview.js';
import { lazyAdmin } from '../lazy-admin.js';

/** Preview topics age out after a day even if a crash left one behind. */
const RETENTION_MS = 24 * 3600_000;

export function previewKafka(brokers: string[]): PreviewKafka & {
  admin(): Promise<Admin>;
  close(): Promise<void>;
} {
  const kafka = new Kafka({ clientId: 'pulse-sql-gateway', brokers, logLevel: logLevel.NOTHING });
  const lazy = lazyAdmin(kafka);
  const connected = () => lazy.get();
  return {
    admin: connected,
    async createTopic(topic) {
      await (
        await connected()
      ).createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic,
            numPartitions: 1,
            configEntries: [{ name: 'retention.ms', value: String(RETENTION_MS) }],
          },
        ],
      });
    },
    async deleteTopic(topic) {
      await (await connected()).deleteTopics({ topics: [topic] });
    },
    async endOffset(topic) {
      const offsets = await (await connected()).fetchTopicOffsets(topic);
      return BigInt(offsets[0]?.high ?? '0');
    },
    async read(topic, onRecord) {
      // A fresh group that commits nothing: it only exists to let kafkajs read the partition.
      const consumer = kafka.consumer({
        groupId: `pulse-sql-gateway-${randomUUID()}`,
        maxWaitTimeInMs: 200,
        allowAutoTopicCreation: false,
      });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ message }) => onRecord(message.value, message.offset),
      });
      return { stop: () => consumer.disconnect() };
    },
    close: () => lazy.close(),
  };
}
