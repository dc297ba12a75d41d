/**
 * The topics the watcher writes, provisioned from the one catalog (`@pulse/contracts`): its
 * offsets topic, each source topic, and each source topic's DLQ sized for `maxLineBytes`.
 */
import type { Kafka } from 'kafkajs';
import { dlqTopicSpec, topicSpec, watcherOffsetsTopicSpec, type TopicSpec } from '@pulse/contracts';
import { provisionTopics, type ProvisionReport } from '@pulse/contracts/kafka';
import type { WatcherConfig } from './config.js';

/** A source topic the catalog does not know (an analyst's own): the broker's default settings. */
export function ownTopicSpec(name: string): TopicSpec {
  return { name, compacted: false, purpose: 'a source topic of the watcher outside the catalog' };
}

/**
 * The specs the watcher provisions. A source topic outside the catalog is created with default
 * settings when missing, but left as it is when it exists: its owner may have set it up so.
 */
export function watcherTopicSpecs(
  config: Pick<WatcherConfig, 'offsetsTopic' | 'maxLineBytes' | 'sources'>,
  existing: ReadonlySet<string>,
): TopicSpec[] {
  const topics = [...new Set(config.sources.map((s) => s.topic))];
  const sourceSpecs = topics.flatMap((t) => {
    const spec = topicSpec(t) ?? (existing.has(t) ? undefined : ownTopicSpec(t));
    return spec ? [spec] : [];
  });
  return [
    watcherOffsetsTopicSpec(config.offsetsTopic),
    ...sourceSpecs,
    ...topics.map((t) => dlqTopicSpec(t, config.maxLineBytes)),
  ];
}

/** Makes the watcher's topics exist with their settings; says what it created and changed. */
export async function provisionWatcherTopics(
  kafka: Kafka,
  config: WatcherConfig,
): Promise<ProvisionReport> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    return await provisionTopics(admin, watcherTopicSpecs(config, existing), {
      defaultPartitions: config.kafkaPartitions,
    });
  } finally {
    await admin.disconnect();
  }
}

/** How many partitions each topic has (a heartbeat goes to every one); topics not found are left out. */
export async function partitionCounts(
  kafka: Kafka,
  topics: readonly string[],
): Promise<Map<string, number>> {
  if (topics.length === 0) return new Map();
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics: found } = await admin.fetchTopicMetadata({ topics: [...topics] });
    return new Map(found.map((t) => [t.name, t.partitions.length]));
  } finally {
    await admin.disconnect();
  }
}
