import { appendFile, mkdir, writeFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import { CampusTraffic, defaultSchedule, scheduleCsv, type Section } from './campus.js';
import { Random } from './random.js';
import { WebTraffic } from './web.js';

export interface DemoOptions {
  /** Folder the logs are written into (the watcher watches it). */
  dir: string;
  /** Mean web requests per second at the daily peak. Default 50. */
  webRate?: number;
  /** UTC offset of the web servers and of the campus, in minutes. Default +480 (UTC+8). */
  offsetMinutes?: number;
  /** Seed for a reproducible run. Default: time-based. */
  seed?: number;
  /** Share of web lines written a few seconds late, as real servers' buffered logs are. Default 0.05. */
  disorder?: number;
  tickMs?: number;
  now?: () => number;
}

export interface DemoFiles {
  web: string;
  wifi: string;
  schedule: string;
}

export function demoFiles(dir: string): DemoFiles {
  return {
    web: join(dir, 'web', 'access.log'),
    wifi: join(dir, 'wifi', 'associations.log'),
    schedule: join(dir, 'schedule', 'schedule.csv'),
  };
}

export interface DemoHandle {
  files: DemoFiles;
  sections: Section[];
  stats: { webLines: number; wifiLines: number };
  stop(): Promise<void>;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Starts writing demo traffic; the schedule file is written once and kept on later runs. */
export async function startDemo(options: DemoOptions): Promise<DemoHandle> {
  const now = options.now ?? Date.now;
  const offset = options.offsetMinutes ?? 480;
  const rng = new Random(options.seed ?? now());
  const tickMs = options.tickMs ?? 250;
  const files = demoFiles(options.dir);
  await Promise.all(Object.values(files).map((f) => mkdir(join(f, '..'), { recursive: true })));
  const sections = defaultSchedule(now(), offset, rng);
  if (!(await exists(files.schedule))) await writeFile(files.schedule, scheduleCsv(sections));
  const web = new WebTraffic(rng, offset);
  const campus = new CampusTraffic(rng, offset, sections);
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
