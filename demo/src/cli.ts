import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { demoFiles, startDemo } from './demo.js';
import { DEFAULT_CAMPUS_SEED } from './people.js';
import { replay } from './replay.js';

const HELP = `Demo traffic for the dashboard: web access logs (combined format), campus Wi-Fi associations
(JSON lines), a course schedule, and the campus's device registry, class rosters and term calendar
(CSV), written into a folder the watcher watches. The students and their devices come from the
campus seed, so every run has the same people with the same MACs.

Usage: npm run demo -- [options]

Options:
  --dir <folder>      where to write (default .stack/demo)
  --rate <n>          web requests per second at the daily peak (default 50)
  --offset <+hhmm>    UTC offset of the servers and the campus (default +0800)
  --seed <n>          seed of the traffic, for a reproducible run
  --campus-seed <n>   seed of the students, devices, rosters and registry (default ${DEFAULT_CAMPUS_SEED})
  --replay <file>     replay an existing access log instead of generating web traffic
  --speed <x>         replay speed: 1 = real time (default 1)
  --no-restamp        keep the replayed lines' original times
  -h, --help          this help

Files: <dir>/web/access.log, <dir>/wifi/associations.log, <dir>/schedule/schedule.csv,
       <dir>/campus/registry.csv, <dir>/campus/rosters.csv, <dir>/campus/calendar.csv
`;

function offsetMinutes(value: string): number {
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(value);
  if (!m) throw new Error(`--offset must look like +0800 or -07:00, got "${value}"`);
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string', default: resolve('.stack', 'demo') },
      rate: { type: 'string', default: '50' },
      offset: { type: 'string', default: '+0800' },
      seed: { type: 'string' },
      'campus-seed': { type: 'string' },
      replay: { type: 'string' },
      speed: { type: 'string', default: '1' },
      'no-restamp': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const rate = Number(values.rate);
  const speed = Number(values.speed);
  if (!(rate >= 0)) throw new Error(`--rate must be a number ≥ 0, got "${values.rate}"`);
  if (!(speed > 0)) throw new Error(`--speed must be a number > 0, got "${values.speed}"`);
  const dir = resolve(values.dir);
  const controller = new AbortController();
  if (values.replay) {
    const to = demoFiles(dir).web;
    process.stderr.write(`replaying ${values.replay} into ${to} at ${speed}x\n`);
    process.on('SIGINT', () => controller.abort());
    process.on('SIGTERM', () => controller.abort());
    const { mkdir } = await import('node:fs/promises');
    await mkdir(resolve(to, '..'), { recursive: true });
    const count = await replay({
      from: values.replay,
      to,
      speed,
      restamp: !values['no-restamp'],
      signal: controller.signal,
    });
    process.stderr.write(`replayed ${count} lines\n`);
    return;
  }
  const demo = await startDemo({
    dir,
    webRate: rate,
    offsetMinutes: offsetMinutes(values.offset),
    ...(values.seed ? { seed: Number(values.seed) } : {}),
    ...(values['campus-seed'] ? { campusSeed: Number(values['campus-seed']) } : {}),
  });
  process.stderr.write(
    `writing demo traffic into ${dir} (${demo.sections.length} course sections; Ctrl-C stops)\n`,
  );
  const timer = setInterval(
    () =>
      process.stderr.write(
        `  ${demo.stats.webLines} web lines, ${demo.stats.wifiLines} Wi-Fi lines\n`,
      ),
    10_000,
  );
  const stop = async () => {
    clearInterval(timer);
    await demo.stop();
    process.stderr.write(
      `stopped: ${demo.stats.webLines} web lines, ${demo.stats.wifiLines} Wi-Fi lines written\n`,
    );
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
