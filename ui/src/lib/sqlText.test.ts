import { describe, expect, it } from 'vitest';
import {
  changesCatalog,
  columnsInScope,
  errorMessage,
  errorRange,
  offsetOf,
  parseErrorPosition,
  splitStatements,
  statementAt,
} from './sqlText.js';

describe('statements in the editor', () => {
  const doc =
    "SET 'a' = 'b;c';\n-- a comment; not a statement\nSELECT 1;\n\nSELECT `x;y` FROM t /* ; */";

  it('splits at the semicolons outside quotes and comments', () => {
    expect(splitStatements(doc).map((s) => s.text)).toEqual([
      "SET 'a' = 'b;c'",
      '-- a comment; not a statement\nSELECT 1',
      'SELECT `x;y` FROM t /* ; */',
    ]);
    for (const s of splitStatements(doc)) expect(doc.slice(s.from, s.to)).toBe(s.text);
  });

  it('picks the statement the cursor stands in or just after', () => {
    const second = doc.indexOf('SELECT 1');
    expect(statementAt(doc, second + 3)?.text).toContain('SELECT 1');
    expect(statementAt(doc, doc.indexOf('\n\n') + 1)?.text).toContain('SELECT 1');
    expect(statementAt(doc, doc.length)?.text).toBe('SELECT `x;y` FROM t /* ; */');
    expect(statementAt(doc, 0)?.text).toBe("SET 'a' = 'b;c'");
    expect(statementAt('  \n -- only a comment', 3)).toBeNull();
  });
});

describe("Flink's error positions", () => {
  it('reads the position from parse and validation messages', () => {
    expect(
      parseErrorPosition(
        'SQL parse failed. Encountered "FORM" at line 2, column 10.\nWas expecting one of: ...',
      ),
    ).toEqual({ line: 2, column: 10 });
    expect(
      parseErrorPosition(
        "SQL validation failed. From line 1, column 8 to line 1, column 14: Column 'nope_id' not found in any table",
      ),
    ).toEqual({ line: 1, column: 8, endLine: 1, endColumn: 14 });
    expect(parseErrorPosition("Object 'x' not found")).toBeNull();
  });

  it('marks the range Flink names, relative to the statement that ran', () => {
    const doc = 'SELECT 1;\nSELECT nope_id,\n  path FROM t';
    const from = doc.indexOf('SELECT nope');
    expect(offsetOf(doc, from, 1, 8)).toBe(doc.indexOf('nope_id'));
    expect(offsetOf(doc, from, 2, 3)).toBe(doc.indexOf('path'));
    expect(offsetOf(doc, from, 9, 1)).toBe(doc.length);
    const range = errorRange(doc, from, { line: 1, column: 8, endLine: 1, endColumn: 14 });
    expect(doc.slice(range.from, range.to)).toBe('nope_id');
    const word = errorRange(doc, from, { line: 2, column: 3 });
    expect(doc.slice(word.from, word.to)).toBe('path');
  });

  it("shows Flink's message without the Java around it", () => {
    const errors = [
      'Internal server error.',
      [
        '<Exception on server side:',
        'org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.',
        '\tat org.apache.flink.table.gateway.Foo.bar(Foo.java:12)',
        "Caused by: org.apache.flink.table.api.ValidationException: SQL validation failed. From line 1, column 8 to line 1, column 14: Column 'nope_id' not found in any table",
        '\t... 12 more',
        '>',
      ].join('\n'),
    ];
    expect(errorMessage(errors)).toBe(
      "SQL validation failed. From line 1, column 8 to line 1, column 14: Column 'nope_id' not found in any table",
    );
    expect(errorMessage(["Object 'x' not found"])).toBe("Object 'x' not found");
  });
});

it('knows which statements change the tables', () => {
  expect(changesCatalog('CREATE TABLE t (a INT)')).toBe(true);
  expect(changesCatalog('-- x\n  drop view v')).toBe(true);
  expect(changesCatalog('SELECT 1')).toBe(false);
  expect(changesCatalog('SHOW TABLES')).toBe(false);
});

it('offers the columns of the tables a statement names', () => {
  const tables = [
    {
      name: 'access_log',
      columns: [
        { name: 'path', type: 'STRING' },
        { name: 'status', type: 'INT' },
      ],
    },
    {
      name: 'clicks',
      columns: [
        { name: 'path', type: 'STRING' },
        { name: 'at', type: 'TIMESTAMP(3)' },
      ],
    },
    { name: 'wifi_log', columns: [{ name: 'mac', type: 'STRING' }] },
  ];
  expect(columnsInScope('SELECT pa FROM ACCESS_LOG a JOIN clicks c ON', tables)).toEqual([
    { label: 'path', detail: 'STRING · access_log' },
    { label: 'status', detail: 'INT · access_log' },
    { label: 'at', detail: 'TIMESTAMP(3) · clicks' },
  ]);
  expect(columnsInScope('SELECT 1', tables)).toEqual([]);
});
