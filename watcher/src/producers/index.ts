import type { Logger } from 'pino';
import { ConfigError } from '@pulse/kit';
import { KafkajsProducer } from './kafkajs.js';
import { loadRdkafka, RdkafkaProducer } from './rdkafka.js';
import type { ProducerOptions, TxProducer } from './types.js';

/** `auto` takes librdkafka when node-rdkafka built on this machine, kafkajs otherwise. */
export type EngineChoice = 'auto' | 'librdkafka' | 'kafkajs';
export const ENGINES: readonly EngineChoice[] = ['auto', 'librdkafka', 'kafkajs'];

/** The transactional producer for the configured engine; says which one and why. */
export function createProducer(
  choice: EngineChoice,
  options: ProducerOptions,
  log: Logger,
): TxProducer {
  if (choice === 'kafkajs') return new KafkajsProducer(options);
  const rd = loadRdkafka();
  if (!(rd instanceof Error)) return new RdkafkaProducer(rd, options);
  if (choice === 'librdkafka')
    throw new ConfigError(
      'kafka.producer',
      `kafka.producer is "librdkafka" but node-rdkafka does not load here (${rd.message}); ` +
        'rebuild it with `npm rebuild node-rdkafka` (needs a C++ toolchain) or set kafka.producer to "kafkajs"',
    );
  log.warn(
    { err: rd },
    'node-rdkafka is not available: using kafkajs, which is several times slower',
  );
  return new KafkajsProducer(options);
}

export type { TxProducer, ProducerEngine, ProducerOptions } from './types.js';
export { TooLargeError } from './types.js';
