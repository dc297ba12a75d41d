/** Which attendance rows the dashboard shows, and how the table sorts them. */
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

export type SortKey = 'course' | 'section' | 'present' | 'rate';

/** Sorts a copy of the rows by one column; ties fall back to course and section. */
export function sortRows(
  rows: AttendanceRow[],
  key: SortKey,
  descending: boolean,
): AttendanceRow[] {
  const value = (r: AttendanceRow): string | number =>
    key === 'course'
      ? r.course_id
      : key === 'section'
        ? String(r.section)
        : key === 'present'
          ? r.present
          : (r.rate ?? -1);
  const sign = descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    const primary =
      typeof va === 'number' && typeof vb === 'number'
        ? va - vb
        : String(va).localeCompare(String(vb), undefined, { numeric: true });
    return sign * primary || byCourse(a, b);
  });
}

/** The label of a course section on axes and in the table. */
export const sectionLabel = (r: AttendanceRow) => `${r.course_id} ${r.section}`;
