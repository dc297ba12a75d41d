import { Kafka, logLevel, type Producer } from 'kafkajs';
import { unpackStrings, type PackedRecords } from '../packed.js';
import { notConnected, TooLargeError, type ProducerOptions, type TxProducer } from './types.js';

/** The watcher's transactions through kafkajs (pure JavaScript; slower, needs no native build). */
export class KafkajsProducer implements TxProducer {
  readonly engine = 'kafkajs' as const;
  private producer: Producer | undefined;
  private readonly kafka: Kafka;

  constructor(private readonly options: ProducerOptions) {
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 3 },
    });
  }

  async connect(): Promise<void> {
    await this.disconnect();
    const producer = this.kafka.producer({
      transactionalId: this.options.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 60_000,
    });
    await producer.connect(); // kafkajs registers the transactional id (InitProducerId) here
    this.producer = producer;
  }

  async transact(messages: Iterable<[string, PackedRecords]>): Promise<void> {
    if (!this.producer) throw notConnected();
    const tx = await this.producer.transaction();
    try {
      const topicMessages = [...messages].map(([topic, records]) => {
        const values = unpackStrings(records.values);
        return {
          topic,
          messages: records.keys.map((key, i) => ({
            key,
            value: values[i] ?? null,
            ...(records.partitions ? { partition: records.partitions[i] } : {}),
          })),
        };
      });
      await tx.sendBatch({ topicMessages, acks: -1 });
      await tx.commit();
    } catch (err) {
      await tx.abort().catch(() => {});
      if ((err as { type?: string }).type === 'MESSAGE_TOO_LARGE')
        throw new TooLargeError((err as Error).message, { cause: err });
      throw err;
    }
  }

  onUnreachable?: (reason: string) => void;

  async probe(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    await admin.disconnect();
  }

  async disconnect(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => {});
  }
}
