import { createRequire } from 'node:module';
import type { LibrdKafkaError, Producer } from 'node-rdkafka';
import { sleep } from '@pulse/kit';
import type { PackedRecords } from '../packed.js';
import { notConnected, TooLargeError, type ProducerOptions, type TxProducer } from './types.js';

type RdKafka = typeof import('node-rdkafka');

/** librdkafka's error codes the watcher reacts to (rdkafka.h). */
const ERR_QUEUE_FULL = -184;
const ERR_MSG_SIZE_TOO_LARGE = 10;
const ERR__MSG_SIZE_TOO_LARGE = -141;
const ERR__ALL_BROKERS_DOWN = -187;

const TX_TIMEOUT_MS = 30_000;

let loaded: RdKafka | Error | undefined;

/** node-rdkafka is an optional native dependency: this says whether it built and loads here. */
export function loadRdkafka(): RdKafka | Error {
  if (!loaded) {
    try {
      loaded = createRequire(import.meta.url)('node-rdkafka') as RdKafka;
    } catch (err) {
      loaded = err instanceof Error ? err : new Error(String(err));
    }
  }
  return loaded;
}

const call = (fn: (cb: (err: LibrdKafkaError | null | undefined) => void) => void) =>
  new Promise<void>((resolve, reject) => fn((err) => (err ? reject(rdError(err)) : resolve())));

function rdError(err: LibrdKafkaError | Error): Error {
  const code = (err as LibrdKafkaError).code;
  if (code === ERR_MSG_SIZE_TOO_LARGE || code === ERR__MSG_SIZE_TOO_LARGE)
    return new TooLargeError(err.message, { cause: err });
  return err instanceof Error ? err : Object.assign(new Error(err.message), err);
}

/**
 * The watcher's transactions through librdkafka (node-rdkafka): records are queued with
 * `produce`, which returns at once, and librdkafka's own threads batch, send and commit them.
 */
export class RdkafkaProducer implements TxProducer {
  readonly engine = 'librdkafka' as const;
  private producer: Producer | undefined;
  onUnreachable?: (reason: string) => void;

  constructor(
    private readonly rd: RdKafka,
    private readonly options: ProducerOptions,
  ) {}

  async connect(): Promise<void> {
    await this.disconnect();
    const producer = new this.rd.Producer(
      {
        'bootstrap.servers': this.options.brokers.join(','),
        'client.id': this.options.clientId,
        'transactional.id': this.options.transactionalId,
        'enable.idempotence': true,
        'transaction.timeout.ms': 60_000,
        'linger.ms': 5,
        'batch.num.messages': 10_000,
        'batch.size': 1_000_000,
        'message.max.bytes': Math.max(1_000_000, this.options.maxMessageBytes),
        'queue.buffering.max.messages': 500_000,
        'socket.keepalive.enable': true,
        'reconnect.backoff.max.ms': 2_000,
      },
      {
        // Java's partitioner (murmur2), the one kafkajs uses too: a key lands on the same
        // partition whichever engine wrote it, which compacted topics rely on.
        partitioner: 'murmur2_random',
        'request.required.acks': -1,
      },
    );
    producer.on('event.error', (err) => {
      if (err.code === ERR__ALL_BROKERS_DOWN) this.onUnreachable?.(err.message);
    });
    await call((cb) => producer.connect({ timeout: 10_000 }, (err) => cb(err)));
    try {
      producer.setPollInterval(100);
      await call((cb) => producer.initTransactions(TX_TIMEOUT_MS, cb));
    } catch (err) {
      await call((cb) => producer.disconnect(5_000, () => cb(null))).catch(() => {});
      throw err;
    }
    this.producer = producer;
  }

  async transact(messages: Iterable<[string, PackedRecords]>): Promise<void> {
    const producer = this.producer;
    if (!producer) throw notConnected();
    await call((cb) => producer.beginTransaction(cb));
    try {
      for (const [topic, { count, keys, values, partitions }] of messages) {
        // Values are views into the packed buffer; librdkafka copies them as it queues.
        let v = 0;
        for (let i = 0; i < count; i++) {
          const key = keys[i] ?? null;
          const partition = partitions?.[i] ?? null;
          const vLen = values.lengths[i]!;
          const value = vLen < 0 ? null : values.bytes.subarray(v, (v += vLen));
          for (;;) {
            try {
              producer.produce(topic, partition, value, key);
              break;
            } catch (err) {
              // The local queue is full: let librdkafka's threads drain it, then go on.
              if ((err as LibrdKafkaError).code !== ERR_QUEUE_FULL) throw err;
              producer.poll();
              await sleep(5);
            }
          }
        }
      }
      await call((cb) => producer.commitTransaction(TX_TIMEOUT_MS, cb));
    } catch (err) {
      await call((cb) => producer.abortTransaction(TX_TIMEOUT_MS, cb)).catch(() => {});
      throw rdError(err as Error);
    }
  }

  async probe(): Promise<void> {
    const producer = this.producer;
    if (!producer) throw notConnected();
    await call((cb) => producer.getMetadata({ timeout: 2_000 }, (err) => cb(err)));
  }

  async disconnect(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (producer?.isConnected())
      await call((cb) => producer.disconnect(5_000, () => cb(null))).catch(() => {});
  }
}
