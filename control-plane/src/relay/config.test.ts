import { describe, expect, it } from 'vitest';
import { loadRelayConfig, originAllowed, parseChannels, parseDuration } from './config.js';

describe('relay config', () => {
  it('defaults to the pvuv and attendance channels with a one-hour span', () => {
    const config = loadRelayConfig({});
    expect(config.channels).toEqual([
      { name: 'pvuv', topic: 'pvuv', kind: 'window' },
      { name: 'attendance', topic: 'attendance', kind: 'table' },
    ]);
    expect(config.windowSpanMs).toBe(3_600_000);
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
    expect(() => loadRelayConfig({ RELAY_CHANNELS: 'pvuv:window' })).toThrow(/RELAY_CHANNELS/);
    expect(() => loadRelayConfig({ RELAY_PVUV_SPAN: 'an hour' })).toThrow(/RELAY_PVUV_SPAN/);
    expect(() => loadRelayConfig({ RELAY_CLIENT_BUFFER_BYTES: '-1' })).toThrow(
      /RELAY_CLIENT_BUFFER_BYTES/,
    );
    expect(() =>
      loadRelayConfig({ RELAY_HEARTBEAT_MS: '60s', RELAY_HEARTBEAT_TIMEOUT_MS: '30s' }),
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
