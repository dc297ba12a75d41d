import { describe, expect, it } from 'vitest';
import { decodeRecord, parseUtcTimestamp } from './records.js';

const json = (v: unknown) => Buffer.from(JSON.stringify(v));

describe('parseUtcTimestamp', () => {
  it('reads Flink SQL timestamps without a zone as UTC, with or without milliseconds', () => {
    expect(parseUtcTimestamp('2026-11-23 06:10:00')).toBe(Date.UTC(2026, 10, 23, 6, 10, 0));
    expect(parseUtcTimestamp('2026-11-23 06:10:00.250')).toBe(
      Date.UTC(2026, 10, 23, 6, 10, 0, 250),
    );
    expect(parseUtcTimestamp('2026-11-23T06:10:00.123456')).toBe(
      Date.UTC(2026, 10, 23, 6, 10, 0, 123),
    );
  });

  it('honours an explicit zone and refuses what is not a timestamp', () => {
    expect(parseUtcTimestamp('2026-11-23T06:10:00Z')).toBe(Date.UTC(2026, 10, 23, 6, 10, 0));
    expect(parseUtcTimestamp('2026-11-23T14:10:00+08:00')).toBe(Date.UTC(2026, 10, 23, 6, 10, 0));
    expect(parseUtcTimestamp('yesterday')).toBeNaN();
    expect(parseUtcTimestamp('2026-11-23')).toBeNaN();
  });
});

describe('decodeRecord', () => {
  const window = {
    window_start: '2026-11-23 06:09:00',
    window_end: '2026-11-23T06:10:00Z',
    pv: 12,
    uv: 5,
  };

  it('turns a pvuv record into a row keyed by its window with epoch-ms bounds', () => {
    const change = decodeRecord('pvuv', 'window', null, json(window));
    expect(change).toEqual({
      ok: true,
      op: 'upsert',
      key: `${Date.UTC(2026, 10, 23, 6, 9)}/${Date.UTC(2026, 10, 23, 6, 10)}`,
      row: {
        window_start: Date.UTC(2026, 10, 23, 6, 9),
        window_end: Date.UTC(2026, 10, 23, 6, 10),
        pv: 12,
        uv: 5,
      },
      windowEnd: Date.UTC(2026, 10, 23, 6, 10),
    });
  });

  it('refuses pvuv records that are not JSON, lack counts or carry bad timestamps', () => {
    expect(decodeRecord('pvuv', 'window', null, Buffer.from('{not json'))).toMatchObject({
      ok: false,
    });
    expect(decodeRecord('pvuv', 'window', null, json({ ...window, pv: 'many' }))).toMatchObject({
      ok: false,
    });
    expect(
      decodeRecord('pvuv', 'window', null, json({ ...window, window_end: 'soon' })),
    ).toMatchObject({ ok: false });
    expect(decodeRecord('pvuv', 'window', null, null)).toMatchObject({ ok: false });
  });

  const key = { course_id: 'CSC3100', section: 'L01', class_date: '2026-11-23' };
  const row = { ...key, present: 30, enrolled: 40, rate: 0.75 };

  it('upserts attendance rows by their Kafka key and deletes them on a tombstone', () => {
    expect(decodeRecord('attendance', 'table', json(key), json(row))).toEqual({
      ok: true,
      op: 'upsert',
      key: JSON.stringify(key),
      row,
    });
    expect(decodeRecord('attendance', 'table', json(key), null)).toEqual({
      ok: true,
      op: 'delete',
      key: JSON.stringify(key),
    });
  });

  it('refuses attendance records without a key or with a key of the wrong shape', () => {
    expect(decodeRecord('attendance', 'table', null, json(row))).toMatchObject({ ok: false });
    expect(decodeRecord('attendance', 'table', json({ course: 'x' }), json(row))).toMatchObject({
      ok: false,
    });
  });

  it('accepts any JSON object on a channel added by configuration', () => {
    expect(decodeRecord('top_pages', 'table', Buffer.from('/index'), json({ hits: 3 }))).toEqual({
      ok: true,
      op: 'upsert',
      key: '/index',
      row: { hits: 3 },
    });
    expect(decodeRecord('top_pages', 'table', Buffer.from('/index'), json([1, 2]))).toMatchObject({
      ok: false,
    });
  });
});
