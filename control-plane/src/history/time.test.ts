import { describe, expect, it } from 'vitest';
import {
  addDays,
  campusDate,
  campusMidnight,
  daysBetween,
  isCalendarDate,
  parseInstant,
} from './time.js';

describe('campus time', () => {
  it('accepts real calendar dates only', () => {
    expect(isCalendarDate('2026-09-02')).toBe(true);
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2026-13-01')).toBe(false);
    expect(isCalendarDate('2026-9-2')).toBe(false);
  });

  it('reads instants only with their offset', () => {
    expect(parseInstant('2026-09-02T08:00:00+08:00')).toBe(Date.UTC(2026, 8, 2, 0, 0, 0));
    expect(parseInstant('2026-09-02T00:00Z')).toBe(Date.UTC(2026, 8, 2));
    expect(parseInstant('2026-09-02T08:00:00')).toBeUndefined();
    expect(parseInstant('yesterday')).toBeUndefined();
  });

  it('steps over months and years by days', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(daysBetween('2026-09-01', '2026-12-21')).toBe(111);
  });

  it('gives the campus date of an instant, not the UTC one', () => {
    // 17:30 UTC on 1 September is 01:30 on 2 September in Shanghai.
    expect(campusDate(Date.UTC(2026, 8, 1, 17, 30), 'Asia/Shanghai')).toBe('2026-09-02');
    expect(campusDate(Date.UTC(2026, 8, 1, 15, 59), 'Asia/Shanghai')).toBe('2026-09-01');
  });

  it('finds campus midnight, also on daylight-saving days', () => {
    expect(campusMidnight('2026-09-02', 'Asia/Shanghai')).toBe(Date.UTC(2026, 8, 1, 16));
    // New York: EDT (-4) before 1 November 2026, EST (-5) from 2:00 that night.
    expect(campusMidnight('2026-11-01', 'America/New_York')).toBe(Date.UTC(2026, 10, 1, 4));
    expect(campusMidnight('2026-11-02', 'America/New_York')).toBe(Date.UTC(2026, 10, 2, 5));
    expect(campusMidnight('2026-03-08', 'America/New_York')).toBe(Date.UTC(2026, 2, 8, 5));
    expect(campusMidnight('2026-03-09', 'America/New_York')).toBe(Date.UTC(2026, 2, 9, 4));
  });
});
