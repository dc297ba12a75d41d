import { describe, expect, it } from 'vitest';
import type { PanelSpec } from '@pulse/contracts';
import { formatValue, isStale, latestRanked, newestRow, timeSeries } from './panels.js';

const panel = (over: Partial<PanelSpec> = {}): PanelSpec => ({
  id: 'web.p',
  job: 'web',
  panel: 'p',
  kind: 'timeseries',
  channel: 'web_minute',
  title: { en: 'T', zh: 'T' },
  time: 'window_end',
  key: [],
  values: ['requests'],
  labels: {},
  order: 1,
  format: 'number',
  limit: 2,
  stack: false,
  staleAfterMs: 60_000,
  ...over,
});

describe('panel computations', () => {
  it('breaks a time series where a window is missing instead of drawing across the gap', () => {
    const rows = [0, 60_000, 120_000, 300_000].map((t, i) => ({ window_end: t, requests: i + 1 }));
    const [series] = timeSeries(panel(), rows);
    expect(series!.points).toEqual([
      [0, 1],
      [60_000, 2],
      [120_000, 3],
      [180_000, null],
      [300_000, 4],
    ]);
  });

  it('draws one series per key and value', () => {
    const rows = [
      { window_end: 0, agent: 'bot', requests: 1 },
      { window_end: 0, agent: 'person', requests: 5 },
      { window_end: 60_000, agent: 'bot', requests: 2 },
    ];
    const series = timeSeries(panel({ key: ['agent'] }), rows);
    expect(series.map((s) => [s.key, s.points.length])).toEqual([
      ['bot', 2],
      ['person', 1],
    ]);
  });

  it('ranks the rows of the newest window by the first value, cut at the limit', () => {
    const rows = [
      { window_end: 1, path: '/old', views: 99 },
      { window_end: 2, path: '/a', views: 3 },
      { window_end: 2, path: '/b', views: 7 },
      { window_end: 2, path: '/c', views: 5 },
    ];
    const top = latestRanked(panel({ kind: 'top', key: ['path'], values: ['views'] }), rows);
    expect(top.map((r) => r.path)).toEqual(['/b', '/c']);
    expect(newestRow(panel(), rows)).toEqual(rows[3]);
  });

  it('formats numbers, rates and byte sizes', () => {
    expect(formatValue(1234567, 'number', 'en-GB')).toBe('1,234,567');
    expect(formatValue(0.256, 'percent', 'en-GB')).toBe('25.6 %');
    expect(formatValue(5 * 1024 * 1024 + 512 * 1024, 'bytes', 'en-GB')).toBe('5.5 MiB');
    expect(formatValue(null, 'number', 'en-GB')).toBe('–');
  });

  it('calls data stale when the feed is down or nothing arrived within the panel allowance', () => {
    expect(isStale(panel(), false, 1_000, 2_000)).toBe(true);
    expect(isStale(panel(), true, 1_000, 50_000)).toBe(false);
    expect(isStale(panel(), true, 1_000, 70_000)).toBe(true);
    expect(isStale(panel(), true, null, 70_000)).toBe(false);
  });
});
