import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultSchedule, parseScheduleCsv, scheduleCsv, type Section } from './campus.js';
import { DEFAULT_CAMPUS_SEED } from './people.js';
import { Random } from './random.js';
import { calendarCsv, campusTables, registryCsv, rostersCsv, type CampusTables } from './tables.js';
import { localClock, parseHhmmss } from './time.js';
import { WebTraffic } from './web.js';
import { CampusTraffic } from './wifi.js';

export interface DemoOptions {
  /** Folder the logs are written into (the watcher watches it). */
  dir: string;
  /** Mean web requests per second at the daily peak. Default 50. */
  webRate?: number;
  /** UTC offset of the web servers and of the campus, in minutes. Default +480 (UTC+8). */
  offsetMinutes?: number;
  /** Seed of the traffic's randomness, for a reproducible run. Default: time-based. */
  seed?: number;
  /**
   * Seed of the campus: students, their devices' MACs, rosters, the registry and each student's
   * day. The same on every run by default, so a restart brings back the same people.
   */
  campusSeed?: number;
  /** Share of web lines written a few seconds late, as real servers' buffered logs are. Default 0.05. */
  disorder?: number;
  tickMs?: number;
  now?: () => number;
}

export interface DemoFiles {
  web: string;
  wifi: string;
  schedule: string;
  registry: string;
  rosters: string;
  calendar: string;
}

export function demoFiles(dir: string): DemoFiles {
  return {
    web: join(dir, 'web', 'access.log'),
    wifi: join(dir, 'wifi', 'associations.log'),
    schedule: join(dir, 'schedule', 'schedule.csv'),
    registry: join(dir, 'campus', 'registry.csv'),
    rosters: join(dir, 'campus', 'rosters.csv'),
    calendar: join(dir, 'campus', 'calendar.csv'),
  };
}

export interface DemoHandle {
  files: DemoFiles;
  sections: Section[];
  tables: CampusTables;
  stats: { webLines: number; wifiLines: number };
  stop(): Promise<void>;
}

/**
 * Writes a file the watcher publishes as a table: whole at once (a temporary file renamed over it,
 * so the watcher never reads it half-written), and not at all when it already says the same.
 */
async function writeTable(file: string, text: string): Promise<void> {
  if ((await readFile(file, 'utf8').catch(() => undefined)) === text) return;
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
}

/**
 * The schedule of an earlier run while it still has a class to come today (so a restart during a
 * class keeps the same classes), else a new one around the current time.
 */
async function schedule(
  file: string,
  nowMs: number,
  offset: number,
  seed: number,
): Promise<Section[]> {
  const kept = parseScheduleCsv(await readFile(file, 'utf8').catch(() => ''));
  const { weekday, minutesOfDay } = localClock(nowMs, offset);
  if (kept?.some((s) => s.weekday === weekday && parseHhmmss(s.end_time) > minutesOfDay))
    return kept;
  const sections = defaultSchedule(nowMs, offset, seed);
  await writeTable(file, scheduleCsv(sections));
  return sections;
}

/** Starts writing demo traffic; a schedule with classes still to come today is kept from the last run. */
export async function startDemo(options: DemoOptions): Promise<DemoHandle> {
  const now = options.now ?? Date.now;
  const offset = options.offsetMinutes ?? 480;
  const rng = new Random(options.seed ?? now());
  const campusSeed = options.campusSeed ?? DEFAULT_CAMPUS_SEED;
  const tickMs = options.tickMs ?? 250;
  const files = demoFiles(options.dir);
  await Promise.all(Object.values(files).map((f) => mkdir(join(f, '..'), { recursive: true })));
  const sections = await schedule(files.schedule, now(), offset, campusSeed);
  const today = new Date(now() + offset * 60_000).toISOString().slice(0, 10);
  const tables = campusTables(campusSeed, sections, today);
  // The watcher publishes these files (and republishes them within the jobs' state TTL).
  await writeTable(files.registry, registryCsv(tables));
  await writeTable(files.rosters, rostersCsv(tables));
  await writeTable(files.calendar, calendarCsv(tables));
  const web = new WebTraffic(rng, offset);
  const campus = new CampusTraffic(rng, offset, sections, campusSeed);
  const baseRate = options.webRate ?? 50;
  const disorder = options.disorder ?? 0.05;
  const stats = { webLines: 0, wifiLines: 0 };
  // Late lines wait here until their "buffer" flushes, so the file holds them out of order.
  let delayed: { due: number; line: string }[] = [];

  let lastTick = now();
  // Traffic follows the clock, not the timer: a late timer (a busy machine) writes a bigger batch.
  const tick = async () => {
    const t = now();
    const elapsed = Math.max(0, t - lastTick);
    lastTick = t;
    const webLines: string[] = [];
    const count = rng.poisson((web.rateAt(t, baseRate) * elapsed) / 1000);
    for (let i = 0; i < count; i++) {
      const line = web.line(t - rng.int(0, elapsed));
      if (rng.chance(disorder)) delayed.push({ due: t + rng.int(1000, 4000), line });
      else webLines.push(line);
    }
    webLines.push(...delayed.filter((d) => d.due <= t).map((d) => d.line));
    delayed = delayed.filter((d) => d.due > t);
    const wifiLines = campus.tick(t, elapsed);
    if (webLines.length) await appendFile(files.web, webLines.join('\n') + '\n');
    if (wifiLines.length) await appendFile(files.wifi, wifiLines.join('\n') + '\n');
    stats.webLines += webLines.length;
    stats.wifiLines += wifiLines.length;
  };

  let running = true;
  const loop = (async () => {
    while (running) {
      const started = now();
      await tick();
      await new Promise((r) => setTimeout(r, Math.max(0, tickMs - (now() - started))));
    }
  })();
  return {
    files,
    sections,
    tables,
    stats,
    async stop() {
      running = false;
      await loop;
      if (delayed.length) await appendFile(files.web, delayed.map((d) => d.line).join('\n') + '\n');
      stats.webLines += delayed.length;
      delayed = [];
    },
  };
}
