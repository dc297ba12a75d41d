import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { daysBefore, useHistoryStore } from './history.js';

const row = (course_id: string, section: string, class_date: string, rate: number) => ({
  course_id,
  section,
  class_date,
  unit: 'students',
  present: Math.round(rate * 40),
  enrolled: 40,
  rate,
  late: 0,
  left_early: 0,
  other_devices: 0,
  over_capacity: false,
});

const INFO = {
  campusTimeZone: 'Asia/Shanghai',
  campusToday: '2026-09-10',
  minuteRetentionDays: 30,
  maxRangeDays: { attendance: 366, minute: 7, hour: 92, day: 1096 },
  attendanceDates: { first: '2026-09-01', last: '2026-09-10' },
};

let urls: string[];
/** Answers by URL; a promise lets a test decide when an answer arrives. */
let answer: (url: string) => unknown | Promise<unknown>;

beforeEach(() => {
  urls = [];
  setActivePinia(createPinia());
  vi.stubGlobal('fetch', async (url: string) => {
    urls.push(url);
    const body = await answer(url);
    return new Response(JSON.stringify(body), { status: 200 });
  });
});
afterEach(() => vi.unstubAllGlobals());

describe('history store', () => {
  it("opens on today's campus date and reads every page of it", async () => {
    answer = (url) =>
      url === '/api/history'
        ? INFO
        : url.startsWith('/api/history/traffic')
          ? { step: 'hour', from: '', to: '', rows: [], next: null }
          : url.includes('cursor=p2')
            ? { rows: [row('MA2', 'L01', '2026-09-10', 0.5)], next: null }
            : { rows: [row('CS1', 'L01', '2026-09-10', 0.9)], next: 'p2' };
    const history = useHistoryStore();
    await history.start();
    expect(history.date).toBe('2026-09-10');
    expect(history.dayRows.map((r) => r.course_id)).toEqual(['CS1', 'MA2']);
    expect(urls).toContain('/api/history/attendance/2026-09-10?cursor=p2');
  });

  it('keeps the date the viewer picked last, whichever answer comes back first', async () => {
    let releaseOld!: () => void;
    const old = new Promise<void>((r) => (releaseOld = r));
    answer = async (url) => {
      if (url.endsWith('2026-09-01')) {
        await old;
        return { rows: [row('OLD', 'L01', '2026-09-01', 0.1)], next: null };
      }
      return { rows: [row('NEW', 'L01', '2026-09-02', 0.8)], next: null };
    };
    const history = useHistoryStore();
    const first = history.pickDate('2026-09-01');
    await history.pickDate('2026-09-02');
    releaseOld();
    await first;
    expect(history.date).toBe('2026-09-02');
    expect(history.dayRows.map((r) => r.course_id)).toEqual(['NEW']);
  });

  it("reads a section's trend over the term up to the picked date, not before the first date held", async () => {
    answer = (url) =>
      url === '/api/history'
        ? INFO
        : {
            step: 'hour',
            from: '',
            to: '',
            rows: [row('CS1', 'L01', '2026-09-10', 0.9)],
            next: null,
          };
    const history = useHistoryStore();
    await history.start();
    await history.pickSection('CS1', 'L01');
    expect(urls.at(-1)).toBe(
      '/api/history/attendance?course=CS1&section=L01&from=2026-09-01&to=2026-09-10',
    );
    expect(history.trendRows).toHaveLength(1);
    expect(daysBefore('2026-09-10', 179)).toBe('2026-03-15');
  });
});
