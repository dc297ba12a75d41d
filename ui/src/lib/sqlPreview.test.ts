import { describe, expect, it } from 'vitest';
import type { RowData } from '../api/sqlGateway.js';
import {
  applyChangelog,
  emptyTable,
  endReason,
  formatField,
  limitsFrom,
  parseDuration,
  pollDelay,
} from './sqlPreview.js';

const rows = (t: ReturnType<typeof emptyTable>) => t.rows.map((r) => r.fields);

describe('applyChangelog', () => {
  it('keeps a GROUP BY result: each count update replaces its row in place', () => {
    const log: RowData[] = [
      { kind: 'INSERT', fields: ['/a', 1] },
      { kind: 'INSERT', fields: ['/b', 1] },
      { kind: 'UPDATE_BEFORE', fields: ['/a', 1] },
      { kind: 'UPDATE_AFTER', fields: ['/a', 2] },
      { kind: 'INSERT', fields: ['/c', 1] },
    ];
    const table = applyChangelog(emptyTable(), log);
    expect(rows(table)).toEqual([
      ['/a', 2],
      ['/b', 1],
      ['/c', 1],
    ]);
    expect(table.records).toBe(5);
  });

  it('gives the same table whichever way the records are cut into pages', () => {
    const log: RowData[] = [
      { kind: 'INSERT', fields: ['x', 1] },
      { kind: 'INSERT', fields: ['y', 1] },
      { kind: 'UPDATE_BEFORE', fields: ['x', 1] },
      { kind: 'UPDATE_AFTER', fields: ['x', 2] },
      { kind: 'DELETE', fields: ['y', 1] },
      { kind: 'UPDATE_BEFORE', fields: ['x', 2] },
      { kind: 'UPDATE_AFTER', fields: ['x', 3] },
    ];
    const whole = applyChangelog(emptyTable(), log);
    for (let cut = 0; cut <= log.length; cut++) {
      const paged = applyChangelog(applyChangelog(emptyTable(), log.slice(0, cut)), log.slice(cut));
      expect(rows(paged)).toEqual(rows(whole));
    }
    expect(rows(whole)).toEqual([['x', 3]]);
  });

  it('removes one of two equal rows on DELETE, and compares nested values by content', () => {
    const table = applyChangelog(emptyTable(), [
      { kind: 'INSERT', fields: [{ k: [1, 2] }, null] },
      { kind: 'INSERT', fields: [{ k: [1, 2] }, null] },
      { kind: 'DELETE', fields: [{ k: [1, 2] }, null] },
    ]);
    expect(rows(table)).toEqual([[{ k: [1, 2] }, null]]);
  });

  it('leaves the given table untouched and keeps row ids stable', () => {
    const first = applyChangelog(emptyTable(), [{ kind: 'INSERT', fields: [1] }]);
    const second = applyChangelog(first, [{ kind: 'INSERT', fields: [2] }]);
    expect(first.rows).toHaveLength(1);
    expect(second.rows.map((r) => r.id)).toEqual([0, 1]);
  });

  it('appends an UPDATE_AFTER whose UPDATE_BEFORE matched nothing', () => {
    const table = applyChangelog(emptyTable(), [
      { kind: 'INSERT', fields: ['a'] },
      { kind: 'UPDATE_BEFORE', fields: ['zzz'] },
      { kind: 'UPDATE_AFTER', fields: ['b'] },
    ]);
    expect(rows(table)).toEqual([['a'], ['b']]);
  });
});

describe('paging', () => {
  it('asks at once after rows, and backs off up to a second while nothing comes', () => {
    const page = (resultType: 'NOT_READY' | 'PAYLOAD', n: number) => ({
      resultType,
      results: { data: Array.from({ length: n }, () => ({ kind: 'INSERT' as const, fields: [] })) },
    });
    expect(pollDelay(page('PAYLOAD', 3), 800)).toBe(0);
    expect(pollDelay(page('NOT_READY', 0), 0)).toBe(200);
    expect(pollDelay(page('PAYLOAD', 0), 200)).toBe(400);
    expect(pollDelay(page('NOT_READY', 0), 800)).toBe(1000);
    expect(pollDelay(page('NOT_READY', 0), 1000)).toBe(1000);
  });
});

describe('why a preview ended', () => {
  it('reads the limits from the session, in Flink duration syntax', () => {
    expect(
      limitsFrom({ 'sql-gateway.preview.max-rows': '100', 'sql-gateway.preview.timeout': '2 min' }),
    ).toEqual({
      maxRows: 100,
      maxMs: 120_000,
    });
    expect(limitsFrom({})).toEqual({ maxRows: null, maxMs: null });
    expect(parseDuration('600000 ms')).toBe(600_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30 s')).toBe(30_000);
    expect(parseDuration('60000')).toBe(60_000);
    expect(parseDuration('soon')).toBeNull();
  });

  it('says row limit, time limit or finished', () => {
    const limits = { maxRows: 100, maxMs: 60_000 };
    expect(endReason(100, 5_000, limits)).toBe('rowLimit');
    expect(endReason(40, 60_200, limits)).toBe('timeLimit');
    expect(endReason(3, 2_000, limits)).toBe('finished');
    expect(endReason(1000, 1e9, { maxRows: null, maxMs: null })).toBe('finished');
  });
});

it('formats fields as the table shows them', () => {
  expect(formatField(null)).toBe('NULL');
  expect(formatField(42)).toBe('42');
  expect(formatField('x')).toBe('x');
  expect(formatField({ a: 1 })).toBe('{"a":1}');
});
