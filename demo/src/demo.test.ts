import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultSchedule, scheduleCsv } from './campus.js';
import { startDemo } from './demo.js';
import { clfInstant } from './replay.js';
import { localClock, parseHhmmss } from './time.js';

const COMBINED =
  /^(\S+) - - \[([^\]]+)\] "(GET|POST) (\S+) HTTP\/1\.1" (\d{3}) (\d+) "([^"]*)" "([^"]*)"$/;
const NOW = Date.UTC(2026, 10, 23, 6, 30, 0); // 14:30 on a Monday in UTC+8

describe('demo traffic', () => {
  it('writes combined-format web lines in +0800 whose disorder stays within a few seconds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'demo-'));
    // A clock 10x faster than real time: 25 ms ticks stand for 250 ms of traffic.
    const t0 = Date.now();
    const demo = await startDemo({
      dir,
      webRate: 400,
      seed: 42,
      tickMs: 25,
      now: () => NOW + (Date.now() - t0) * 10,
    });
    await new Promise((r) => setTimeout(r, 2000));
    await demo.stop();
    const lines = readFileSync(demo.files.web, 'utf8').trim().split('\n');
    expect(lines.length).toBe(demo.stats.webLines);
    expect(lines.length).toBeGreaterThan(1000);
    let latest = 0;
    let late = 0;
    for (const line of lines) {
      const m = COMBINED.exec(line);
      expect(m, line).not.toBeNull();
      const at = clfInstant(line)!;
      expect(at.offsetMinutes).toBe(480);
      if (at.ms < latest) {
        late++;
        // Held back 1-4 s, plus at most a tick of jitter and scheduling slack.
        expect(latest - at.ms).toBeLessThanOrEqual(5_000);
      }
      latest = Math.max(latest, at.ms);
    }
    expect(late).toBeGreaterThan(0);
    const statuses = new Set(lines.map((l) => COMBINED.exec(l)![5]));
    expect(statuses.has('200') && statuses.has('404')).toBe(true);
  });

  it('makes a schedule of 20 sections with classes running at the current local time', () => {
    const sections = defaultSchedule(NOW, 480, 1);
    expect(sections).toHaveLength(20);
    const { weekday, minutesOfDay } = localClock(NOW, 480);
    const live = sections.filter(
      (s) =>
        s.weekday === weekday &&
        parseHhmmss(s.start_time) <= minutesOfDay &&
        minutesOfDay < parseHhmmss(s.end_time),
    );
    expect(live.length).toBeGreaterThanOrEqual(3);
    expect(new Set(sections.map((s) => `${s.course_id}|${s.section}`)).size).toBe(20);
    const csv = scheduleCsv(sections).trim().split('\n');
    expect(csv[0]).toBe('course_id,section,room,aps,weekday,start_time,end_time,enrolled');
    expect(csv).toHaveLength(21);
  });

  it('keeps the schedule and the people across a restart, and writes the campus tables', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'demo-'));
    const first = await startDemo({ dir, webRate: 0, seed: 1, tickMs: 5, now: () => NOW });
    await first.stop();
    const written = statSync(first.files.registry).mtimeMs;
    // An hour later, another traffic seed: the same classes, students, devices and tables.
    const later = () => NOW + 3600_000;
    const second = await startDemo({ dir, webRate: 0, seed: 2, tickMs: 5, now: later });
    await second.stop();
    // The watcher publishes these files: unchanged, they are not written again (nor re-sent).
    expect(statSync(second.files.registry).mtimeMs).toBe(written);
    expect(readdirSync(join(dir, 'campus')).sort()).toEqual([
      'calendar.csv',
      'registry.csv',
      'rosters.csv',
    ]);
    expect(second.sections).toEqual(first.sections);
    expect(second.tables).toEqual(first.tables);
    const registry = readFileSync(second.files.registry, 'utf8').trim().split('\n');
    expect(registry[0]).toBe('mac,student_id');
    expect(registry).toHaveLength(first.tables.registry.length + 1);
    expect(readFileSync(second.files.rosters, 'utf8').split('\n')[0]).toBe(
      'course_id,section,student_id',
    );
    expect(readFileSync(second.files.calendar, 'utf8')).toContain('term,');
  });

  it('writes Wi-Fi associations in the campus JSON shape with naive local times, including failures', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'demo-'));
    const t0 = Date.now();
    const now = () => NOW + (Date.now() - t0) * 3_000; // 3 s real = 2.5 h of campus life
    const demo = await startDemo({ dir, webRate: 0, seed: 9, tickMs: 2, now });
    await new Promise((r) => setTimeout(r, 300));
    await demo.stop();
    const records = readFileSync(demo.files.wifi, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.length).toBeGreaterThan(100);
    for (const r of records) {
      expect(Object.keys(r).sort()).toEqual([
        'apname',
        'connectresult',
        'connecttime',
        'currentapname',
        'downbyte',
        'downpacketnum',
        'mac',
        'ssid',
        'upbyte',
        'uppacketnum',
      ]);
      expect(r.connecttime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      // Building TC's controller writes MACs its own way (wifi.test.ts).
      expect(r.mac).toMatch(/^([0-9a-f]{2}-){5}[0-9a-f]{2}$|^([0-9A-F]{2}:){5}[0-9A-F]{2}$/);
    }
    expect(records.some((r) => r.connectresult !== 'Success')).toBe(true);
    // Naive campus time is UTC+8 wall-clock time of the moment written.
    const end = now();
    for (const r of records) {
      const asUtc = Date.parse(`${String(r.connecttime).replace(' ', 'T')}+08:00`);
      expect(asUtc).toBeGreaterThanOrEqual(NOW - 1000);
      expect(asUtc).toBeLessThanOrEqual(end);
    }
  });
});

describe('clfInstant', () => {
  it('honours the offset as written', () => {
    expect(clfInstant('1.2.3.4 - - [17/May/2015:10:05:03 +0800] "GET / HTTP/1.1" 200 1')).toEqual({
      ms: Date.UTC(2015, 4, 17, 2, 5, 3),
      offsetMinutes: 480,
    });
    expect(clfInstant('1.2.3.4 - - [17/May/2015:10:05:03 -0700] "GET / HTTP/1.1" 200 1')).toEqual({
      ms: Date.UTC(2015, 4, 17, 17, 5, 3),
      offsetMinutes: -420,
    });
  });
});
