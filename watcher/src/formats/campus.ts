/**
 * The campus's optional tables, as the CSV files it keeps (see `csv.ts` for the common rules):
 * the device registry `mac,student_id`, the class rosters `course_id,section,student_id` and the
 * term calendar `kind,first_date,last_date,name`. Keys and values are the records the attendance
 * job's upsert tables read (`jobs/sql/tables/`, `packages/contracts/src/records.ts`).
 */
import {
  canonicalMac,
  type ClassRosterRecord,
  type DeviceRegistryRecord,
  type TermCalendarRecord,
} from '@pulse/contracts';
import { parseCsvTable, type TableParse } from './csv.js';

export const REGISTRY_COLUMNS = ['mac', 'student_id'] as const;
export const ROSTER_COLUMNS = ['course_id', 'section', 'student_id'] as const;
export const CALENDAR_COLUMNS = ['kind', 'first_date', 'last_date', 'name'] as const;

/** The device registry: MACs in the same canonical form as the Wi-Fi records, keyed by it. */
export function parseRegistry(text: string): TableParse<DeviceRegistryRecord> {
  return parseCsvTable<(typeof REGISTRY_COLUMNS)[number], DeviceRegistryRecord>(
    text,
    REGISTRY_COLUMNS,
    (get) => {
      const mac = canonicalMac(get('mac'));
      if (!mac) return { error: `invalid mac "${get('mac')}"` };
      if (!get('student_id')) return { error: 'student_id is required' };
      return { key: JSON.stringify({ mac }), row: { mac, student_id: get('student_id') } };
    },
  );
}

/** The class rosters: one enrolment per row; the key is the whole record. */
export function parseRoster(text: string): TableParse<ClassRosterRecord> {
  return parseCsvTable<(typeof ROSTER_COLUMNS)[number], ClassRosterRecord>(
    text,
    ROSTER_COLUMNS,
    (get) => {
      const row = {
        course_id: get('course_id'),
        section: get('section'),
        student_id: get('student_id'),
      };
      if (!row.course_id || !row.section || !row.student_id)
        return { error: 'course_id, section and student_id are required' };
      return { key: JSON.stringify(row), row };
    },
  );
}

/** A real calendar date written yyyy-MM-dd (2026-02-30 is not one). */
function isDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** The term calendar: terms and holidays, campus-local dates, both ends inclusive. */
export function parseCalendar(text: string): TableParse<TermCalendarRecord> {
  return parseCsvTable<(typeof CALENDAR_COLUMNS)[number], TermCalendarRecord>(
    text,
    CALENDAR_COLUMNS,
    (get) => {
      const kind = get('kind').toLowerCase();
      const first = get('first_date');
      const last = get('last_date');
      if (kind !== 'term' && kind !== 'holiday')
        return { error: `kind "${get('kind')}" is not term or holiday` };
      if (!isDate(first) || !isDate(last))
        return { error: `first_date/last_date must be yyyy-MM-dd, got "${first}" and "${last}"` };
      if (last < first) return { error: `last_date (${last}) is before first_date (${first})` };
      return {
        key: JSON.stringify({ kind, first_date: first }),
        row: { kind, first_date: first, last_date: last, name: get('name') },
      };
    },
  );
}
