import fp from 'fastify-plugin';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { FastifyInstance } from 'fastify';

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
    let admin: Promise<Admin> | undefined;
    const connected = () => {
      admin ??= (async () => {
        const a = kafka.admin();
        await a.connect();
        return a;
      })().catch((err: unknown) => {
        admin = undefined;
        throw err;
      });
      return admin;
    };
    fastify.decorate('kafkaAdmin', {
      async topics() {
        const a = await connected();
        const names = (await a.listTopics()).filter((t) => !t.startsWith('__'));
        const meta = await a.fetchTopicMetadata({ topics: names });
        return meta.topics
          .map((t) => ({ name: t.name, partitions: t.partitions.length }))
          .sort((x, y) => x.name.localeCompare(y.name));
      },
    });
    fastify.addHook('onClose', async () => {
      if (admin) await (await admin.catch(() => undefined))?.disconnect();
    });
  },
  { name: 'kafka-admin', dependencies: ['config'] },
);
