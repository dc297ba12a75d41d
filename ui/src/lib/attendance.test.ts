import { describe, expect, it } from 'vitest';
import type { AttendanceRow } from '@pulse/contracts';
import { classesToShow, sortRows } from './attendance.js';

const row = (
  course_id: string,
  section: string,
  class_date: string,
  present: number,
  enrolled = 40,
): AttendanceRow => ({
  course_id,
  section,
  class_date,
  present,
  enrolled,
  rate: present / enrolled,
});

describe('attendance selection', () => {
  const rows = [
    row('MAT2040', 'L01', '2026-11-22', 30),
    row('CSC1001', 'L02', '2026-11-23', 20),
    row('CSC1001', 'L01', '2026-11-23', 35),
  ];

  it("shows today's classes, ordered by course and section", () => {
    expect(classesToShow(rows, '2026-11-23')).toEqual({
      date: '2026-11-23',
      rows: [rows[2], rows[1]],
    });
  });

  it('falls back to the latest date that has classes when today has none', () => {
    expect(classesToShow(rows, '2026-12-01').date).toBe('2026-11-23');
    expect(classesToShow([], '2026-12-01')).toEqual({ date: null, rows: [] });
  });

  it('sorts by rate or by present count, and by course on ties', () => {
    const today = classesToShow(rows, '2026-11-23').rows.concat(
      row('BIO1001', 'L01', '2026-11-23', 20),
    );
    expect(sortRows(today, 'rate', true).map((r) => `${r.course_id} ${r.section}`)).toEqual([
      'CSC1001 L01',
      'BIO1001 L01',
      'CSC1001 L02',
    ]);
    expect(sortRows(today, 'present', false).map((r) => r.present)).toEqual([20, 20, 35]);
  });
});
