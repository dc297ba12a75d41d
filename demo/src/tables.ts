/**
 * The campus's optional tables for the demo: the device registry, the class rosters and the term
 * calendar, as records and as the CSV files a campus would keep, which the watcher publishes
 * (`registry-csv`, `roster-csv` and `calendar-csv` sources; see watcher/README.md for the formats).
 */
import {
  canonicalMac,
  type ClassRosterRecord,
  type DeviceRegistryRecord,
  type TermCalendarRecord,
} from '@pulse/contracts';
import type { Section } from './campus.js';
import { studentsOf } from './people.js';

export interface CampusTables {
  registry: DeviceRegistryRecord[];
  rosters: ClassRosterRecord[];
  calendar: TermCalendarRecord[];
}

const DAY_MS = 86_400_000;
const shift = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/**
 * The seeded campus's tables: every section's roster, every registered device, and a term around
 * `today` with a holiday a week before and a week after (a class on those dates has no row).
 */
export function campusTables(
  seed: number,
  sections: readonly Section[],
  today: string,
): CampusTables {
  const students = studentsOf(seed, sections);
  return {
    registry: students.flatMap((st) =>
      st.devices
        .filter((_, d) => st.registered[d])
        .map((mac) => ({ mac: canonicalMac(mac)!, student_id: st.id })),
    ),
    rosters: students.map((st) => ({
      course_id: sections[st.section]!.course_id,
      section: sections[st.section]!.section,
      student_id: st.id,
    })),
    calendar: [
      {
        kind: 'term',
        first_date: shift(today, -56),
        last_date: shift(today, 56),
        name: 'Demo term',
      },
      {
        kind: 'holiday',
        first_date: shift(today, -7),
        last_date: shift(today, -7),
        name: 'Demo holiday',
      },
      {
        kind: 'holiday',
        first_date: shift(today, 7),
        last_date: shift(today, 7),
        name: 'Demo holiday',
      },
    ],
  };
}

const csv = (header: string, rows: string[][]) =>
  [header, ...rows.map((r) => r.join(','))].join('\n') + '\n';

/** `mac,student_id` */
export const registryCsv = (t: CampusTables) =>
  csv(
    'mac,student_id',
    t.registry.map((r) => [r.mac, r.student_id]),
  );

/** `course_id,section,student_id` */
export const rostersCsv = (t: CampusTables) =>
  csv(
    'course_id,section,student_id',
    t.rosters.map((r) => [r.course_id, r.section, r.student_id]),
  );

/** `kind,first_date,last_date,name` */
export const calendarCsv = (t: CampusTables) =>
  csv(
    'kind,first_date,last_date,name',
    t.calendar.map((c) => [c.kind, c.first_date, c.last_date, c.name]),
  );
