import type { ScheduleRow } from '@pulse/contracts';
import { enrolment } from './people.js';
import { hhmmss, localClock } from './time.js';

/** One row of the course schedule file analysts keep. */
export type Section = ScheduleRow;

export interface Room {
  name: string;
  aps: string[];
}

/** Rooms in three buildings, each covered by two or three access points. */
export const ROOMS: readonly Room[] = [
  { name: 'TA-101', aps: ['TA-1F-01', 'TA-1F-02'] },
  { name: 'TA-203', aps: ['TA-2F-03', 'TA-2F-04', 'TA-2F-05'] },
  { name: 'TB-105', aps: ['TB-1F-05', 'TB-1F-06'] },
  { name: 'TB-310', aps: ['TB-3F-10', 'TB-3F-11'] },
  { name: 'TC-G01', aps: ['TC-GF-01', 'TC-GF-02', 'TC-GF-03'] },
  { name: 'TC-402', aps: ['TC-4F-02', 'TC-4F-03'] },
];
/** Corridor and library access points: devices roam here between classes. */
export const CORRIDOR_APS = ['TA-1F-HALL', 'TB-2F-HALL', 'TC-GF-LOBBY', 'LIB-1F-01', 'LIB-2F-01'];
const COURSES = [
  'CSC1001',
  'CSC3100',
  'MAT2040',
  'ECO2011',
  'PHY1001',
  'STA2001',
  'FIN3080',
  'DDA4210',
  'ENG1002',
  'BIO1008',
];

/**
 * About 20 sections: most meet today in two-hour blocks around the current local time, so a demo
 * started at any hour has classes running; a few meet on other weekdays. Enrolments come from the
 * campus seed (they are the rosters' sizes), so they are the same on every run.
 */
export function defaultSchedule(
  nowMs: number,
  offsetMinutes: number,
  campusSeed: number,
): Section[] {
  const { weekday, minutesOfDay } = localClock(nowMs, offsetMinutes);
  const firstStart = Math.floor(minutesOfDay / 60) * 60 - 60;
  const sections: Section[] = [];
  for (let i = 0; i < 20; i++) {
    const room = ROOMS[i % ROOMS.length]!;
    const today = i < 16;
    const slot = Math.floor(i / ROOMS.length);
    const start = today ? firstStart + slot * 120 - (i % 2) * 30 : 8 * 60 + slot * 120;
    sections.push({
      course_id: COURSES[i % COURSES.length]!,
      section: `L${String(Math.floor(i / COURSES.length) + 1).padStart(2, '0')}`,
      room: room.name,
      aps: room.aps,
      weekday: today ? weekday : ((weekday + 1 + (i % 5)) % 7) + 1,
      start_time: hhmmss(start),
      end_time: hhmmss(start + 110),
      enrolled: enrolment(campusSeed, i),
    });
  }
  return sections;
}

const HEADER = 'course_id,section,room,aps,weekday,start_time,end_time,enrolled';

/** The schedule as CSV; AP names are separated by `;` inside their column. */
export function scheduleCsv(sections: readonly Section[]): string {
  return (
    [
      HEADER,
      ...sections.map((s) =>
        [
          s.course_id,
          s.section,
          s.room,
          s.aps.join(';'),
          s.weekday,
          s.start_time,
          s.end_time,
          s.enrolled,
        ].join(','),
      ),
    ].join('\n') + '\n'
  );
}

/** The demo's own schedule file read back (undefined when it is not one), to keep it across runs. */
export function parseScheduleCsv(text: string): Section[] | undefined {
  const [header, ...lines] = text.trim().split('\n');
  if (header !== HEADER) return undefined;
  const sections = lines.map((line) => {
    const [course_id, section, room, aps, weekday, start_time, end_time, enrolled] =
      line.split(',');
    return {
      course_id: course_id!,
      section: section!,
      room: room!,
      aps: (aps ?? '').split(';'),
      weekday: Number(weekday),
      start_time: start_time!,
      end_time: end_time!,
      enrolled: Number(enrolled),
    };
  });
  return sections.every(
    (s) => s.aps.length > 0 && s.weekday >= 1 && s.weekday <= 7 && s.enrolled >= 0,
  )
    ? sections
    : undefined;
}
