import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';

/** Flink's overview and Kafka's topics, each reported even when the other is down. */
const cluster: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/',
    {
      schema: {
        tags: ['cluster'],
        summary: "Flink's overview and the Kafka topics",
        response: {
          200: Type.Object({
            flink: Type.Union([Type.Unknown(), Type.Null()]),
            flinkError: Type.Optional(Type.String()),
            kafka: Type.Object({
              brokers: Type.String(),
              topics: Type.Array(Type.Object({ name: Type.String(), partitions: Type.Integer() })),
            }),
            kafkaError: Type.Optional(Type.String()),
          }),
        },
      },
    },
    async () => {
      const [flink, topics] = await Promise.allSettled([
        fastify.flink.overview(),
        fastify.kafkaAdmin.topics(),
      ]);
      return {
        flink: flink.status === 'fulfilled' ? flink.value : null,
        ...(flink.status === 'rejected'
          ? { flinkError: String((flink.reason as Error).message) }
          : {}),
        kafka: {
          brokers: fastify.config.kafkaBrokers,
          topics: topics.status === 'fulfilled' ? topics.value : [],
        },
        ...(topics.status === 'rejected'
          ? { kafkaError: `Kafka is unreachable: ${String((topics.reason as Error).message)}` }
          : {}),
      };
    },
  );
};

export default cluster;
