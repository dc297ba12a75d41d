import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, configTable } from '@pulse/kit';
import { parseConfig, WATCHER_ENV_SCHEMA } from './config.js';

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

  it('bounds event times per line source: 10 minutes ahead, 7 days back, null for no limit', () => {
    const c = parseConfig(
      {
        sources: [
          source,
          { ...source, name: 'replay', maxFutureSkewMs: 60_000, maxAgeMs: null },
          { ...source, name: 'schedule', format: 'schedule-csv', paths: ['s.csv'] },
        ],
      },
      '/',
      {},
    );
    expect(c.sources[0]).toMatchObject({ maxFutureSkewMs: 600_000, maxAgeMs: 604_800_000 });
    expect(c.sources[1]).toMatchObject({ maxFutureSkewMs: 60_000, maxAgeMs: null });
    expect(c.sources[2]).not.toHaveProperty('maxAgeMs');
    expect(() =>
      parseConfig({ sources: [{ ...source, maxFutureSkewMs: '10m' }] }, '/', {}),
    ).toThrow(
      'config field "sources[0].maxFutureSkewMs" must be a whole number of milliseconds or null, got "10m"',
    );
  });

  it('takes heartbeats per line source as an opt-in: off by default, at least 100 ms', () => {
    const c = parseConfig(
      {
        sources: [
          source,
          { ...source, name: 'quiet-nights', heartbeatMs: 10_000 },
          { ...source, name: 'schedule', format: 'schedule-csv', paths: ['s.csv'] },
        ],
      },
      '/',
      {},
    );
    expect(c.sources[0]).toMatchObject({ heartbeatMs: null });
    expect(c.sources[1]).toMatchObject({ heartbeatMs: 10_000 });
    expect(c.sources[2]).not.toHaveProperty('heartbeatMs');
    expect(() => parseConfig({ sources: [{ ...source, heartbeatMs: 10 }] }, '/', {})).toThrow(
      'config field "sources[0].heartbeatMs" must be at least 100 ms, got 10',
    );
    expect(() => parseConfig({ sources: [{ ...source, heartbeatMs: '10s' }] }, '/', {})).toThrow(
      'config field "sources[0].heartbeatMs" must be a whole number of milliseconds or null, got "10s"',
    );
    const compacted = { ...source, topic: 'attendance', heartbeatMs: 1_000 };
    expect(() => parseConfig({ sources: [compacted] }, '/', {})).toThrow(
      'config field "sources[0].heartbeatMs" is not for "attendance", a compacted topic',
    );
  });

  it('takes an ssids filter on Wi-Fi sources only', () => {
    const wifi = { ...source, name: 'wifi', format: 'wifi-json' };
    expect(
      parseConfig({ sources: [{ ...wifi, ssids: ['eduroam'] }] }, '/', {}).sources[0],
    ).toMatchObject({ ssids: ['eduroam'] });
    expect(parseConfig({ sources: [wifi] }, '/', {}).sources[0]).not.toHaveProperty('ssids');
    expect(() => parseConfig({ sources: [{ ...source, ssids: ['eduroam'] }] }, '/', {})).toThrow(
      'config field "sources[0].ssids" is for wifi-json sources only',
    );
    expect(() => parseConfig({ sources: [{ ...wifi, ssids: [] }] }, '/', {})).toThrow(
      'config field "sources[0].ssids" must be a non-empty list of network names',
    );
  });

  it('lets KAFKA_BROKERS, WATCHER_HTTP_PORT and WATCHER_PRODUCER override the file', () => {
    const c = parseConfig(
      { kafka: { brokers: ['a:1'], producer: 'librdkafka' }, sources: [source] },
      '/',
      { KAFKA_BROKERS: 'b:2,c:3', WATCHER_HTTP_PORT: '9999', WATCHER_PRODUCER: 'kafkajs' },
    );
    expect(c.brokers).toEqual(['b:2', 'c:3']);
    expect(c.http.port).toBe(9999);
    expect(c.producer).toBe('kafkajs');
  });

  it('follows the local runtime when neither the file nor KAFKA_BROKERS names brokers', () => {
    expect(parseConfig({ sources: [source] }, '/', { KAFKA_PORT: '19092' }).brokers).toEqual([
      '127.0.0.1:19092',
    ]);
    const fromFile = parseConfig({ kafka: { brokers: ['a:1'] }, sources: [source] }, '/', {
      KAFKA_PORT: '19092',
    });
    expect(fromFile.brokers).toEqual(['a:1']);
  });

  it('reads the stop timeout, log level and partitions from the environment', () => {
    expect(parseConfig({ sources: [source] }, '/', {})).toMatchObject({
      stopTimeoutMs: 15_000,
      logLevel: 'info',
      kafkaPartitions: 3,
    });
    expect(
      parseConfig({ sources: [source] }, '/', {
        WATCHER_STOP_TIMEOUT_MS: '2500',
        LOG_LEVEL: 'warn',
        KAFKA_PARTITIONS: '6',
      }),
    ).toMatchObject({ stopTimeoutMs: 2500, logLevel: 'warn', kafkaPartitions: 6 });
  });

  it.each([
    [
      { WATCHER_PRODUCER: 'java' },
      'WATCHER_PRODUCER',
      'WATCHER_PRODUCER must be one of auto, librdkafka, kafkajs, got "java"',
    ],
    [
      { WATCHER_STOP_TIMEOUT_MS: 'soon' },
      'WATCHER_STOP_TIMEOUT_MS',
      'WATCHER_STOP_TIMEOUT_MS must be an integer of at least 0, got "soon"',
    ],
    [
      { WATCHER_HTTP_PORT: '70000' },
      'WATCHER_HTTP_PORT',
      'WATCHER_HTTP_PORT must be an integer from 0 to 65535, got "70000"',
    ],
    [
      { LOG_LEVEL: 'loud' },
      'LOG_LEVEL',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    ],
    [
      { KAFKA_BROKERS: 'a:1,,b:2' },
      'KAFKA_BROKERS',
      'KAFKA_BROKERS must be host:port pairs separated by commas, got "a:1,,b:2"',
    ],
  ])('refuses a bad variable naming it (%#)', (env, variable, message) => {
    const err = (() => {
      try {
        parseConfig({ sources: [source] }, '/', env);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ variable, message });
  });

  it.each([
    [{ sources: [] }, 'config field "sources" must be a non-empty list'],
    [
      { sources: [{ ...source, format: 'xml' }] },
      'config field "sources[0].format" must be one of combined, common, wifi-json, schedule-csv, registry-csv, roster-csv, calendar-csv, got "xml"',
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

  it('names the field in the error for machines too', () => {
    const err = (() => {
      try {
        parseConfig({ sources: [{ ...source, timezone: 'Mars/Olympus' }] }, '/', {});
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe('sources[0].timezone');
  });

  it('documents every environment variable in the README, as the schema says', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const cells = (text: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith('|') && !/^\|[\s|:-]+\|$/.test(l))
        .map((l) => l.replace(/\s+/g, ' ').trim());
    const section = readme.slice(
      readme.indexOf('<!-- config:watcher -->'),
      readme.indexOf('<!-- /config:watcher -->'),
    );
    expect(cells(section)).toEqual(cells(configTable(WATCHER_ENV_SCHEMA)));
  });
});
