/**
 * The demo campus's people and their devices, derived from a seed rather than drawn at random, so
 * a restarted demo brings back the same students with the same MACs (a fresh draw would add a
 * second set of "students" to a class that is running). The rosters, the device registry and each
 * student's day (comes or not, arrival, early departure) follow from the seed, the section and the
 * date alone.
 */
import type { Section } from './campus.js';

/** The default identity seed: the same campus on every run and every machine. */
export const DEFAULT_CAMPUS_SEED = 20_260_901;

/** A 32-bit hash of the seed and some parts (FNV-1a over their text, then a final mix). */
export function hash(seed: number, ...parts: (string | number)[]): number {
  let h = 0x811c9dc5 ^ seed;
  for (const ch of parts.join('|')) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/** Uniform in [0, 1) from a hash. */
export const unit = (seed: number, ...parts: (string | number)[]) =>
  hash(seed, ...parts) / 4294967296;

export interface Student {
  id: string;
  /** Index of the section (in the schedule) the student is enrolled in. */
  section: number;
  /** MACs as the controller writes them (lower-case, dashes). */
  devices: string[];
  /** Which of the devices the registry knows. */
  registered: boolean[];
}

export interface Visitor {
  mac: string;
}

/** A MAC from the seed: locally administered (x2 first byte), as phones' private MACs are. */
function macFrom(seed: number, ...parts: (string | number)[]): string {
  const a = hash(seed, 'mac-a', ...parts);
  const b = hash(seed, 'mac-b', ...parts);
  const bytes = [(a & 0xfc) | 0x02, a >>> 8, a >>> 16, a >>> 24, b, b >>> 8].map((x) => x & 255);
  return bytes.map((x) => x.toString(16).padStart(2, '0')).join('-');
}

/** How many students a section has: its enrolment, fixed by the seed and the section's place. */
export function enrolment(seed: number, sectionIndex: number): number {
  return 25 + (hash(seed, 'enrolled', sectionIndex) % 56);
}

/** Every section's students: one or two devices each; most registered, some never. */
export function studentsOf(seed: number, sections: readonly Section[]): Student[] {
  const students: Student[] = [];
  sections.forEach((_, index) => {
    for (let k = 0; k < enrolment(seed, index); k++) {
      const id = `12${String(index).padStart(3, '0')}${String(k).padStart(4, '0')}`;
      const count = unit(seed, 'devices', id) < 0.25 ? 2 : 1;
      const devices = Array.from({ length: count }, (_, d) => macFrom(seed, id, d));
      // 5% of students never register; 15% of second devices are not registered either.
      const registers = unit(seed, 'registers', id) >= 0.05;
      students.push({
        id,
        section: index,
        devices,
        registered: devices.map(
          (_, d) => registers && (d === 0 || unit(seed, 'second', id) >= 0.15),
        ),
      });
    }
  });
  return students;
}

/** Staff and visitors: unregistered devices in corridors and the library. */
export function visitorsOf(seed: number, count = 150): Visitor[] {
  return Array.from({ length: count }, (_, i) => ({ mac: macFrom(seed, 'visitor', i) }));
}

/** What one student does about one class on one date. */
export interface Day {
  attends: boolean;
  /** Minutes after the start the student arrives (negative: before the class). */
  arriveAfter: number;
  /** Minutes after the start the student leaves, when before the end. */
  leavesAt: number | undefined;
  /** Late arrivals sometimes come from another room rather than a corridor. */
  fromAnotherRoom: boolean;
  /** Devices that associate once and then stay silent (controllers log no "still here"). */
  silent: boolean[];
}

/** The student's day for a class on `date` ('yyyy-MM-dd'): the same on every run. */
export function dayOf(seed: number, student: Student, date: string): Day {
  const u = (what: string) => unit(seed, what, student.id, date);
  const late = u('late') < 0.15;
  return {
    attends: u('attends') < 0.82,
    arriveAfter: late ? 11 + Math.floor(u('arrive') * 30) : -15 + Math.floor(u('arrive') * 23),
    leavesAt: u('leaves') < 0.1 ? 40 + Math.floor(u('leaves-at') * 50) : undefined,
    fromAnotherRoom: late && u('from') < 0.5,
    silent: student.devices.map((_, d) => unit(seed, 'silent', student.id, date, d) < 0.3),
  };
}
