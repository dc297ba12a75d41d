import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_LINE_BYTES,
  TOPIC_CATALOG,
  TOPICS,
  dlqRecordBytes,
  dlqTopic,
  dlqTopicSpec,
  topicConfigEntries,
  topicSpec,
} from './topics.js';

describe('topic catalog', () => {
  it('names the dead-letter topic after its source topic', () => {
    expect(dlqTopic(TOPICS.accessLog)).toBe('access_log.dlq');
    expect(dlqTopic(TOPICS.wifiLog)).toBe('wifi_log.dlq');
  });

  it('has every named topic once, tables compacted', () => {
    const names = TOPIC_CATALOG.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const topic of Object.values(TOPICS)) expect(names).toContain(topic);
    expect(topicConfigEntries(topicSpec(TOPICS.attendance)!)['cleanup.policy']).toBe('compact');
    for (const table of [
      TOPICS.courseSchedule,
      TOPICS.deviceRegistry,
      TOPICS.classRoster,
      TOPICS.termCalendar,
    ])
      expect(topicConfigEntries(topicSpec(table)!)['cleanup.policy']).toBe('compact');
    // Upserts of windows that are over: compacted, and old keys age out.
    for (const table of [TOPICS.webTopPages, TOPICS.webTopReferrers, TOPICS.webTop404])
      expect(topicConfigEntries(topicSpec(table)!)).toEqual({
        'cleanup.policy': 'compact,delete',
        'retention.ms': String(2 * 24 * 3600_000),
      });
    expect(topicConfigEntries(topicSpec(TOPICS.webToday)!)['cleanup.policy']).toBe(
      'compact,delete',
    );
    expect(topicConfigEntries(topicSpec(TOPICS.pvuv)!)).toEqual({
      'cleanup.policy': 'delete',
      'retention.ms': String(7 * 24 * 3600_000),
    });
  });

  it('sizes a DLQ topic above the largest DLQ record for its line limit', () => {
    const spec = dlqTopicSpec(TOPICS.accessLog);
    expect(spec.maxMessageBytes).toBeGreaterThan(dlqRecordBytes(DEFAULT_MAX_LINE_BYTES));
    expect(dlqTopicSpec('x', 4 * 1024 * 1024).maxMessageBytes).toBeGreaterThan(4 * 1024 * 1024);
  });
});
