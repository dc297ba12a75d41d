import { describe, expect, it } from 'vitest';
import { TOPICS, dlqTopic } from './topics.js';

describe('topics', () => {
  it('names the dead-letter topic after its source topic', () => {
    expect(dlqTopic(TOPICS.accessLog)).toBe('access_log.dlq');
    expect(dlqTopic(TOPICS.wifiLog)).toBe('wifi_log.dlq');
  });
});
