import { describe, expect, it } from 'vitest';
import {
  checkSetting,
  looksLikeQuery,
  parseFlinkDuration,
  parseSet,
  previewLimits,
  trimStatement,
} from './statements.js';

const ceiling = { maxRows: 1000, timeoutMs: 60_000 };

describe('statements as the gateway reads them', () => {
  it('drops leading comments and trailing semicolons, and tells queries apart', () => {
    expect(trimStatement('  -- hi\n/* c */ SHOW TABLES ;; ')).toBe('SHOW TABLES');
    expect(looksLikeQuery('select 1;')).toBe(true);
    expect(looksLikeQuery('-- q\nWITH t AS (SELECT 1) SELECT * FROM t')).toBe(true);
    expect(looksLikeQuery('(SELECT 1) UNION (SELECT 2)')).toBe(true);
    expect(looksLikeQuery('VALUES (1)')).toBe(true);
    expect(looksLikeQuery('/*+ hint */ SELECT 1')).toBe(false);
    expect(looksLikeQuery('INSERT INTO t SELECT 1')).toBe(false);
    expect(looksLikeQuery('SHOW TABLES')).toBe(false);
    expect(looksLikeQuery('EXPLAIN SELECT 1')).toBe(false);
  });

  it('reads both SET forms', () => {
    expect(parseSet("SET 'sql-gateway.preview.max-rows' = '5';")).toEqual({
      key: 'sql-gateway.preview.max-rows',
      value: '5',
    });
    expect(parseSet('set parallelism.default=2')).toEqual({
      key: 'parallelism.default',
      value: '2',
    });
    expect(parseSet("SET 'a' = 'it''s'")).toEqual({ key: 'a', value: "it's" });
    expect(parseSet('SET')).toBeUndefined();
  });

  it('reads durations as Flink writes them', () => {
    expect(parseFlinkDuration('30 s')).toBe(30_000);
    expect(parseFlinkDuration('2 min')).toBe(120_000);
    expect(parseFlinkDuration('500ms')).toBe(500);
    expect(parseFlinkDuration('1500')).toBe(1500);
    expect(parseFlinkDuration('soon')).toBeUndefined();
  });

  it("takes a session's lower limits, and refuses more than the operator's ceiling with the key", () => {
    expect(previewLimits({}, ceiling)).toEqual(ceiling);
    expect(
      previewLimits(
        { 'sql-gateway.preview.max-rows': '10', 'sql-gateway.preview.timeout': '5 s' },
        ceiling,
      ),
    ).toEqual({ maxRows: 10, timeoutMs: 5000 });
    expect(() => checkSetting('sql-gateway.preview.max-rows', '5000', ceiling)).toThrow(
      /above the limit the operator set \(SQL_GATEWAY_PREVIEW_MAX_ROWS = 1000\)/,
    );
    expect(() => checkSetting('sql-gateway.preview.timeout', '2 h', ceiling)).toThrow(
      /SQL_GATEWAY_PREVIEW_TIMEOUT/,
    );
    expect(() => checkSetting('sql-gateway.preview.max-rows', 'many', ceiling)).toThrow(
      /positive number/,
    );
    expect(checkSetting('parallelism.default', '2', ceiling)).toBeUndefined();
  });
});
