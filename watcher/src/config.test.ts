import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';

const source = {
  name: 'web',
  paths: ['logs/access*.log'],
  format: 'combined',
  topic: 'access_log',
};

describe('config', () => {
  it('fills documented defaults and resolves paths against the config folder', () => {
    const c = parseConfig({ sources: [source] }, '/etc/pulse', {});
    expect(c).toMatchObject({
      brokers: ['127.0.0.1:9092'],
      stateId: 'watcher',
      offsetsTopic: '_watcher_offsets.watcher',
      maxLineBytes: 1024 * 1024,
      http: { host: '127.0.0.1', port: 9464 },
    });
    expect(c.sources[0]).toMatchObject({
      paths: ['/etc/pulse/logs/access*.log'],
      timezone: 'UTC',
      visitorId: 'ip',
    });
  });

  it('lets KAFKA_BROKERS and WATCHER_HTTP_PORT override the file', () => {
    const c = parseConfig({ kafka: { brokers: ['a:1'] }, sources: [source] }, '/', {
      KAFKA_BROKERS: 'b:2,c:3',
      WATCHER_HTTP_PORT: '9999',
    });
    expect(c.brokers).toEqual(['b:2', 'c:3']);
    expect(c.http.port).toBe(9999);
  });

  it.each([
    [{ sources: [] }, 'config field "sources" must be a non-empty list'],
    [
      { sources: [{ ...source, format: 'xml' }] },
      'config field "sources[0].format" must be one of combined, common, wifi-json, schedule-csv, got "xml"',
    ],
    [
      { sources: [{ ...source, timezone: 'Mars/Olympus' }] },
      'config field "sources[0].timezone" must be an IANA time zone',
    ],
    [
      { sources: [{ ...source, topic: undefined }] },
      'config field "sources[0].topic" must be a topic name (missing)',
    ],
    [{ sources: [source, source] }, 'config field "sources[1].name" repeats the source name "web"'],
    [{ stateId: 'a b', sources: [source] }, 'config field "stateId" must be a name of letters'],
    [{ maxLineBytes: 10, sources: [source] }, 'config field "maxLineBytes" must be at least 64'],
  ])('refuses a bad config naming the field (%#)', (raw, message) => {
    expect(() => parseConfig(raw, '/', {})).toThrow(message);
  });
});
