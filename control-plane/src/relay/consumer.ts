/**
 * The relay's own Kafka consumer. Each start uses a fresh private group and decides where to read
 * from itself: `window` topics from the offsets of `now - span` (by record timestamp), `table`
 * topics from the beginning, so the state is rebuilt from Kafka on every start. It reports
 * "caught up" once every partition reaches the end offsets seen at start.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type Admin } from 'kafkajs';
import { CodedError, retry } from '@pulse/kit';
import { topicSpec, type TopicSpec } from '@pulse/contracts';
import { provisionTopics } from '@pulse/contracts/kafka';
import type { ChannelSpec, RelayConfig } from './config.js';
import { RELAY_ERRORS } from './constants.js';

export interface RelayConsumerOptions {
  config: RelayConfig;
  onRecord: (topic: string, key: Buffer | null, value: Buffer | null, readAt: number) => void;
  onCaughtUp: () => void;
  log: {
    info(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
    error(obj: object, msg: string): void;
  };
}

export interface RelayConsumer {
  stop(): Promise<void>;
  /** Whether the consumer fetched from Kafka recently (it fetches every few seconds, data or not). */
  reading(now?: number): boolean;
  /** Records not yet read, per `topic/partition`, as of the last batch read from each. */
  lag(): Map<string, number>;
}

/**
 * The topics of the relayed channels as the catalog describes them; a topic the catalog does not
 * know (an analyst's output) is a table or a window by its channel's kind.
 */
export function channelTopicSpecs(channels: ChannelSpec[]): TopicSpec[] {
  return channels.map(
    (c) =>
      topicSpec(c.topic) ?? {
        name: c.topic,
        compacted: c.kind === 'table',
        purpose: `output relayed as the ${c.name} channel`,
      },
  );
}

/** How long without a fetch before the relay's feed counts as down (kafkajs waits 5 s per fetch). */
export const FEED_SILENCE_MS = 20_000;

/** Fractional epoch ms, so latency below a millisecond is still measurable. */
export const preciseNow = (): number => performance.timeOrigin + performance.now();

async function startOffsets(admin: Admin, spec: ChannelSpec, spanMs: number) {
  const ends = await admin.fetchTopicOffsets(spec.topic);
  const starts =
    spec.kind === 'window'
      ? await admin.fetchTopicOffsetsByTimestamp(spec.topic, Date.now() - spanMs)
      : ends.map((p) => ({ partition: p.partition, offset: p.low }));
  return ends.map((end) => ({
    partition: end.partition,
    start: starts.find((s) => s.partition === end.partition)?.offset ?? end.low,
    end: end.high,
  }));
}

/** Starts consuming every configured topic; resolves once the consumer runs (not when caught up). */
export async function startRelayConsumer(options: RelayConsumerOptions): Promise<RelayConsumer> {
  const { config, log } = options;
  const kafka = new Kafka({
    clientId: 'pulse-relay',
    brokers: config.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  const consumer: Consumer = kafka.consumer({
    groupId: `${config.groupPrefix}-${randomUUID()}`,
    allowAutoTopicCreation: true,
  });

  const plan = await retry(
    async () => {
      try {
        await admin.connect();
        // Flink creates its output topics on first write; until then an absent topic is an empty
        // one. Created here, a topic gets the catalog's settings (a table stays compacted).
        const provisioned = await provisionTopics(admin, channelTopicSpecs(config.channels), {
          defaultPartitions: config.kafkaPartitions,
        });
        if (provisioned.created.length || provisioned.changed.length)
          log.info(provisioned, 'relay provisioned its topics');
        const entries = await Promise.all(
          config.channels.map(
            async (spec) =>
              [
                spec.topic,
                await startOffsets(admin, spec, spec.retainMs ?? config.windowSpanMs),
              ] as const,
          ),
        );
        return new Map(entries);
      } catch (cause) {
        throw new CodedError(
          RELAY_ERRORS.kafka,
          `cannot read topic offsets: ${(cause as Error).message}`,
          true,
          { cause },
        );
      }
    },
    {
      onRetry: ({ attempt, error }) =>
        log.warn(
          { attempt, reason: (error as Error).message },
          'Kafka not ready for the relay; retrying',
        ),
    },
  ).finally(() => admin.disconnect());

  // Partitions still to be read up to their start-time end offset.
  const behind = new Set<string>();
  for (const [topic, partitions] of plan) {
    for (const p of partitions)
      if (BigInt(p.end) > BigInt(p.start)) behind.add(`${topic}/${p.partition}`);
  }
  let caughtUp = false;
  const check = () => {
    if (!caughtUp && behind.size === 0) {
      caughtUp = true;
      clearTimeout(readyTimer);
      options.onCaughtUp();
    }
  };
  const reached = (topic: string, partition: number, lastOffset: string) => {
    const target = plan.get(topic)?.find((p) => p.partition === partition)?.end;
    if (target !== undefined && BigInt(lastOffset) + 1n >= BigInt(target)) {
      behind.delete(`${topic}/${partition}`);
      check();
    }
  };
  const readyTimer = setTimeout(() => {
    if (caughtUp) return;
    log.warn(
      { behind: [...behind] },
      'start-up replay not finished in time; serving snapshots anyway',
    );
    behind.clear();
    check();
  }, config.readyTimeoutMs);

  // kafkajs fetches at least every maxWaitTime (5 s) while it runs, with or without records: a
  // consumer that has not fetched for several of those is not reading (broker gone, crashed).
  let lastFetch = Date.now();
  let crashed = false;
  consumer.on(consumer.events.FETCH, () => {
    lastFetch = Date.now();
    crashed = false;
  });
  consumer.on(consumer.events.STOP, () => (crashed = true));

  // Transaction markers are never handed to eachMessage; batch ends still report how far we got.
  const lag = new Map<string, number>();
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    lag.set(`${payload.topic}/${payload.partition}`, Number(payload.offsetLag));
    reached(payload.topic, payload.partition, payload.lastOffset);
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    crashed = true;
    log.error({ err: payload.error, restart: payload.restart }, 'relay consumer crashed');
  });

  await consumer.connect();
  await consumer.subscribe({ topics: config.channels.map((c) => c.topic), fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic, partition, message }) => {
      options.onRecord(topic, message.key, message.value, preciseNow());
      reached(topic, partition, message.offset);
    },
  });
  for (const [topic, partitions] of plan) {
    for (const p of partitions) consumer.seek({ topic, partition: p.partition, offset: p.start });
  }
  check();
  log.info({ topics: [...plan.keys()], behind: behind.size }, 'relay consumer started');

  return {
    async stop() {
      clearTimeout(readyTimer);
      await consumer.disconnect();
    },
    lag: () => lag,
    reading: (now = Date.now()) => !crashed && now - lastFetch < FEED_SILENCE_MS,
  };
}
