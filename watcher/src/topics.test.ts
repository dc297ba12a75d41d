import { describe, expect, it } from 'vitest';
import { topicConfigEntries } from '@pulse/contracts';
import type { SourceConfig } from './config.js';
import { watcherTopicSpecs } from './topics.js';

const source = (name: string, topic: string): SourceConfig => ({
  name,
  paths: ['/logs/x'],
  format: 'combined',
  topic,
  timezone: 'UTC',
  visitorId: 'ip',
  republishIntervalMs: 0,
  maxFutureSkewMs: null,
  maxAgeMs: null,
  heartbeatMs: null,
});

/** Each spec as the settings the broker is asked for. */
const asked = (config: Parameters<typeof watcherTopicSpecs>[0], existing: string[] = []) =>
  Object.fromEntries(
    watcherTopicSpecs(config, new Set(existing)).map((s) => [
      s.name,
      { partitions: s.partitions, ...topicConfigEntries(s) },
    ]),
  );

describe('watcherTopicSpecs', () => {
  it('asks for a compacted one-partition offsets topic, catalog source topics and DLQs sized for maxLineBytes', () => {
    const specs = asked({
      offsetsTopic: '_watcher_offsets.campus',
      maxLineBytes: 2 * 1024 * 1024,
      sources: [
        source('web', 'access_log'),
        { ...source('schedule', 'course_schedule'), format: 'schedule-csv' },
      ],
    });
    expect(specs).toEqual({
      '_watcher_offsets.campus': { partitions: 1, 'cleanup.policy': 'compact' },
      access_log: {
        partitions: undefined,
        'cleanup.policy': 'delete',
        'retention.ms': '604800000',
      },
      course_schedule: { partitions: undefined, 'cleanup.policy': 'compact' },
      // A cut line of maxLineBytes, its context (32 KiB) and the batch framing (32 KiB).
      'access_log.dlq': {
        partitions: undefined,
        'cleanup.policy': 'delete',
        'retention.ms': String(30 * 24 * 3600_000),
        'max.message.bytes': String(2 * 1024 * 1024 + 64 * 1024),
      },
      'course_schedule.dlq': {
        partitions: undefined,
        'cleanup.policy': 'delete',
        'retention.ms': String(30 * 24 * 3600_000),
        'max.message.bytes': String(2 * 1024 * 1024 + 64 * 1024),
      },
    });
  });

  it('creates a topic of your own with default settings, and leaves it alone once it exists', () => {
    const config = {
      offsetsTopic: 'o',
      maxLineBytes: 1024 * 1024,
      sources: [source('a', 'my_clicks'), source('b', 'my_clicks')],
    };
    expect(Object.keys(asked(config))).toEqual(['o', 'my_clicks', 'my_clicks.dlq']);
    expect(asked(config).my_clicks).toEqual({ partitions: undefined, 'cleanup.policy': 'delete' });
    // Existing: not in the list, so provisioning neither creates nor changes it; its DLQ still is.
    expect(Object.keys(asked(config, ['my_clicks']))).toEqual(['o', 'my_clicks.dlq']);
  });
});
