/**
 * The one function that makes topics look like the catalog says: creates the missing ones and, for
 * existing ones, fixes what Kafka lets us fix without moving keys (cleanup policy, retention, a
 * message limit that is too small), saying what it changed. Partition counts are left as they are:
 * adding partitions would move keys, which breaks compaction and per-key order. Used by npm start, the watcher, the
 * relay, the tests and the compose stack's one-shot `topics` service.
 */
import type { Admin, ConfigResourceTypes as ResourceTypes, ConfigSource } from 'kafkajs';
import { topicConfigEntries, type TopicSpec } from '../topics.js';

/** kafkajs' ConfigResourceTypes.TOPIC, written out so this module imports no kafkajs value. */
const TOPIC_RESOURCE = 2 as ResourceTypes;
/** kafkajs' ConfigSource.TOPIC_CONFIG: a setting made on the topic itself. */
const TOPIC_OVERRIDE = 1 as ConfigSource;

export interface ProvisionOptions {
  /** Partitions of a topic whose spec names none (KAFKA_PARTITIONS). */
  defaultPartitions: number;
}

export interface ProvisionReport {
  created: string[];
  /** One line per setting changed on an existing topic: `pvuv: retention.ms 604800000 -> 86400000`. */
  changed: string[];
}

/** Settings where a larger value on the broker is fine: the spec asks for at least this much. */
const AT_LEAST = new Set(['max.message.bytes']);

function needsChange(key: string, want: string, have: string | undefined): boolean {
  if (have === undefined) return true;
  if (AT_LEAST.has(key)) return Number(have) < Number(want);
  return have !== want;
}

/** Makes every topic in `specs` exist with its settings; returns what it created and changed. */
export async function provisionTopics(
  admin: Admin,
  specs: readonly TopicSpec[],
  options: ProvisionOptions,
): Promise<ProvisionReport> {
  const unique = [...new Map(specs.map((s) => [s.name, s])).values()];
  const existing = new Set(await admin.listTopics());
  const missing = unique.filter((s) => !existing.has(s.name));
  const present = unique.filter((s) => existing.has(s.name));
  const report: ProvisionReport = { created: [], changed: [] };

  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((spec) => ({
        topic: spec.name,
        numPartitions: spec.partitions ?? options.defaultPartitions,
        configEntries: Object.entries(topicConfigEntries(spec)).map(([name, value]) => ({
          name,
          value,
        })),
      })),
    });
    report.created.push(...missing.map((s) => s.name));
  }
  if (present.length === 0) return report;

  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: present.map((s) => ({ type: TOPIC_RESOURCE, name: s.name })),
  });
  for (const spec of present) {
    const resource = described.resources.find((r) => r.resourceName === spec.name);
    const entries = resource?.configEntries ?? [];
    const want = topicConfigEntries(spec);
    const changes = Object.entries(want).filter(([key, value]) =>
      needsChange(key, value, entries.find((e) => e.configName === key)?.configValue),
    );
    if (changes.length > 0) {
      // AlterConfigs replaces a topic's overrides as a whole: keep the ones set on the topic itself.
      const overrides = new Map(
        entries
          .filter((e) => e.configSource === TOPIC_OVERRIDE)
          .map((e) => [e.configName, e.configValue]),
      );
      for (const [key, value] of changes) overrides.set(key, value);
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: TOPIC_RESOURCE,
            name: spec.name,
            configEntries: [...overrides].map(([name, value]) => ({ name, value })),
          },
        ],
      });
      for (const [key, value] of changes) {
        const before = entries.find((e) => e.configName === key)?.configValue ?? 'unset';
        report.changed.push(`${spec.name}: ${key} ${before} -> ${value}`);
      }
    }
  }
  return report;
}
