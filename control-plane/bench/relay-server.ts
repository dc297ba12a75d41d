/**
 * The server side of bench:relay, run as its own process so its CPU and memory are its own.
 *   --mode relay     the real relay plugin on Fastify (what viewers connect to)
 *   --mode baseline  a bare `ws` server: read the topic, stamp, send the same bytes to every socket
 * Prints one JSON line `{"port":N}` when ready, then `{"cpu":…,"rss":…}` every second.
 */
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { Kafka, logLevel } from 'kafkajs';
import { WebSocketServer } from 'ws';
import relay from '../src/relay/plugin.js';
import { loadConfig } from '../src/config.js';
import { preciseNow } from '../src/relay/consumer.js';

const { values } = parseArgs({ options: { mode: { type: 'string' }, topic: { type: 'string' } } });
const topic = values.topic as string;
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const say = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
// The bench reads our stdout; when it is gone, so are we.
process.stdout.on('error', () => process.exit(0));

async function startRelay(): Promise<{ port: number; close: () => Promise<void> }> {
  const app = Fastify({ logger: { level: 'warn' } });
  const { relay: config } = loadConfig({
    ...process.env,
    KAFKA_BROKERS: brokers.join(','),
    RELAY_CHANNELS: `pvuv=${topic}:window`,
    RELAY_ALLOWED_ORIGINS: '*',
  });
  await app.register(relay, { config });
  await app.listen({ host: '127.0.0.1', port: 0 });
  await app.relay.caughtUp;
  return { port: (app.server.address() as { port: number }).port, close: () => app.close() };
}

async function startBaseline(): Promise<{ port: number; close: () => Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  const kafka = new Kafka({ clientId: 'bench-baseline', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `bench-baseline-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: false });
  let seq = 0;
  await consumer.run({
    eachMessage: async ({ message }) => {
      const readAt = preciseNow();
      // Same message shape as the relay's update, built and sent the plainest way.
      const row = JSON.parse(message.value?.toString() ?? '{}') as Record<string, unknown>;
      const bytes = Buffer.from(
        JSON.stringify({
          type: 'update',
          channel: 'pvuv',
          seq: ++seq,
          op: 'upsert',
          key: `${row.window_start}/${row.window_end}`,
          row,
          readAt,
        }),
      );
      for (const client of wss.clients) client.send(bytes, { binary: false });
    },
  });
  // The group join settles before the bench starts producing.
  await new Promise((r) => setTimeout(r, 3000));
  return {
    port: (wss.address() as { port: number }).port,
    close: async () => {
      await consumer.disconnect();
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
    },
  };
}

const server = values.mode === 'baseline' ? await startBaseline() : await startRelay();
say({ port: server.port });
const timer = setInterval(
  () => say({ cpu: process.cpuUsage(), rss: process.memoryUsage().rss, at: Date.now() }),
  1000,
);
const shutdown = async () => {
  clearInterval(timer);
  await server.close();
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
