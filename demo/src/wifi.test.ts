import { describe, expect, it } from 'vitest';
import { canonicalMac } from '@pulse/contracts';
import { CORRIDOR_APS, ROOMS, defaultSchedule, type Section } from './campus.js';
import { studentsOf, visitorsOf } from './people.js';
import { Random } from './random.js';
import { campusTables } from './tables.js';
import { parseHhmmss } from './time.js';
import { CampusTraffic } from './wifi.js';

const SEED = 77;
const NOW = Date.UTC(2026, 10, 23, 6, 30, 0); // 14:30 on a Monday in UTC+8
const sections = defaultSchedule(NOW, 480, SEED);

interface Seen {
  mac: string;
  ap: string;
  ms: number;
  ok: boolean;
}

/** Simulates `hours` of campus life from `from` with 15-second ticks; `restartAt` starts anew. */
function simulate(seed: number, from: number, hours: number, restartAt?: number): Seen[] {
  let traffic = new CampusTraffic(new Random(seed), 480, sections, SEED);
  const seen: Seen[] = [];
  for (let t = from; t < from + hours * 3600_000; t += 15_000) {
    if (restartAt !== undefined && t === restartAt)
      traffic = new CampusTraffic(new Random(seed + 1), 480, sections, SEED);
    for (const line of traffic.tick(t, 15_000)) {
      const r = JSON.parse(line) as { mac: string; currentapname: string; connectresult: string };
      seen.push({
        mac: canonicalMac(r.mac)!,
        ap: r.currentapname,
        ms: t,
        ok: r.connectresult === 'Success',
      });
    }
  }
  return seen;
}

/** Campus time of `hhmm` on the simulated Monday. */
const at = (time: string) => Date.UTC(2026, 10, 23) - 8 * 3600_000 + parseHhmmss(time) * 60_000;
const room = (s: Section) => (ap: string) => s.aps.includes(ap);

describe('demo Wi-Fi traffic', () => {
  const start = NOW - 3 * 3600_000;
  const seen = simulate(1, start, 7);
  const students = studentsOf(SEED, sections);
  const owner = new Map(students.flatMap((st) => st.devices.map((m) => [canonicalMac(m)!, st])));
  // A class running around NOW.
  const s = sections.find((x) => x.start_time <= '14:30:00' && x.end_time > '14:30:00')!;
  const classStart = at(s.start_time);
  const classEnd = at(s.end_time);

  it('uses only the seeded devices, whatever the run', () => {
    const known = new Set([...owner.keys(), ...visitorsOf(SEED).map((v) => canonicalMac(v.mac)!)]);
    expect(seen.length).toBeGreaterThan(1000);
    expect(seen.filter((e) => !known.has(e.mac))).toEqual([]);
    // Another run (another traffic seed): the same people, with the same MACs.
    expect(simulate(2, start, 7).filter((e) => !known.has(e.mac))).toEqual([]);
    expect(studentsOf(SEED, sections)).toEqual(students);
  });

  it('has students connected before class, late arrivals, early leavers and two-device students', () => {
    // Every class of the simulated hours, and what its students' devices did in its room.
    const classes = sections.filter(
      (x) => x.weekday === 1 && at(x.start_time) >= start && at(x.end_time) <= start + 7 * 3600_000,
    );
    expect(classes.length).toBeGreaterThanOrEqual(4);
    const cases = { early: 0, late: 0, leftEarly: 0, twoDevices: 0 };
    for (const x of classes) {
      const [from, to] = [at(x.start_time), at(x.end_time)];
      const ours = students.filter((st) => st.section === sections.indexOf(x));
      const first = (mac: string) =>
        seen.find((e) => e.mac === mac && e.ok && room(x)(e.ap) && e.ms < to)?.ms;
      for (const st of ours) {
        const macs = st.devices.map((m) => canonicalMac(m)!);
        const arrived = macs.map(first).filter((t) => t !== undefined);
        if (arrived.some((t) => t < from)) cases.early++;
        if (arrived.length > 0 && Math.min(...arrived) > from + 10 * 60_000) cases.late++;
        if (arrived.length === 2) cases.twoDevices++;
        // Leaving early is seen: a corridor association between 40 minutes in and 10 before the end.
        const left = seen.some(
          (e) =>
            macs.includes(e.mac) &&
            CORRIDOR_APS.includes(e.ap) &&
            e.ms > from + 40 * 60_000 &&
            e.ms < to - 10 * 60_000 &&
            arrived.some((t) => t < e.ms),
        );
        if (left) cases.leftEarly++;
      }
    }
    expect(cases.early).toBeGreaterThan(10);
    expect(cases.late).toBeGreaterThan(3);
    expect(cases.leftEarly).toBeGreaterThan(1);
    expect(cases.twoDevices).toBeGreaterThan(5);
  });

  it('has visitors passing a classroom for a minute, and late students roaming in from another room', () => {
    const roomAps = new Set(ROOMS.flatMap((r) => r.aps));
    const visitors = new Set(visitorsOf(SEED).map((v) => canonicalMac(v.mac)!));
    // A visitor at a classroom's access point, and somewhere else a minute later.
    const passBy = seen.some((e, i) => {
      if (!visitors.has(e.mac) || !roomAps.has(e.ap)) return false;
      const next = seen.slice(i + 1).find((n) => n.mac === e.mac);
      return next !== undefined && !roomAps.has(next.ap) && next.ms - e.ms <= 75_000;
    });
    expect(passBy).toBe(true);
    const roamers = students.filter((st) => {
      const own = sections[st.section]!;
      const mac = canonicalMac(st.devices[0]!)!;
      const mine = seen.filter((e) => e.mac === mac && e.ok);
      const firstInOwn = mine.find((e) => own.aps.includes(e.ap));
      return (
        firstInOwn !== undefined &&
        mine.some((e) => e.ms < firstInOwn.ms && roomAps.has(e.ap) && !own.aps.includes(e.ap))
      );
    });
    expect(roamers.length).toBeGreaterThan(0);
  });

  it('writes MACs of building TC in upper case with colons, as its controller does', () => {
    const traffic = new CampusTraffic(new Random(3), 480, sections, SEED);
    const lines: { mac: string; currentapname: string }[] = [];
    for (let t = start; t < start + 4 * 3600_000; t += 15_000)
      lines.push(...traffic.tick(t, 15_000).map((l) => JSON.parse(l) as (typeof lines)[number]));
    const tc = lines.filter((l) => l.currentapname.startsWith('TC-'));
    expect(tc.length).toBeGreaterThan(0);
    for (const l of tc) expect(l.mac).toMatch(/^([0-9A-F]{2}:){5}[0-9A-F]{2}$/);
    for (const l of lines.filter((x) => !x.currentapname.startsWith('TC-')))
      expect(l.mac).toMatch(/^([0-9a-f]{2}-){5}[0-9a-f]{2}$/);
  });

  it('keeps who is in class across a restart of the demo', () => {
    const present = (events: Seen[]) =>
      new Set(
        events
          // Students arrive at most 15 minutes early; silent devices say nothing after that.
          .filter(
            (e) => e.ok && room(s)(e.ap) && e.ms >= classStart - 20 * 60_000 && e.ms < classEnd,
          )
          .map((e) => e.mac)
          .filter((m) => owner.has(m)),
      );
    const restarted = simulate(1, start, 7, NOW);
    expect(present(restarted)).toEqual(present(seen));
  });

  it('ships rosters of the schedule’s sizes, a registry of canonical MACs and a term around today', () => {
    const tables = campusTables(SEED, sections, '2026-11-23');
    for (const x of sections)
      expect(
        tables.rosters.filter((r) => r.course_id === x.course_id && r.section === x.section),
      ).toHaveLength(x.enrolled);
    expect(tables.registry.every((r) => canonicalMac(r.mac) === r.mac)).toBe(true);
    const registered = new Set(tables.registry.map((r) => r.mac));
    const all = students.flatMap((st) => st.devices.map((m) => canonicalMac(m)!));
    expect(registered.size).toBeGreaterThan(all.length * 0.8);
    expect(registered.size).toBeLessThan(all.length);
    const term = tables.calendar.find((c) => c.kind === 'term')!;
    expect(term.first_date < '2026-11-23' && '2026-11-23' < term.last_date).toBe(true);
    expect(tables.calendar.filter((c) => c.kind === 'holiday').map((c) => c.first_date)).toEqual([
      '2026-11-16',
      '2026-11-30',
    ]);
  });
});
