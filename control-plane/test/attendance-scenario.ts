/**
 * A generated campus fortnight for the attendance proof: every case the rule must get right, on
 * Monday 2 March 2026 and around it (campus time Asia/Shanghai, one section on Berlin time).
 */
import type { ClassRosterRecord, CourseScheduleRecord, TermCalendarRecord } from '@pulse/contracts';
import { zonedInstant, type Association } from './attendance-rule.js';

const CAMPUS_TZ = 'Asia/Shanghai';
const MONDAY = '2026-03-02';
const TUESDAY = '2026-03-03';
/** A Monday the calendar makes a holiday, and a Monday after the term. */
const HOLIDAY = '2026-03-09';
const AFTER_TERM = '2026-03-16';

function section(
  course_id: string,
  room: string,
  aps: string[],
  weekday: number,
  start: string,
  end: string,
  enrolled: number,
  timezone = CAMPUS_TZ,
): CourseScheduleRecord {
  return {
    course_id,
    section: 'L01',
    room,
    aps,
    aps_csv: aps.join(','),
    weekday,
    start_time: `${start}:00`,
    end_time: `${end}:00`,
    enrolled,
    timezone,
  };
}

const TA101 = ['TA-1F-01', 'TA-1F-02'];
export const SCHEDULE: CourseScheduleRecord[] = [
  // Registry and roster: unit students.
  section('CSC1001', 'TA-101', TA101, 1, '09:00', '10:50', 60),
  // No roster: unit devices, more devices than the schedule's enrolment.
  section('MAT2040', 'TB-105', ['TB-1F-05'], 1, '10:30', '12:20', 5),
  // The same room as CSC1001 on Tuesdays, with its own roster.
  section('ECO2011', 'TA-101', TA101, 2, '09:00', '10:50', 40),
  // Its times are Berlin wall-clock times (14:00 CET is 21:00 on campus).
  section('PHY1001', 'TC-G01', ['TC-GF-01'], 1, '14:00', '15:50', 30, 'Europe/Berlin'),
  // A roster whose students have no registered device: unit devices over the roster's size.
  section('BIO1008', 'TB-105', ['TB-1F-05'], 2, '14:00', '15:50', 70),
];

export const CALENDAR: TermCalendarRecord[] = [
  { kind: 'term', first_date: '2026-02-23', last_date: '2026-03-13', name: 'Spring 2026' },
  { kind: 'holiday', first_date: HOLIDAY, last_date: HOLIDAY, name: 'Campus day' },
];

/** Device `n` written the way the Wi-Fi controller writes MACs. */
const mac = (n: number) =>
  `02-00-00-00-${String(Math.floor(n / 256) % 256).padStart(2, '0')}-${(n % 256).toString(16).padStart(2, '0')}`;

const D = {
  s01phone: mac(1),
  s01laptop: mac(2),
  ...Object.fromEntries(
    Array.from({ length: 12 }, (_, i) => [`s${String(i + 2).padStart(2, '0')}`, mac(10 + i)]),
  ),
  ...Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`t0${i + 1}`, mac(40 + i)])),
  ...Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`v${i + 1}`, mac(60 + i)])),
  ...Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`w${i + 1}`, mac(80 + i)])),
  ...Object.fromEntries(Array.from({ length: 3 }, (_, i) => [`x${i + 1}`, mac(90 + i)])),
  unregistered: mac(100),
  passer: mac(101),
} as Record<string, string>;

const upperColons = (m: string) => m.toUpperCase().replace(/-/g, ':');
const ciscoDots = (m: string) => m.replace(/-/g, '').replace(/(.{4})(?=.)/g, '$1.');

/** MAC → student. s06's MAC is registered upper-case with colons; the log writes it with dashes. */
export const REGISTRY = new Map<string, string>([
  [D.s01phone!, 's01'],
  [D.s01laptop!, 's01'],
  ...Array.from({ length: 12 }, (_, i) => {
    const student = `s${String(i + 2).padStart(2, '0')}`;
    const m = D[student]!;
    return [student === 's06' ? upperColons(m) : m, student] as [string, string];
  }),
  ...Array.from({ length: 8 }, (_, i) => [D[`t0${i + 1}`]!, `t0${i + 1}`] as [string, string]),
]);

const roster = (course_id: string, students: string[]): ClassRosterRecord[] =>
  students.map((student_id) => ({ course_id, section: 'L01', student_id }));
const S = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `s${String(from + i).padStart(2, '0')}`);

/** Rosters before the change: CSC1001 has s01-s12. */
export const ROSTERS: ClassRosterRecord[] = [
  ...roster('CSC1001', S(1, 12)),
  ...roster('ECO2011', ['t01', 't02', 't03', 't04', 't05', 't06', 't07', 't08']),
  ...roster('BIO1008', ['r01', 'r02', 'r03', 'r04']),
];
/** Mid-class, s11 (present) drops CSC1001 and s13 (present) joins it. */
export const ROSTER_DROPPED = roster('CSC1001', ['s11']);
export const ROSTER_ADDED = roster('CSC1001', ['s13']);

const assoc = (
  device: string,
  date: string,
  time: string,
  ap: string,
  options: { tz?: string; written?: (m: string) => string; result?: string } = {},
): Association => ({
  mac: (options.written ?? ((m: string) => m))(D[device]!),
  ap,
  ms: zonedInstant(date, time.length === 5 ? `${time}:00` : time, options.tz ?? CAMPUS_TZ),
  result: options.result ?? 'Success',
});

/** Every association of the fortnight, in time order. */
export const ASSOCIATIONS: Association[] = [
  // CSC1001, Monday 09:00-10:50 in TA-101.
  assoc('s01phone', MONDAY, '08:58', 'TA-1F-01'), // two devices of one student
  assoc('s01phone', MONDAY, '09:40', 'TA-1F-02'), // roams within the room
  assoc('s01phone', MONDAY, '10:52', 'TA-1F-HALL'),
  assoc('s01laptop', MONDAY, '09:05', 'TA-1F-02'),
  assoc('s02', MONDAY, '08:55', 'TA-1F-01'), // connected before class, then silent
  assoc('s03', MONDAY, '09:01', 'TA-1F-01'),
  assoc('s03', MONDAY, '09:31', 'TA-1F-01'),
  assoc('s03', MONDAY, '10:20', 'TA-1F-02'),
  assoc('s03', MONDAY, '10:49', 'TA-1F-HALL'),
  assoc('s04', MONDAY, '08:50', 'TB-1F-05'), // in another room first, roams in mid-class
  assoc('s04', MONDAY, '09:40', 'TA-1F-01'),
  assoc('s04', MONDAY, '10:51', 'TA-1F-HALL'),
  assoc('s05', MONDAY, '09:02', 'TA-1F-02'), // leaves early
  assoc('s05', MONDAY, '10:00', 'TA-1F-HALL'),
  assoc('s06', MONDAY, '09:03', 'TA-1F-01'), // registered as upper-case with colons
  assoc('s06', MONDAY, '10:45', 'TA-1F-02'),
  assoc('s06', MONDAY, '10:53', 'TA-1F-HALL'),
  assoc('s07', MONDAY, '09:15', 'TA-1F-01', { written: ciscoDots }), // late, MAC in dotted form
  assoc('s08', MONDAY, '09:20', 'TA-1F-01', { result: 'Fail' }), // never associated
  assoc('s09', MONDAY, '09:00:30', 'TA-1F-01'), // 7.5 minutes, out, then 5 more at the end
  assoc('s09', MONDAY, '09:08', 'TA-1F-HALL'),
  assoc('s09', MONDAY, '10:45', 'TA-1F-02'),
  assoc('s11', MONDAY, '09:04', 'TA-1F-02'),
  assoc('s12', MONDAY, '09:30', 'TA-1F-02'), // a one-minute pass-by
  assoc('s12', MONDAY, '09:31', 'TA-1F-HALL'),
  assoc('s13', MONDAY, '09:06', 'TA-1F-01'), // registered, enrolled only after the change
  assoc('t01', MONDAY, '09:10', 'TA-1F-01'), // enrolled elsewhere, sitting in
  assoc('unregistered', MONDAY, '08:59', 'TA-1F-02'),
  assoc('unregistered', MONDAY, '10:30', 'TA-1F-02'),
  assoc('passer', MONDAY, '10:00', 'TA-1F-01'),
  assoc('passer', MONDAY, '10:01', 'TB-2F-HALL'),
  // MAT2040, Monday 10:30-12:20 in TB-105: six devices for five enrolled.
  assoc('v1', MONDAY, '10:25', 'TB-1F-05'),
  assoc('v2', MONDAY, '10:35', 'TB-1F-05'),
  assoc('v3', MONDAY, '10:50', 'TB-1F-05'),
  assoc('v4', MONDAY, '10:31', 'TB-1F-05'),
  assoc('v4', MONDAY, '11:30', 'TB-2F-HALL'),
  assoc('v5', MONDAY, '10:32', 'TB-1F-05'),
  assoc('v6', MONDAY, '10:33', 'TB-1F-05', { written: upperColons }),
  assoc('v7', MONDAY, '11:00', 'TB-1F-05'),
  assoc('v7', MONDAY, '11:01', 'TB-2F-HALL'),
  // PHY1001, Monday 14:00-15:50 Berlin time; w4 is there at 14:05 campus time, hours before.
  assoc('w4', MONDAY, '14:05', 'TC-GF-01'),
  assoc('w4', MONDAY, '14:30', 'TC-GF-LOBBY'),
  assoc('w1', MONDAY, '13:55', 'TC-GF-01', { tz: 'Europe/Berlin' }),
  assoc('w2', MONDAY, '14:20', 'TC-GF-01', { tz: 'Europe/Berlin' }),
  assoc('w3', MONDAY, '14:05', 'TC-GF-01', { tz: 'Europe/Berlin' }),
  assoc('w3', MONDAY, '15:00', 'TC-GF-LOBBY', { tz: 'Europe/Berlin' }),
  // ECO2011, Tuesday 09:00-10:50 in TA-101 (no CSC1001 row: that is a Monday class).
  ...['t01', 't02', 't03', 't04', 't05'].map((t, i) =>
    assoc(t, TUESDAY, `08:5${i}`, TA101[i % 2]!),
  ),
  assoc('t06', TUESDAY, '09:20', 'TA-1F-01'),
  assoc('t08', TUESDAY, '09:40', 'TA-1F-02'),
  assoc('t08', TUESDAY, '09:41', 'TA-1F-HALL'),
  assoc('s01phone', TUESDAY, '09:10', 'TA-1F-01'),
  // BIO1008, Tuesday 14:00-15:50 in TB-105: its students' devices are not registered.
  assoc('x1', TUESDAY, '13:58', 'TB-1F-05'),
  assoc('x2', TUESDAY, '14:02', 'TB-1F-05'),
  assoc('x3', TUESDAY, '14:30', 'TB-1F-05'),
  // A holiday and a Monday after the term: devices in class, but no class.
  assoc('s02', HOLIDAY, '09:01', 'TA-1F-01'),
  assoc('s03', HOLIDAY, '09:02', 'TA-1F-02'),
  assoc('v1', HOLIDAY, '10:40', 'TB-1F-05'),
  assoc('s02', AFTER_TERM, '09:01', 'TA-1F-01'),
  assoc('v1', AFTER_TERM, '10:40', 'TB-1F-05'),
].sort((a, b) => a.ms - b.ms);

/** The first half: everything before 09:45 on Monday, in the middle of CSC1001. */
export const MID_CLASS = zonedInstant(MONDAY, '09:45:00', CAMPUS_TZ);
