import { CodedError } from '@pulse/kit';
import type { PackedRecords } from '../packed.js';

/** Which Kafka client carries the watcher's transactions. */
export type ProducerEngine = 'librdkafka' | 'kafkajs';

/**
 * A transactional, idempotent producer (acks=all) under one transactional id. Either every record
 * handed to `transact` is committed, or none is visible to read_committed consumers.
 */
export interface TxProducer {
  readonly engine: ProducerEngine;
  /** Connects and registers the transactional id, fencing any earlier incarnation and aborting its open transaction. */
  connect(): Promise<void>;
  /** Sends the records in one transaction and commits it; rejects (after aborting) when it did not land. */
  transact(messages: Iterable<[topic: string, records: PackedRecords]>): Promise<void>;
  disconnect(): Promise<void>;
  /** Resolves when a broker answers a metadata request. */
  probe(): Promise<void>;
  /** Called when the client loses every broker connection (before a transaction fails). */
  onUnreachable?: (reason: string) => void;
}

/** What a producer needs to know about the watcher. */
export interface ProducerOptions {
  brokers: string[];
  clientId: string;
  transactionalId: string;
  /** Largest record the watcher sends (a refused line in the DLQ with its context). */
  maxMessageBytes: number;
}

/**
 * A transaction the broker refused because a record or batch was too large. Retriable: the watcher
 * sends smaller batches after it.
 */
export class TooLargeError extends CodedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MESSAGE_TOO_LARGE', message, true, options);
    this.name = 'TooLargeError';
  }
}

/** A call on a producer that is not connected (it is between a failure and the reconnect). */
export function notConnected(): CodedError {
  return new CodedError('PRODUCER_NOT_CONNECTED', 'producer not connected', true);
}
