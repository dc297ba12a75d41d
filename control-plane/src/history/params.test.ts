import { describe, expect, it } from 'vitest';
import {
  attendanceRange,
  decodeCursor,
  encodeCursor,
  HistoryRequestError,
  trafficRange,
} from './params.js';

const ZONE = 'Asia/Shanghai';
const NOW = Date.UTC(2026, 8, 10, 4, 0); // 12:00 on 10 September on campus

describe('attendance range', () => {
  it('defaults to the 180 days up to today', () => {
    expect(attendanceRange({}, '2026-09-10')).toEqual({ from: '2026-03-15', to: '2026-09-10' });
  });

  it('refuses a bad date, a reversed range and a range over a year, saying why', () => {
    expect(() => attendanceRange({ from: '2026-02-30' }, '2026-09-10')).toThrow(
      new HistoryRequestError('from: "2026-02-30" is not a calendar date (YYYY-MM-DD)'),
    );
    expect(() => attendanceRange({ from: '2026-09-11', to: '2026-09-10' }, '2026-09-10')).toThrow(
      /from \(2026-09-11\) must be before to \(2026-09-10\)/,
    );
    expect(() => attendanceRange({ from: '2025-01-01', to: '2026-09-10' }, '2026-09-10')).toThrow(
      /the range is 618 days; attendance allows at most 366 days/,
    );
  });
});

describe('traffic range', () => {
  it('reads dates as whole campus days, the `to` day included', () => {
    const r = trafficRange({ from: '2026-09-01', to: '2026-09-02', step: 'hour' }, NOW, ZONE);
    expect(new Date(r.fromMs).toISOString()).toBe('2026-08-31T16:00:00.000Z');
    expect(new Date(r.toMs).toISOString()).toBe('2026-09-02T16:00:00.000Z');
    expect([r.fromDate, r.toDate]).toEqual(['2026-09-01', '2026-09-02']);
  });

  it('reads instants as given, the `to` instant excluded', () => {
    const r = trafficRange(
      { from: '2026-09-01T02:00:00Z', to: '2026-09-01T12:00:00+08:00', step: 'minute' },
      NOW,
      ZONE,
    );
    expect([r.fromMs, r.toMs]).toEqual([Date.UTC(2026, 8, 1, 2), Date.UTC(2026, 8, 1, 4)]);
  });

  it('defaults to the last day of minutes, week of hours, month of days', () => {
    expect(trafficRange({ step: 'minute' }, NOW, ZONE).fromMs).toBe(NOW - 86_400_000);
    expect(trafficRange({}, NOW, ZONE)).toMatchObject({
      step: 'hour',
      fromMs: NOW - 7 * 86_400_000,
    });
    expect(trafficRange({ step: 'day' }, NOW, ZONE)).toMatchObject({
      fromDate: '2026-08-12',
      toDate: '2026-09-10',
    });
  });

  it('refuses a range longer than its step allows, and says which step fits', () => {
    expect(() =>
      trafficRange({ from: '2026-09-01', to: '2026-09-09', step: 'minute' }, NOW, ZONE),
    ).toThrow(
      'the range is 9 days; step=minute allows at most 7 days per request; ask for step=hour',
    );
    expect(() => trafficRange({ from: 'last week', step: 'day' }, NOW, ZONE)).toThrow(
      /from: "last week" is neither a date/,
    );
    expect(() =>
      trafficRange({ from: '2026-09-05', to: '2026-09-01', step: 'day' }, NOW, ZONE),
    ).toThrow(/must be before/);
  });
});

describe('cursors', () => {
  it('round-trip the last row key and refuse anything else', () => {
    expect(decodeCursor(encodeCursor(['CS101', 'L01']), 2)).toEqual(['CS101', 'L01']);
    expect(() => decodeCursor(encodeCursor(['2026-09-01']), 2)).toThrow(HistoryRequestError);
    expect(() => decodeCursor('not-a-cursor', 1)).toThrow(/not a cursor this API returned/);
  });
});
