import { describe, expect, it } from 'vitest';
import type { AttendanceRow } from '@pulse/contracts';
import { attendanceBars, classesToShow, rateAxisMax, sortRows, unitOf } from './attendance.js';

const row = (
  course_id: string,
  section: string,
  class_date: string,
  present: number,
  enrolled = 40,
  extra: Partial<AttendanceRow> = {},
): AttendanceRow => ({
  course_id,
  section,
  class_date,
  unit: 'students',
  present,
  enrolled,
  rate: present / enrolled,
  late: 0,
  left_early: 0,
  other_devices: 0,
  over_capacity: false,
  ...extra,
});

describe('attendance selection', () => {
  const rows = [
    row('MAT2040', 'L01', '2026-11-22', 30),
    row('CSC1001', 'L02', '2026-11-23', 20, 40, { late: 4 }),
    row('CSC1001', 'L01', '2026-11-23', 35, 40, { late: 1 }),
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

  it('sorts by rate, present count or late arrivals, and by course on ties', () => {
    const today = classesToShow(rows, '2026-11-23').rows.concat(
      row('BIO1001', 'L01', '2026-11-23', 20),
    );
    expect(sortRows(today, 'rate', true).map((r) => `${r.course_id} ${r.section}`)).toEqual([
      'CSC1001 L01',
      'BIO1001 L01',
      'CSC1001 L02',
    ]);
    expect(sortRows(today, 'present', false).map((r) => r.present)).toEqual([20, 20, 35]);
    expect(sortRows(today, 'late', true).map((r) => r.late)).toEqual([4, 1, 0]);
  });

  it('reads rows an older job wrote (no unit) as counting devices', () => {
    const old = {
      course_id: 'X',
      section: 'L01',
      class_date: '2026-11-23',
      present: 3,
      enrolled: 4,
      rate: 0.75,
    };
    expect(unitOf(old)).toBe('devices');
  });
});

describe('attendance bars', () => {
  it('draw the same rows, in the same order, at exactly the rates the table shows', () => {
    const rows = [
      row('CSC1001', 'L01', '2026-11-23', 36, 40),
      row('MAT2040', 'L02', '2026-11-23', 45, 40, {
        unit: 'devices',
        rate: 45 / 40,
        over_capacity: true,
      }),
      row('STA2001', 'L01', '2026-11-23', 12, 40),
    ];
    const bars = attendanceBars(rows, 0.6);
    expect(bars.map((b) => b.label)).toEqual(['CSC1001 L01', 'MAT2040 L02', 'STA2001 L01']);
    expect(bars.map((b) => b.rate)).toEqual(rows.map((r) => r.rate));
    expect(bars.map((b) => b.kind)).toEqual(['ok', 'over', 'low']);
    // Over capacity is not cut at 100 %: the axis reaches the highest bar.
    expect(rateAxisMax(bars)).toBe(1.2);
    expect(rateAxisMax(bars.filter((b) => b.kind !== 'over'))).toBe(1);
  });
});
