import { describe, expect, it } from 'vitest';
import { toCsv } from './csv.js';

describe('CSV', () => {
  it('quotes what needs quoting and leaves nulls empty', () => {
    const rows = [
      { course: 'CS101', note: 'a, "b"', rate: 0.5, flag: null },
      { course: 'MA2', note: 'line\nbreak', rate: 1, flag: true },
    ];
    expect(toCsv(['course', 'note', 'rate', 'flag'], rows)).toBe(
      'course,note,rate,flag\r\nCS101,"a, ""b""",0.5,\r\nMA2,"line\nbreak",1,true\r\n',
    );
  });
});
