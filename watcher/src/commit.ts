/**
 * Committing a batch: its records and the positions they bring the files to go in one Kafka
 * transaction, which lands whole or not at all. When the broker refuses a batch as too large,
 * later batches are made smaller, so one odd broker setting cannot stall the watcher.
 */
import type { Logger } from 'pino';
import type { Batch } from './batch.js';
import type { BatchLimits } from './fill.js';
import type { Metrics } from './metrics.js';
import { TooLargeError, type ProducerEngine, type TxProducer } from './producers/index.js';

/** Smallest share of the configured limits batches shrink to after refusals. */
export const MIN_BATCH_SCALE = 1 / 256;

/**
 * The batch limits: the configured ones, else the engine's defaults. librdkafka splits a
 * transaction into requests itself; kafkajs sends each partition's share of a batch as one
 * request, which the broker refuses above 1 MiB.
 */
export function batchLimits(
  engine: ProducerEngine,
  configured: { maxRecords: number | undefined; maxBytes: number | undefined },
): BatchLimits {
  const defaults =
    engine === 'librdkafka'
      ? { maxRecords: 20_000, maxBytes: 16 * 1024 * 1024 }
      : { maxRecords: 5_000, maxBytes: 900 * 1024 };
  return {
    maxRecords: configured.maxRecords ?? defaults.maxRecords,
    maxBytes: configured.maxBytes ?? defaults.maxBytes,
  };
}

/** The limits shrunk by `scale`, never below one record or 4 KiB. */
export function scaleLimits(limits: BatchLimits, scale: number): BatchLimits {
  return {
    maxRecords: Math.max(1, Math.floor(limits.maxRecords * scale)),
    maxBytes: Math.max(4096, Math.floor(limits.maxBytes * scale)),
  };
}

/** Sends batches as transactions through one producer and keeps the commit metrics. */
export class Committer {
  /** Shrinks (halves) each time the broker refuses a batch as too large. */
  private scale = 1;

  constructor(
    private readonly producer: TxProducer,
    private readonly offsetsTopic: string,
    private readonly configured: BatchLimits,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {}

  /** The limits the next batch must keep. */
  get limits(): BatchLimits {
    return scaleLimits(this.configured, this.scale);
  }

  /** One transaction: the records and the positions they bring the files to. Says whether it landed. */
  async send(batch: Batch): Promise<boolean> {
    this.metrics.txStartedMs = Date.now();
    try {
      await this.producer.transact(batch.messages(this.offsetsTopic));
    } catch (err) {
      this.metrics.txStartedMs = undefined;
      this.metrics.kafkaUp = false;
      if (err instanceof TooLargeError) {
        this.scale = Math.max(MIN_BATCH_SCALE, this.scale / 2);
        this.log.warn(
          { batchScale: this.scale, limits: this.limits },
          'the broker refused the batch as too large: sending smaller batches',
        );
      }
      this.log.warn(
        { err, records: batch.records, engine: this.producer.engine },
        'transaction failed; reconnecting and reading again from the committed positions',
      );
      return false;
    }
    this.metrics.txStartedMs = undefined;
    for (const [topic, count] of batch.counts())
      this.metrics.add(this.metrics.recordsSent, topic, count);
    for (const [topic, { values }] of batch.heartbeats)
      this.metrics.add(this.metrics.heartbeatsSent, topic, values.length);
    this.metrics.lastCommitMs = Date.now();
    this.metrics.commits++;
    this.metrics.kafkaUp = true;
    return true;
  }
}
