/**
 * The attendance rule of jobs/sql/attendance.sql, computed directly in TypeScript from the same
 * inputs, so the integration test can compare every row the job writes with it. Written from the
 * rule's description (jobs/sql/README.md, "Attendance"), not from the SQL.
 */
import type { ClassRosterRecord, CourseScheduleRecord, TermCalendarRecord } from '@pulse/contracts';

export interface Association {
  /** As the controller wrote it: any case, any separators. */
  mac: string;
  ap: string;
  /** The instant, epoch ms (whole seconds). */
  ms: number;
  result: string;
}

export interface Settings {
  maxSilenceMinutes: number;
  minOverlapMinutes: number;
  graceMinutes: number;
}

export interface Row {
  unit: 'students' | 'devices';
  present: number;
  enrolled: number;
  rate: number | null;
  late: number;
  left_early: number;
  other_devices: number;
  over_capacity: boolean;
}

export interface Inputs {
  schedule: CourseScheduleRecord[];
  /** MAC (any spelling) → student id. */
  registry: Map<string, string>;
  rosters: ClassRosterRecord[];
  calendar: TermCalendarRecord[];
  associations: Association[];
}

const DAY_MS = 86_400_000;
const hex = (mac: string) => mac.toLowerCase().replace(/[^0-9a-f]/g, '');

/** Milliseconds to add to a UTC instant to read its wall-clock time in `tz`. */
function offsetAt(ms: number, tz: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const wall = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return wall - Math.floor(ms / 1000) * 1000;
}

/** The instant of local wall-clock `date time` in `tz`. */
export function zonedInstant(date: string, time: string, tz: string): number {
  const wall = Date.parse(`${date}T${time}Z`);
  const guess = wall - offsetAt(wall, tz);
  return wall - offsetAt(guess, tz);
}

/** The local calendar date of an instant in `tz`, 'yyyy-MM-dd'. */
export function localDate(ms: number, tz: string): string {
  return new Date(ms + offsetAt(ms, tz)).toISOString().slice(0, 10);
}

const isoWeekday = (date: string) => ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;

interface Interval {
  ap: string;
  start: number;
  end: number;
}

/** Each device's stays: from a successful association to its next one, or the silence limit. */
function intervals(associations: Association[], maxSilenceMs: number): Map<string, Interval[]> {
  const byDevice = new Map<string, Association[]>();
  for (const a of associations) {
    if (a.result !== 'Success') continue;
    const list = byDevice.get(hex(a.mac)) ?? [];
    list.push(a);
    byDevice.set(hex(a.mac), list);
  }
  const out = new Map<string, Interval[]>();
  for (const [mac, list] of byDevice) {
    list.sort((a, b) => a.ms - b.ms);
    out.set(
      mac,
      list.map((a, i) => {
        const next = list.slice(i + 1).find((b) => b.ms > a.ms);
        const silence = a.ms + maxSilenceMs;
        return { ap: a.ap, start: a.ms, end: next ? Math.min(next.ms, silence) : silence };
      }),
    );
  }
  return out;
}

/** Whether a date has classes: inside a term (when there are terms) and not a holiday. */
function classDay(date: string, calendar: TermCalendarRecord[]): boolean {
  const within = (kind: string) =>
    calendar.some((c) => c.kind === kind && c.first_date <= date && date <= c.last_date);
  const terms = calendar.some((c) => c.kind === 'term');
  return (!terms || within('term')) && !within('holiday');
}

interface Presence {
  late: boolean;
  leftEarly: boolean;
}

/** Rows keyed `course|section|date`, as the job's upsert topic should hold them. */
export function expectedAttendance(input: Inputs, settings: Settings): Map<string, Row> {
  const stays = intervals(input.associations, settings.maxSilenceMinutes * 60_000);
  const owner = new Map([...input.registry].map(([mac, student]) => [hex(mac), student]));
  const times = input.associations.map((a) => a.ms);
  const first = localDate(Math.min(...times), 'UTC');
  const days = Math.round(
    (Date.parse(localDate(Math.max(...times), 'UTC')) - Date.parse(first)) / DAY_MS,
  );
  const dates = Array.from({ length: days + 3 }, (_, i) =>
    new Date(Date.parse(first) + (i - 1) * DAY_MS).toISOString().slice(0, 10),
  );
  const rows = new Map<string, Row>();
  for (const s of input.schedule) {
    const roster = new Set(
      input.rosters
        .filter((r) => r.course_id === s.course_id && r.section === s.section)
        .map((r) => r.student_id),
    );
    const registered = [...roster].filter((st) => [...owner.values()].includes(st)).length;
    const students = roster.size > 0 && registered > 0;
    for (const date of dates) {
      if (isoWeekday(date) !== s.weekday || !classDay(date, input.calendar)) continue;
      const start = zonedInstant(date, s.start_time, s.timezone);
      const end = zonedInstant(date, s.end_time, s.timezone);
      const grace = settings.graceMinutes * 60_000;
      const present = new Map<string, Presence>();
      for (const [mac, list] of stays) {
        const inRoom = list.filter(
          (i) => s.aps.includes(i.ap) && Math.min(i.end, end) > Math.max(i.start, start),
        );
        const seconds = inRoom.reduce(
          (sum, i) => sum + Math.min(i.end, end) - Math.max(i.start, start),
          0,
        );
        if (inRoom.length === 0 || seconds < settings.minOverlapMinutes * 60_000) continue;
        present.set(mac, {
          late: Math.min(...inRoom.map((i) => i.start)) > start + grace,
          leftEarly: Math.max(...inRoom.map((i) => i.end)) < end - grace,
        });
      }
      if (present.size === 0) continue;
      const enrolled = roster.size > 0 ? roster.size : s.enrolled;
      let row: Omit<Row, 'rate' | 'over_capacity'>;
      if (students) {
        const attending = new Map<string, Presence[]>();
        let others = 0;
        for (const [mac, p] of present) {
          const student = owner.get(mac);
          if (student === undefined || !roster.has(student)) others++;
          else attending.set(student, [...(attending.get(student) ?? []), p]);
        }
        const all = [...attending.values()];
        row = {
          unit: 'students',
          present: all.length,
          enrolled,
          late: all.filter((ps) => ps.every((p) => p.late)).length,
          left_early: all.filter((ps) => ps.every((p) => p.leftEarly)).length,
          other_devices: others,
        };
      } else {
        const all = [...present.values()];
        row = {
          unit: 'devices',
          present: all.length,
          enrolled,
          late: all.filter((p) => p.late).length,
          left_early: all.filter((p) => p.leftEarly).length,
          other_devices: 0,
        };
      }
      rows.set(`${s.course_id}|${s.section}|${date}`, {
        ...row,
        rate: enrolled > 0 ? row.present / enrolled : null,
        over_capacity: row.unit === 'devices' && row.present > enrolled,
      });
    }
  }
  return rows;
}
