import type { ScheduleRow } from '@pulse/contracts';
import type { Random } from './random.js';
import { hhmmss, localClock, naiveTime, parseHhmmss } from './time.js';

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
const CORRIDOR_APS = ['TA-1F-HALL', 'TB-2F-HALL', 'TC-GF-LOBBY', 'LIB-1F-01', 'LIB-2F-01'];
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
 * started at any hour has classes running; a few meet on other weekdays.
 */
export function defaultSchedule(nowMs: number, offsetMinutes: number, rng: Random): Section[] {
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
      enrolled: rng.int(25, 90),
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

interface Device {
  mac: string;
  /** Index of the section the device's owner attends, or -1 for staff and visitors. */
  section: number;
  /** Minutes after class start the device arrives, and whether it leaves early. */
  arriveAfter: number;
  leavesEarlyAt: number | undefined;
  ap: string | undefined;
  attends: boolean;
}

function mac(rng: Random): string {
  return Array.from({ length: 6 }, () => rng.int(0, 255).toString(16).padStart(2, '0')).join('-');
}

/** Wi-Fi associations in the campus export's JSON shape, driven by the schedule. */
export class CampusTraffic {
  private readonly devices: Device[] = [];

  constructor(
    private readonly rng: Random,
    private readonly offsetMinutes: number,
    private readonly sections: readonly Section[],
    private readonly ssid = 'CAMPUS-WIFI',
  ) {
    sections.forEach((s, index) => {
      // Not every enrolled student comes; some bring two devices.
      for (let k = 0; k < s.enrolled; k++) {
        const attends = rng.chance(0.8);
        const count = rng.chance(0.25) ? 2 : 1;
        const arriveAfter = rng.chance(0.85) ? rng.int(-10, 8) : rng.int(9, 40);
        const leavesEarlyAt = rng.chance(0.1) ? rng.int(40, 100) : undefined;
        for (let c = 0; c < count; c++)
          this.devices.push({
            mac: mac(rng),
            section: index,
            arriveAfter,
            leavesEarlyAt,
            ap: undefined,
            attends,
          });
      }
    });
    for (let k = 0; k < 150; k++)
      this.devices.push({
        mac: mac(rng),
        section: -1,
        arriveAfter: 0,
        leavesEarlyAt: undefined,
        ap: undefined,
        attends: false,
      });
  }

  /** The association lines of one tick: new arrivals, roaming, re-associations and failures. */
  tick(nowMs: number, tickMs: number): string[] {
    const { weekday, minutesOfDay } = localClock(nowMs, this.offsetMinutes);
    const lines: string[] = [];
    for (const d of this.devices) {
      const where = this.placeOf(d, weekday, minutesOfDay);
      const moved = where !== d.ap;
      // Devices re-associate now and then even when they stay (sleep, roaming within the room).
      const refresh = where !== undefined && this.rng.chance(tickMs / 600_000);
      if (!moved && !refresh) continue;
      if (where === undefined) {
        d.ap = undefined;
        continue;
      }
      const failed = this.rng.chance(0.05);
      lines.push(this.record(nowMs, d, where, failed));
      if (!failed) d.ap = where;
    }
    return lines;
  }

  private placeOf(d: Device, weekday: number, minutesOfDay: number): string | undefined {
    if (d.section < 0) {
      return minutesOfDay > 7 * 60 && minutesOfDay < 23 * 60
        ? (d.ap ?? this.rng.pick(CORRIDOR_APS))
        : undefined;
    }
    const s = this.sections[d.section]!;
    const start = parseHhmmss(s.start_time);
    const end = parseHhmmss(s.end_time);
    if (!d.attends || s.weekday !== weekday) return undefined;
    const since = minutesOfDay - start;
    if (since < d.arriveAfter || minutesOfDay > end + 5)
      return since > -20 && since < d.arriveAfter
        ? (d.ap ?? this.rng.pick(CORRIDOR_APS))
        : undefined;
    if (d.leavesEarlyAt !== undefined && since > d.leavesEarlyAt) return undefined;
    const inRoom = d.ap !== undefined && s.aps.includes(d.ap);
    return inRoom && !this.rng.chance(0.02) ? d.ap : this.rng.pick(s.aps);
  }

  private record(nowMs: number, d: Device, ap: string, failed: boolean): string {
    const up = this.rng.int(50, 9000);
    const down = this.rng.int(50, 12000);
    return JSON.stringify({
      currentapname: ap,
      apname: d.ap ?? ap,
      ssid: this.ssid,
      mac: d.mac,
      connecttime: naiveTime(nowMs, this.offsetMinutes),
      connectresult: failed ? this.rng.pick(['Fail', 'Timeout', 'AuthReject']) : 'Success',
      uppacketnum: failed ? 0 : up,
      upbyte: failed ? 0 : up * this.rng.int(300, 1400),
      downpacketnum: failed ? 0 : down,
      downbyte: failed ? 0 : down * this.rng.int(300, 1400),
    });
  }
}
