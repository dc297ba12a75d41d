import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { originAllowed, parseChannels, parseDuration } from './config.js';

const relayConfig = (env: Record<string, string>) => loadConfig(env).relay;

describe('relay config', () => {
  it('defaults to the pvuv and attendance channels with a one-hour span', () => {
    const config = relayConfig({});
    expect(config.channels).toEqual([
      { name: 'pvuv', topic: 'pvuv', kind: 'window' },
      { name: 'attendance', topic: 'attendance', kind: 'table' },
    ]);
    expect(config.windowSpanMs).toBe(3_600_000);
    expect(config.heartbeatMs).toBe(15_000);
    expect(config.kafkaBrokers).toEqual(['127.0.0.1:9092']);
  });

  it('reads extra channels and durations with units', () => {
    expect(parseChannels('pvuv=pvuv_test:window, top=top_pages:table')).toEqual([
      { name: 'pvuv', topic: 'pvuv_test', kind: 'window' },
      { name: 'top', topic: 'top_pages', kind: 'table' },
    ]);
    expect(parseDuration('X', '15m')).toBe(900_000);
    expect(parseDuration('X', '250')).toBe(250);
  });

  it('stops at boot on a setting it cannot use, naming the variable', () => {
    expect(() => relayConfig({ RELAY_CHANNELS: 'pvuv:window' })).toThrow(/RELAY_CHANNELS/);
    expect(() => relayConfig({ RELAY_PVUV_SPAN: 'an hour' })).toThrow(/RELAY_PVUV_SPAN/);
    expect(() => relayConfig({ RELAY_CLIENT_BUFFER_BYTES: '-1' })).toThrow(
      /RELAY_CLIENT_BUFFER_BYTES/,
    );
    expect(() =>
      relayConfig({ RELAY_HEARTBEAT_MS: '60s', RELAY_HEARTBEAT_TIMEOUT_MS: '30s' }),
    ).toThrow(/HEARTBEAT/);
  });

  it('lets same-origin pages and listed origins in, and keeps other pages out', () => {
    expect(originAllowed('http://dash.example:8080', 'dash.example:8080', [])).toBe(true);
    expect(originAllowed('http://evil.example', 'dash.example:8080', [])).toBe(false);
    expect(
      originAllowed('http://localhost:5173', 'dash.example:8080', ['http://localhost:5173']),
    ).toBe(true);
    expect(originAllowed(undefined, 'dash.example:8080', [])).toBe(true);
    expect(originAllowed('http://any.example', 'x', ['*'])).toBe(true);
  });
});

describe('relayed topics', () => {
  it('take the catalog’s settings, and an analyst’s table output is compacted', async () => {
    const { channelTopicSpecs } = await import('./consumer.js');
    const [attendance, top, pvuv] = channelTopicSpecs(
      parseChannels('a=attendance:table,top=top_pages:table,p=pvuv:window'),
    );
    expect(attendance).toMatchObject({ name: 'attendance', compacted: true });
    expect(top).toMatchObject({ name: 'top_pages', compacted: true });
    expect(pvuv).toMatchObject({ name: 'pvuv', compacted: false, retentionMs: 7 * 86_400_000 });
  });
});
