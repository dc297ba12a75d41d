/**
 * `npm start`: brings the system up on this machine and keeps it running until Ctrl-C, then stops
 * what it started in reverse order. Running it again resumes from the runtime folder.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { consoleReporter, down, loadConfig, silentReporter, up, type PartName } from '@pulse/stack';

const report = consoleReporter('start');
const config = loadConfig();
const lockFile = join(config.home, 'run', 'start.lock');

/** One `npm start` per runtime folder: a second one would fight the first over the same processes. */
function takeStartLock(): void {
  try {
    const fd = openSync(lockFile, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const pid = Number(readFileSync(lockFile, 'utf8'));
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {
      alive = false;
    }
    if (alive) {
      process.stderr.write(`start: the system is already running here (npm start, pid ${pid}); stop it with Ctrl-C in its terminal or kill -INT ${pid}\n`);
      process.exit(3);
    }
    rmSync(lockFile, { force: true });
    takeStartLock();
  }
}

async function main(): Promise<void> {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(config.home, 'run'), { recursive: true });
  takeStartLock();
  const startedParts: PartName[] = [];
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    report.step(`${signal}: stopping what this run started`);
    await down(config, silentReporter, { parts: startedParts });
    rmSync(lockFile, { force: true });
    report.step('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  report.step('step 1: the runtime (ZooKeeper, Kafka, Flink)');
  const stack = await up(config, report);
  startedParts.push(...stack.started);
  report.step('ready');
  process.stdout.write(`\n  Flink web UI   ${stack.endpoints.flinkRestUrl}\n  Kafka          ${stack.endpoints.kafkaBrokers}\n\nPress Ctrl-C to stop.\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`start: ${err instanceof Error ? err.message : String(err)}\n`);
  rmSync(lockFile, { force: true });
  process.exit(1);
});
