/**
 * `provision-topics`: makes the catalog's topics exist with their settings on any Kafka, for hosts
 * where nothing else creates them first (the compose stack runs it as a one-shot service).
 */
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { TOPIC_CATALOG } from '../topics.js';
import { provisionTopics } from './provision.js';

const HELP = `Creates the product's topics with the catalog's settings, and fixes existing ones.

Usage: provision-topics [--brokers host:port,...] [--partitions N]

  --brokers      Kafka bootstrap servers (default: $KAFKA_BROKERS, else 127.0.0.1:9092)
  --partitions   partitions of topics the catalog gives no fixed count (default: $KAFKA_PARTITIONS, else 3)
`;

const { values } = parseArgs({
  options: {
    brokers: { type: 'string' },
    partitions: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const brokers = (values.brokers ?? process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const partitions = Number(values.partitions ?? process.env.KAFKA_PARTITIONS ?? 3);
if (!Number.isInteger(partitions) || partitions < 1) {
  process.stderr.write(`provision-topics: --partitions must be a positive integer\n`);
  process.exit(2);
}

const admin = new Kafka({
  clientId: 'provision-topics',
  brokers,
  logLevel: logLevel.NOTHING,
}).admin();
try {
  await admin.connect();
  const report = await provisionTopics(admin, TOPIC_CATALOG, { defaultPartitions: partitions });
  for (const topic of report.created) process.stdout.write(`created ${topic}\n`);
  for (const change of report.changed) process.stdout.write(`changed ${change}\n`);
  if (!report.created.length && !report.changed.length)
    process.stdout.write('every topic is as the catalog says\n');
} catch (err) {
  process.stderr.write(`provision-topics: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await admin.disconnect();
}
