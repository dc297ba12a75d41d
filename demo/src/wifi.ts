/**
 * Wi-Fi associations in the campus export's JSON shape, driven by the schedule and the seeded
 * people of people.ts: students connected before class (some then silent), late arrivals (some
 * roaming in from another room), early leavers who are seen leaving, two-device students,
 * unregistered devices, students sitting in on a class they are not enrolled in, and visitors
 * passing by a classroom's access point for a minute. Failed associations happen too.
 */
import { CORRIDOR_APS, ROOMS, type Section } from './campus.js';
import { dayOf, hash, studentsOf, unit, visitorsOf, type Day, type Student } from './people.js';
import type { Random } from './random.js';
import { localClock, naiveTime, parseHhmmss } from './time.js';

/** Where a device is: an access point, and whether it keeps quiet there. */
interface Place {
  ap: string;
  silent?: boolean;
}

interface Device {
  mac: string;
  student: Student | undefined;
  index: number;
  /** The section whose class the device goes to (its own, or one it sits in on). */
  section: number;
  ap: string | undefined;
  /** A visitor passing by a classroom: where, and until when (epoch ms). */
  passing: { ap: string; until: number } | undefined;
}

/** The local calendar date of an instant, 'yyyy-MM-dd'. */
const localDate = (ms: number, offsetMinutes: number) =>
  new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 10);

/** Building TC's controller writes MACs in upper case with colons; the job normalises them. */
const written = (mac: string, ap: string) =>
  ap.startsWith('TC-') ? mac.toUpperCase().replace(/-/g, ':') : mac;

export class CampusTraffic {
  private readonly devices: Device[] = [];
  private readonly days = new Map<string, Day>();

  constructor(
    private readonly rng: Random,
    private readonly offsetMinutes: number,
    private readonly sections: readonly Section[],
    private readonly seed: number,
    private readonly ssid = 'CAMPUS-WIFI',
  ) {
    const others = sections.map((_, i) => i);
    for (const student of studentsOf(seed, sections)) {
      // A few students sit in on another section's class (registered, not on its roster).
      const guest = unit(seed, 'guest', student.id) < 0.03;
      const section = guest
        ? others[hash(seed, 'guest-of', student.id) % others.length]!
        : student.section;
      student.devices.forEach((mac, index) =>
        this.devices.push({ mac, student, index, section, ap: undefined, passing: undefined }),
      );
    }
    for (const v of visitorsOf(seed))
      this.devices.push({
        mac: v.mac,
        student: undefined,
        index: 0,
        section: -1,
        ap: undefined,
        passing: undefined,
      });
  }

  /** The association lines of one tick: arrivals, departures, roaming, re-associations, failures. */
  tick(nowMs: number, tickMs: number): string[] {
    const clock = localClock(nowMs, this.offsetMinutes);
    const date = localDate(nowMs, this.offsetMinutes);
    const lines: string[] = [];
    for (const d of this.devices) {
      const place = d.student
        ? this.studentPlace(d, date, clock.weekday, clock.minutesOfDay)
        : this.visitorPlace(d, nowMs, tickMs, clock.minutesOfDay);
      const where = place?.ap;
      // Devices re-associate now and then while they stay (sleep, roaming within the room);
      // silent ones associate once and say nothing more.
      const refresh = where !== undefined && !place?.silent && this.rng.chance(tickMs / 600_000);
      if (where === d.ap && !refresh) continue;
      if (where === undefined) {
        d.ap = undefined;
        continue;
      }
      const failed = this.rng.chance(0.04);
      lines.push(this.record(nowMs, d, where, failed));
      if (!failed) d.ap = where;
    }
    return lines;
  }

  private day(student: Student, date: string): Day {
    const key = `${student.id}|${date}`;
    let day = this.days.get(key);
    if (!day) {
      if (this.days.size > 50_000) this.days.clear();
      day = dayOf(this.seed, student, date);
      this.days.set(key, day);
    }
    return day;
  }

  private studentPlace(
    d: Device,
    date: string,
    weekday: number,
    minutesOfDay: number,
  ): Place | undefined {
    const s = this.sections[d.section]!;
    const day = this.day(d.student!, date);
    if (!day.attends || s.weekday !== weekday) return undefined;
    const start = parseHhmmss(s.start_time);
    const length = parseHhmmss(s.end_time) - start;
    const since = minutesOfDay - start;
    const corridor = CORRIDOR_APS[hash(this.seed, 'corridor', d.mac) % CORRIDOR_APS.length]!;
    if (since < day.arriveAfter) {
      if (since < day.arriveAfter - 20) return undefined;
      // On the way: in a corridor, or in another room for a late arrival who roams in mid-class.
      if (!day.fromAnotherRoom) return { ap: corridor };
      const other = ROOMS[hash(this.seed, 'room', d.mac) % ROOMS.length]!;
      return { ap: other.aps[0]! === s.aps[0] ? corridor : other.aps[0]! };
    }
    const leave = day.leavesAt ?? length + 3;
    // Leaving is seen: the device associates with a corridor access point on the way out.
    if (since >= leave) return since < leave + 10 ? { ap: corridor } : undefined;
    const inRoom = d.ap !== undefined && s.aps.includes(d.ap);
    const ap = inRoom && !this.rng.chance(0.01) ? d.ap! : this.rng.pick(s.aps);
    return { ap, silent: day.silent[d.index] === true && inRoom };
  }

  private visitorPlace(
    d: Device,
    nowMs: number,
    tickMs: number,
    minutesOfDay: number,
  ): Place | undefined {
    if (minutesOfDay < 7 * 60 || minutesOfDay > 23 * 60) return undefined;
    if (d.passing && nowMs < d.passing.until) return { ap: d.passing.ap };
    d.passing = undefined;
    // Now and then a visitor walks past a classroom and its access point picks the phone up.
    if (this.rng.chance(tickMs / 1_800_000)) {
      d.passing = { ap: this.rng.pick(this.rng.pick(ROOMS).aps), until: nowMs + 60_000 };
      return { ap: d.passing.ap };
    }
    const inCorridor = d.ap !== undefined && CORRIDOR_APS.includes(d.ap);
    return {
      ap: inCorridor && !this.rng.chance(tickMs / 1_200_000) ? d.ap! : this.rng.pick(CORRIDOR_APS),
    };
  }

  private record(nowMs: number, d: Device, ap: string, failed: boolean): string {
    const up = this.rng.int(50, 9000);
    const down = this.rng.int(50, 12000);
    return JSON.stringify({
      currentapname: ap,
      apname: d.ap ?? ap,
      ssid: this.ssid,
      mac: written(d.mac, ap),
      connecttime: naiveTime(nowMs, this.offsetMinutes),
      connectresult: failed ? this.rng.pick(['Fail', 'Timeout', 'AuthReject']) : 'Success',
      uppacketnum: failed ? 0 : up,
      upbyte: failed ? 0 : up * this.rng.int(300, 1400),
      downpacketnum: failed ? 0 : down,
      downbyte: failed ? 0 : down * this.rng.int(300, 1400),
    });
  }
}
