/** What npm start prepares on disk: the dashboard build and the demo watcher's configuration. */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TOPICS } from '@pulse/contracts';

/** Builds ui/dist unless it is there; resolves with whether it built. */
export async function buildDashboard(repoRoot: string): Promise<boolean> {
  if (existsSync(join(repoRoot, 'ui', 'dist', 'index.html'))) return false;
  await new Promise<void>((resolve, reject) => {
    const build = spawn('npx', ['vite', 'build'], {
      cwd: join(repoRoot, 'ui'),
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    build.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`building the dashboard failed (vite build exit ${code})`)),
    );
  });
  return true;
}

/** How often the demo watcher sends heartbeats to a quiet log topic. */
const DEMO_HEARTBEAT_MS = 10_000;

/** Writes the watcher configuration that tails the demo traffic folder; returns its path. */
export function writeDemoWatcherConfig(
  home: string,
  demoDir: string,
  kafkaBrokers: string,
  httpPort: number,
): string {
  const file = join(home, 'watcher.json');
  const source = (
    name: string,
    paths: string,
    format: string,
    topic: string,
    timezone: string,
  ) => ({
    name,
    paths: [join(demoDir, paths)],
    format,
    topic,
    timezone,
  });
  const config = {
    kafka: { brokers: [kafkaBrokers] },
    stateId: 'demo',
    http: { port: httpPort },
    sources: [
      // Heartbeats while a log is quiet (the demo stopped, a night without traffic), so the
      // jobs' last windows still close: within WATERMARK_DELAY + heartbeatMs (+ the slide).
      {
        ...source('web', 'web/access.log*', 'combined', TOPICS.accessLog, 'UTC'),
        heartbeatMs: DEMO_HEARTBEAT_MS,
      },
      {
        ...source('wifi', 'wifi/associations.log*', 'wifi-json', TOPICS.wifiLog, 'Asia/Shanghai'),
        heartbeatMs: DEMO_HEARTBEAT_MS,
      },
      source(
        'schedule',
        'schedule/schedule.csv',
        'schedule-csv',
        TOPICS.courseSchedule,
        'Asia/Shanghai',
      ),
      // The campus's optional tables: the attendance job counts students through them.
      source('registry', 'campus/registry.csv', 'registry-csv', TOPICS.deviceRegistry, 'UTC'),
      source('rosters', 'campus/rosters.csv', 'roster-csv', TOPICS.classRoster, 'UTC'),
      source('calendar', 'campus/calendar.csv', 'calendar-csv', TOPICS.termCalendar, 'UTC'),
    ],
  };
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}
