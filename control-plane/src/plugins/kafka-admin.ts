import fp from 'fastify-plugin';
import { Kafka, logLevel } from 'kafkajs';
import type { FastifyInstance } from 'fastify';
import { lazyAdmin } from '../lazy-admin.js';

declare module 'fastify' {
  interface FastifyInstance {
    kafkaAdmin: { topics(): Promise<{ name: string; partitions: number }[]> };
  }
}

/** A Kafka admin client for the cluster view, connected on first use and closed with the server. */
export default fp(
  async (fastify: FastifyInstance) => {
    const kafka = new Kafka({
      clientId: 'control-plane-admin',
      brokers: fastify.config.kafkaBrokers.split(','),
      logLevel: logLevel.NOTHING,
      retry: { retries: 2 },
    });
    const admin = lazyAdmin(kafka);
    fastify.decorate('kafkaAdmin', {
      async topics() {
        const a = await admin.get();
        const names = (await a.listTopics()).filter((t) => !t.startsWith('__'));
        const meta = await a.fetchTopicMetadata({ topics: names });
        return meta.topics
          .map((t) => ({ name: t.name, partitions: t.partitions.length }))
          .sort((x, y) => x.name.localeCompare(y.name));
      },
    });
    fastify.addHook('onClose', async () => {
      await admin.close();
    });
  },
  { name: 'kafka-admin', dependencies: ['config'] },
);
