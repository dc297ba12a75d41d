import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Batch } from './batch.js';
import { batchLimits, Committer, MIN_BATCH_SCALE, scaleLimits } from './commit.js';
import { Metrics } from './metrics.js';
import { unpackStrings, type PackedRecords } from './packed.js';
import { TooLargeError, type TxProducer } from './producers/index.js';

/** A producer standing in for Kafka: records each transaction, or fails it as told. */
class RecordingProducer implements TxProducer {
  readonly engine = 'librdkafka' as const;
  transactions: [string, (string | null)[]][][] = [];
  failWith: Error | undefined;
  async connect() {}
  async disconnect() {}
  async probe() {}
  async transact(messages: Iterable<[string, PackedRecords]>) {
    if (this.failWith) throw this.failWith;
    this.transactions.push([...messages].map(([t, p]) => [t, unpackStrings(p.values)]));
  }
}

function setup(limits = { maxRecords: 20_000, maxBytes: 16 << 20 }) {
  const producer = new RecordingProducer();
  const metrics = new Metrics();
  const committer = new Committer(producer, '_offsets', limits, metrics, pino({ level: 'silent' }));
  return { producer, metrics, committer };
}

function batchOf(records: number): Batch {
  const b = new Batch();
  for (let i = 0; i < records; i++) b.add('access_log', `k${i}`, `{"n":${i}}`);
  b.positions.set('file-1', records * 10);
  b.setState('file-1', `{"offset":${records * 10}}`);
  return b;
}

describe('batch limits', () => {
  it('take the configured values, else the engine defaults', () => {
    const none = { maxRecords: undefined, maxBytes: undefined };
    expect(batchLimits('librdkafka', none)).toEqual({ maxRecords: 20_000, maxBytes: 16 << 20 });
    expect(batchLimits('kafkajs', none)).toEqual({ maxRecords: 5_000, maxBytes: 900 * 1024 });
    expect(batchLimits('kafkajs', { maxRecords: 7, maxBytes: undefined })).toEqual({
      maxRecords: 7,
      maxBytes: 900 * 1024,
    });
  });

  it('shrink with the scale but never below one record or 4 KiB', () => {
    expect(scaleLimits({ maxRecords: 1000, maxBytes: 1 << 20 }, 0.5)).toEqual({
      maxRecords: 500,
      maxBytes: 1 << 19,
    });
    expect(scaleLimits({ maxRecords: 100, maxBytes: 100_000 }, MIN_BATCH_SCALE)).toEqual({
      maxRecords: 1,
      maxBytes: 4096,
    });
  });
});

describe('Committer', () => {
  it('sends the records and then the positions in one transaction, and counts what landed', async () => {
    const { producer, metrics, committer } = setup();
    expect(await committer.send(batchOf(3))).toBe(true);
    expect(producer.transactions).toEqual([
      [
        ['access_log', ['{"n":0}', '{"n":1}', '{"n":2}']],
        ['_offsets', ['{"offset":30}']],
      ],
    ]);
    expect(metrics.commits).toBe(1);
    expect([...metrics.recordsSent]).toEqual([['access_log', 3]]);
    expect(metrics.kafkaUp).toBe(true);
    expect(metrics.txStartedMs).toBeUndefined();
  });

  it('says a failed transaction did not land and marks Kafka unreachable', async () => {
    const { producer, metrics, committer } = setup();
    producer.failWith = new Error('broker went away');
    metrics.kafkaUp = true;
    expect(await committer.send(batchOf(2))).toBe(false);
    expect(metrics.commits).toBe(0);
    expect(metrics.recordsSent.size).toBe(0);
    expect(metrics.kafkaUp).toBe(false);
    expect(metrics.txStartedMs).toBeUndefined();
    // Another failure is not taken for "too large": the limits stay.
    expect(committer.limits).toEqual({ maxRecords: 20_000, maxBytes: 16 << 20 });
  });

  it('halves the batch limits each time the broker refuses a batch as too large, down to 1/256', async () => {
    const { producer, committer } = setup({ maxRecords: 1024, maxBytes: 1 << 24 });
    producer.failWith = new TooLargeError('MESSAGE_TOO_LARGE');
    await committer.send(batchOf(1));
    expect(committer.limits).toEqual({ maxRecords: 512, maxBytes: 1 << 23 });
    await committer.send(batchOf(1));
    expect(committer.limits).toEqual({ maxRecords: 256, maxBytes: 1 << 22 });
    for (let i = 0; i < 20; i++) await committer.send(batchOf(1));
    expect(committer.limits).toEqual({ maxRecords: 4, maxBytes: 1 << 16 });
    // Once batches fit, they stay at the size that fits.
    producer.failWith = undefined;
    expect(await committer.send(batchOf(1))).toBe(true);
    expect(committer.limits).toEqual({ maxRecords: 4, maxBytes: 1 << 16 });
  });
});
