/** Which attendance rows the dashboard shows, how the table sorts them and how the bars draw them. */
import type { AttendanceRow } from '@pulse/contracts';

/**
 * Today's classes (the viewer's date); when none are recorded today, the most recent date that
 * has any, so a replay of past logs still shows something meaningful. Sorted by course, section.
 */
export function classesToShow(
  rows: AttendanceRow[],
  today: string,
): { date: string | null; rows: AttendanceRow[] } {
  if (rows.length === 0) return { date: null, rows: [] };
  const dates = new Set(rows.map((r) => r.class_date));
  const date = dates.has(today) ? today : ([...dates].sort().at(-1) ?? null);
  return { date, rows: rows.filter((r) => r.class_date === date).sort(byCourse) };
}

function byCourse(a: AttendanceRow, b: AttendanceRow): number {
  return (
    a.course_id.localeCompare(b.course_id) ||
    String(a.section).localeCompare(String(b.section), undefined, { numeric: true })
  );
}

/**
 * What a row counts: enrolled students (the job had a registry and a roster for the section), or
 * devices. Rows an older job wrote have no unit: they counted devices.
 */
export const unitOf = (r: AttendanceRow): 'students' | 'devices' => r.unit ?? 'devices';

/** More devices than enrolled students: a flag to show, never a bar to clip at 100 %. */
export const overCapacity = (r: AttendanceRow): boolean =>
  r.over_capacity ?? (unitOf(r) === 'devices' && r.present > r.enrolled);

export type SortKey = 'course' | 'section' | 'present' | 'rate' | 'late' | 'left_early' | 'other';

const NUMBER_OF: Record<Exclude<SortKey, 'course' | 'section'>, (r: AttendanceRow) => number> = {
  present: (r) => r.present,
  rate: (r) => r.rate ?? -1,
  late: (r) => r.late ?? -1,
  left_early: (r) => r.left_early ?? -1,
  other: (r) => r.other_devices ?? -1,
};

/** Sorts a copy of the rows by one column; ties fall back to course and section. */
export function sortRows(
  rows: AttendanceRow[],
  key: SortKey,
  descending: boolean,
): AttendanceRow[] {
  const sign = descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const primary =
      key === 'course'
        ? a.course_id.localeCompare(b.course_id)
        : key === 'section'
          ? String(a.section).localeCompare(String(b.section), undefined, { numeric: true })
          : NUMBER_OF[key](a) - NUMBER_OF[key](b);
    return sign * primary || byCourse(a, b);
  });
}

/** The label of a course section on axes and in the table. */
export const sectionLabel = (r: AttendanceRow) => `${r.course_id} ${r.section}`;

export type BarKind = 'ok' | 'low' | 'over';

/** One bar per row, in the rows' order, with exactly the table's rate (unclipped). */
export interface Bar {
  label: string;
  rate: number;
  kind: BarKind;
}

/** The bars of the rows the table lists: same rows, same order, same rates. */
export function attendanceBars(rows: AttendanceRow[], threshold: number): Bar[] {
  return rows.map((r) => ({
    label: sectionLabel(r),
    rate: r.rate ?? 0,
    kind: overCapacity(r) ? 'over' : (r.rate ?? 0) < threshold ? 'low' : 'ok',
  }));
}

/** The rate axis: 0-100 %, or up to the highest over-capacity rate so no bar is cut off. */
export const rateAxisMax = (bars: Bar[]) =>
  Math.max(1, Math.ceil(Math.max(0, ...bars.map((b) => b.rate)) * 10) / 10);
