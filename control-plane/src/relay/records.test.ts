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
    const change = decodeRecord({ name: 'pvuv', kind: 'window' }, null, json(window));
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
    expect(
      decodeRecord({ name: 'pvuv', kind: 'window' }, null, Buffer.from('{not json')),
    ).toMatchObject({
      ok: false,
    });
    expect(
      decodeRecord({ name: 'pvuv', kind: 'window' }, null, json({ ...window, pv: 'many' })),
    ).toMatchObject({
      ok: false,
    });
    expect(
      decodeRecord({ name: 'pvuv', kind: 'window' }, null, json({ ...window, window_end: 'soon' })),
    ).toMatchObject({ ok: false });
    expect(decodeRecord({ name: 'pvuv', kind: 'window' }, null, null)).toMatchObject({ ok: false });
  });

  const key = { course_id: 'CSC3100', section: 'L01', class_date: '2026-11-23' };
  const row = { ...key, present: 30, enrolled: 40, rate: 0.75 };

  it('upserts attendance rows by their Kafka key and deletes them on a tombstone', () => {
    expect(decodeRecord({ name: 'attendance', kind: 'table' }, json(key), json(row))).toEqual({
      ok: true,
      op: 'upsert',
      key: JSON.stringify(key),
      row,
    });
    expect(decodeRecord({ name: 'attendance', kind: 'table' }, json(key), null)).toEqual({
      ok: true,
      op: 'delete',
      key: JSON.stringify(key),
    });
  });

  it('refuses attendance records without a key or with a key of the wrong shape', () => {
    expect(decodeRecord({ name: 'attendance', kind: 'table' }, null, json(row))).toMatchObject({
      ok: false,
    });
    expect(
      decodeRecord({ name: 'attendance', kind: 'table' }, json({ course: 'x' }), json(row)),
    ).toMatchObject({
      ok: false,
    });
  });

  it('accepts any JSON object on a channel added by configuration', () => {
    expect(
      decodeRecord({ name: 'top_pages', kind: 'table' }, Buffer.from('/index'), json({ hits: 3 })),
    ).toEqual({
      ok: true,
      op: 'upsert',
      key: '/index',
      row: { hits: 3 },
    });
    expect(
      decodeRecord({ name: 'top_pages', kind: 'table' }, Buffer.from('/index'), json([1, 2])),
    ).toMatchObject({
      ok: false,
    });
  });

  it('reads a declared time column, keys append-only rows by it and their key columns', () => {
    const spec = {
      name: 'web_minute',
      kind: 'window' as const,
      timeColumn: 'minute',
      keyColumns: ['status_class'],
    };
    const change = decodeRecord(
      spec,
      null,
      json({ minute: '2026-11-23 06:10:00', status_class: '4xx', requests: 3 }),
    );
    const at = Date.UTC(2026, 10, 23, 6, 10);
    expect(change).toEqual({
      ok: true,
      op: 'upsert',
      key: `${at}/["4xx"]`,
      row: { minute: at, status_class: '4xx', requests: 3 },
      windowEnd: at,
    });
    expect(decodeRecord(spec, null, json({ requests: 3 }))).toMatchObject({ ok: false });
  });

  it('ages upsert rows by their time column when one is declared', () => {
    const change = decodeRecord(
      { name: 'web_top', kind: 'table', timeColumn: 'window_end' },
      Buffer.from('{"window_end":"x","rank":1}'),
      json({ window_end: '2026-11-23T06:10:00Z', rank: 1, path: '/', views: 9 }),
    );
    expect(change).toMatchObject({
      ok: true,
      op: 'upsert',
      windowEnd: Date.UTC(2026, 10, 23, 6, 10),
    });
  });
});
