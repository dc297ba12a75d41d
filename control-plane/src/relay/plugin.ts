/**
 * The WebSocket relay of Flink's output topics: `GET /ws` upgrades to the live feed (channels,
 * snapshots, sequenced updates, heartbeats), and answers plain GETs with the relay's counters.
 * It owns its Kafka consumer, which starts in the background once the server is ready and keeps
 * retrying while Kafka is away, so the API stays up when the broker is not.
 */
import { randomUUID } from 'node:crypto';
import fp from 'fastify-plugin';
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import { WS_PATH } from '@pulse/contracts';
import { retry } from '@pulse/kit';
import { originAllowed, type ChannelSpec, type RelayConfig } from './config.js';
import { startRelayConsumer, type RelayConsumer } from './consumer.js';
import { Hub } from './hub.js';

/** Largest frame a client may send; subscriptions and heartbeats are tiny. */
const MAX_CLIENT_FRAME_BYTES = 16 * 1024;

export interface Relay {
  hub: Hub;
  config: RelayConfig;
  /** Whether the relay's Kafka consumers read now. */
  feedUp(): boolean;
  /** Resolves once the start-up replay has caught up and snapshots are served. */
  caughtUp: Promise<void>;
  /** The consumer's lag per `topic/partition` (empty until it runs). */
  lag(): Map<string, number>;
  /**
   * Reads the panels the running jobs declare, serves them on `$panels`, and starts relaying the
   * outputs they read that are not relayed yet. Runs on a timer too; call it after a deploy or stop.
   */
  syncPanels(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    relay: Relay;
  }
}

export interface RelayPluginOptions {
  /** Settings to use instead of the control plane's (tests, the relay alone). */
  config?: RelayConfig;
}

async function relayPlugin(fastify: FastifyInstance, options: RelayPluginOptions): Promise<void> {
  const config = options.config ?? fastify.config?.relay;
  if (!config)
    throw new Error('the relay needs its settings: the control plane config or options.config');
  const epoch = randomUUID();
  const hub = new Hub({ ...config, channels: config.channels, epoch, log: fastify.log });
  let signalCaughtUp = () => {};
  const caughtUp = new Promise<void>((resolve) => (signalCaughtUp = resolve));
  let consumer: RelayConsumer | undefined;
  const extraConsumers: RelayConsumer[] = [];
  let closing = false;

  /** Relays channels added after start with a consumer of their own (kafkajs cannot add topics). */
  const relayMore = async (channels: ChannelSpec[]): Promise<void> => {
    await retry(
      async () => {
        if (closing) return;
        const more = await startRelayConsumer({
          config: { ...config, channels },
          log: fastify.log,
          onRecord: (topic, key, value, readAt) => hub.ingest(topic, key, value, readAt),
          onCaughtUp: () => {
            hub.markReady(channels.map((c) => c.name));
            fastify.log.info({ channels: channels.map((c) => c.name) }, 'relaying new outputs');
          },
        });
        if (closing) await more.stop();
        else extraConsumers.push(more);
      },
      { retries: Number.POSITIVE_INFINITY, shouldRetry: () => !closing },
    );
  };

  let syncing: Promise<void> | undefined;
  const syncPanels = async (): Promise<void> => {
    if (!fastify.hasDecorator('jobs')) {
      hub.setPanels([]);
      return;
    }
    syncing ??= (async () => {
      try {
        const declared = await fastify.jobs.panels();
        const added = hub.addChannels(
          declared.flatMap((job) =>
            job.outputs.map((o) => ({
              name: o.topic,
              topic: o.topic,
              kind: o.kind,
              ...(o.timeColumn ? { timeColumn: o.timeColumn } : {}),
              keyColumns: o.keyColumns,
              ...(o.retainMs ? { retainMs: o.retainMs } : {}),
            })),
          ),
        );
        hub.setPanels(declared.flatMap((job) => job.panels));
        if (added.length > 0)
          relayMore(added).catch((err: unknown) =>
            fastify.log.error({ err }, 'could not relay new outputs'),
          );
      } finally {
        syncing = undefined;
      }
    })();
    return syncing;
  };

  fastify.decorate('relay', {
    hub,
    config,
    caughtUp,
    lag: () => {
      const all = new Map(consumer?.lag() ?? []);
      for (const more of extraConsumers) for (const [k, v] of more.lag()) all.set(k, v);
      return all;
    },
    syncPanels,
    feedUp: () => feedUp(),
  });

  if (!fastify.hasDecorator('websocketServer')) {
    await fastify.register(websocket, { options: { maxPayload: MAX_CLIENT_FRAME_BYTES } });
  }

  fastify.route({
    method: 'GET',
    url: WS_PATH,
    preValidation: async (request, reply) => {
      if (!originAllowed(request.headers.origin, request.headers.host, config.allowedOrigins)) {
        request.log.warn(
          { origin: request.headers.origin },
          'refused a WebSocket from an origin not allowed',
        );
        await reply.code(403).send({ error: 'FORBIDDEN_ORIGIN', message: 'origin not allowed' });
      }
    },
    handler: async () => ({ ...hub.stats(), feed: feedUp() ? 'up' : 'down' }),
    wsHandler: (socket) => {
      const session = hub.connect(socket);
      socket.on('message', (data, isBinary) => {
        if (!isBinary) hub.receive(session, data.toString());
      });
      socket.on('close', () => hub.drop(session));
      socket.on('error', (err) =>
        fastify.log.debug({ err, client: session.id }, 'client socket error'),
      );
    },
  });

  /** Whether every consumer of the relay reads from Kafka now (false before the first one runs). */
  const feedUp = (): boolean =>
    consumer !== undefined && [consumer, ...extraConsumers].every((c) => c.reading());
  let feedWas: boolean | undefined;
  const timer = setInterval(() => {
    const up = feedUp();
    if (up !== feedWas && feedWas !== undefined)
      fastify.log[up ? 'info' : 'warn'](
        up ? 'relay reads from Kafka again' : 'relay is not reading from Kafka; clients are told',
      );
    feedWas = up;
    hub.heartbeat(up ? 'up' : 'down');
  }, config.heartbeatMs);
  timer.unref();

  let starting: Promise<void> = Promise.resolve();
  const panelTimer = setInterval(() => {
    syncPanels().catch((err: unknown) =>
      fastify.log.warn({ err }, 'could not read the panels of the running jobs'),
    );
  }, config.panelSyncMs);
  panelTimer.unref();
  fastify.addHook('onReady', async () => {
    syncPanels().catch((err: unknown) => {
      fastify.log.warn({ err }, 'could not read the panels of the running jobs yet');
      hub.setPanels(hub.panels());
    });
    // Not awaited: Kafka being down must not keep the job API from starting.
    starting = retry(
      async () => {
        if (closing) return;
        consumer = await startRelayConsumer({
          config,
          log: fastify.log,
          onRecord: (topic, key, value, readAt) => hub.ingest(topic, key, value, readAt),
          onCaughtUp: () => {
            hub.markReady();
            signalCaughtUp();
            fastify.log.info({ stats: hub.stats().channels }, 'relay caught up; serving snapshots');
          },
        });
      },
      { retries: Number.POSITIVE_INFINITY, shouldRetry: () => !closing },
    ).catch((err: unknown) => fastify.log.error({ err }, 'relay consumer gave up'));
  });

  fastify.addHook('preClose', async () => {
    closing = true;
    clearInterval(timer);
    clearInterval(panelTimer);
    hub.closeAll();
  });
  fastify.addHook('onClose', async () => {
    await starting;
    await consumer?.stop();
    await Promise.all(extraConsumers.map((c) => c.stop()));
  });
}

export default fp(relayPlugin, { name: 'relay', fastify: '5.x' });
