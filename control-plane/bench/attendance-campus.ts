/**
 * A synthetic campus for bench:attendance: rooms, a weekly schedule of sections, students with one
 * or two devices each, enrolments, and a day of Wi-Fi associations at a time (arrivals, classes with
 * re-associations, corridors and the library between them, failures), seeded so runs compare.
 */
import type {
  ClassRosterRecord,
  CourseScheduleRecord,
  DeviceRegistryRecord,
  TermCalendarRecord,
} from '@pulse/contracts';

/** mulberry32: small, fast, seeded. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Campus {
  sections: CourseScheduleRecord[];
  registry: DeviceRegistryRecord[];
  rosters: ClassRosterRecord[];
  calendar: TermCalendarRecord[];
  /** Per student: device MACs and the indexes of the sections they take. */
  students: { id: string; devices: string[]; sections: number[] }[];
}

const CORRIDORS = Array.from({ length: 40 }, (_, i) => `HALL-${String(i).padStart(2, '0')}`);
const LIBRARY = Array.from({ length: 20 }, (_, i) => `LIB-${String(i).padStart(2, '0')}`);
const SLOTS = ['08:00', '10:00', '14:00', '16:00', '19:00'];
const hhmm = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}:00`;
const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

/** `students` students taking `perStudent` of `sectionCount` sections in `sectionCount / 4` rooms. */
export function makeCampus(students: number, sectionCount: number, perStudent = 4): Campus {
  const rnd = seeded(7);
  const rooms = Math.max(1, Math.round(sectionCount / 4));
  const sections: CourseScheduleRecord[] = Array.from({ length: sectionCount }, (_, i) => {
    const room = i % rooms;
    const aps = Array.from({ length: 2 + (room % 2) }, (_, k) => `R${room}-AP${k}`);
    const slot = Math.floor(i / rooms);
    const start = minutes(SLOTS[slot % SLOTS.length]!);
    return {
      course_id: `C${String(Math.floor(i / 2)).padStart(4, '0')}`,
      section: `L0${(i % 2) + 1}`,
      room: `R${room}`,
      aps,
      aps_csv: aps.join(','),
      // Each room hosts its sections on different weekdays, Monday to Friday.
      weekday: 1 + ((room + slot) % 5),
      start_time: hhmm(start),
      end_time: hhmm(start + 110),
      enrolled: 0,
      timezone: 'Asia/Shanghai',
    };
  });
  const people: Campus['students'] = [];
  const rosters: ClassRosterRecord[] = [];
  const registry: DeviceRegistryRecord[] = [];
  for (let s = 0; s < students; s++) {
    const id = String(120_000_000 + s);
    const devices = Array.from({ length: rnd() < 0.5 ? 2 : 1 }, (_, d) => {
      const n = s * 2 + d;
      return [
        '0a',
        'b0',
        ...[n >>> 24, n >>> 16, n >>> 8, n].map((b) => (b & 255).toString(16).padStart(2, '0')),
      ].join(':');
    });
    const taken = new Set<number>();
    while (taken.size < Math.min(perStudent, sectionCount))
      taken.add(Math.floor(rnd() * sectionCount));
    people.push({ id, devices, sections: [...taken] });
    for (const i of taken) {
      rosters.push({
        course_id: sections[i]!.course_id,
        section: sections[i]!.section,
        student_id: id,
      });
      sections[i]!.enrolled++;
    }
    // Most students register their devices; a few never do.
    if (rnd() < 0.95) for (const mac of devices) registry.push({ mac, student_id: id });
  }
  const calendar: TermCalendarRecord[] = [
    { kind: 'term', first_date: '2026-02-23', last_date: '2026-06-12', name: 'Spring 2026' },
    { kind: 'holiday', first_date: '2026-04-06', last_date: '2026-04-06', name: 'Qingming' },
  ];
  return { sections, registry, rosters, calendar, students: people };
}

export interface Association {
  mac: string;
  ap: string;
  ms: number;
  result: string;
}

/** One day's associations (campus time UTC+8) in time order; `day0` is the UTC ms of local midnight. */
export function dayOfAssociations(
  campus: Campus,
  day0: number,
  weekday: number,
  seed: number,
): Association[] {
  const rnd = seeded(seed);
  const out: Association[] = [];
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;
  const at = (minute: number) => day0 + Math.round(minute * 60) * 1000;
  const weekend = weekday > 5;
  for (const student of campus.students) {
    const today = student.sections
      .map((i) => campus.sections[i]!)
      .filter((s) => s.weekday === weekday)
      .sort((a, b) => a.start_time.localeCompare(b.start_time));
    if (weekend ? rnd() > 0.2 : today.length === 0 && rnd() > 0.6) continue;
    for (const [d, mac] of student.devices.entries()) {
      // Laptops come only when there is a class.
      if (d > 0 && today.length === 0) continue;
      let t = 7 * 60 + rnd() * 150;
      const end = 17 * 60 + rnd() * 240;
      const add = (ap: string, minute: number) =>
        out.push({ mac, ap, ms: at(minute), result: rnd() < 0.05 ? 'Fail' : 'Success' });
      add(pick(CORRIDORS), t);
      for (const s of today) {
        const start = minutes(s.start_time);
        if (rnd() > 0.85) continue;
        // Between classes: corridors and the library now and then.
        while (t + 45 < start - 10) {
          t += 30 + rnd() * 60;
          add(rnd() < 0.5 ? pick(LIBRARY) : pick(CORRIDORS), t);
        }
        t = Math.max(t + 1, start - 10 + rnd() * 25);
        const leave = rnd() < 0.1 ? start + 40 + rnd() * 50 : start + 110 + rnd() * 5;
        while (t < leave) {
          add(pick(s.aps), t);
          t += 10 + rnd() * 30;
        }
        t = leave;
        add(pick(CORRIDORS), t);
      }
      while (t + 60 < end) {
        t += 40 + rnd() * 80;
        add(rnd() < 0.5 ? pick(LIBRARY) : pick(CORRIDORS), t);
      }
    }
  }
  return out.sort((a, b) => a.ms - b.ms);
}
