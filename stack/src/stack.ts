import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { endpoints, type StackConfig } from './config.js';
import { portOpen } from './health.js';
import { resolveArtifacts } from './artifacts.js';
import { javaVersion } from './java.js';
import { withLock } from './lock.js';
import { StackError, type Reporter } from './log.js';
import { buildParts, paths, PART_ORDER, type Libs, type Part, type PartName } from './parts.js';
import {
  isOurs,
  readPidFile,
  removePidFile,
  residentMiB,
  startDetached,
  stopProcess,
  writePidFile,
} from './process.js';
import { sleep } from '@pulse/kit';

export interface UpResult {
  /** Parts this call started (the rest were already running). */
  started: PartName[];
  endpoints: ReturnType<typeof endpoints>;
}

export interface UpOptions {
  /** Start only these parts (in stack order); default all of them. */
  parts?: readonly PartName[];
}

function selected(parts?: readonly PartName[]): PartName[] {
  return PART_ORDER.filter((p) => !parts || parts.includes(p));
}

/** Starts whatever is not running and waits until every part is healthy. Idempotent. */
export async function up(
  config: StackConfig,
  report: Reporter,
  options: UpOptions = {},
): Promise<UpResult> {
  mkdirSync(config.home, { recursive: true });
  return withLock(
    join(config.home, 'run', 'launcher.lock'),
    () => report.info('another launcher is working on this stack; waiting for it'),
    async () => {
      const major = await javaVersion(config.java);
      if (major < 11)
        throw new StackError(
          'STACK_JAVA_VERSION',
          `Java ${major} is too old: Kafka 3.9 needs Java 11 or newer (found via ${config.java})`,
          'java',
        );
      report.step(`Java ${major} found; runtime folder ${config.home}`);
      const libs = await resolveArtifacts(config, report);
      const parts = buildParts(config);
      const started: PartName[] = [];
      for (const name of selected(options.parts)) {
        const part = parts[name];
        const record = readPidFile(part.pidFile);
        if (part.external) {
          report.step(`${name}: ${part.external} is set; using it, starting none`);
        } else if (record && isOurs(record)) {
          report.step(`${name}: already running (pid ${record.pid})`);
        } else {
          if (record) removePidFile(part.pidFile);
          await checkPortFree(config, part);
          await startPart(config, part, libs, report);
          started.push(name);
        }
        if (!started.includes(name)) await waitHealthy(config, part, report);
        await part.ready?.(report);
      }
      return { started, endpoints: endpoints(config) };
    },
  );
}

const START_ATTEMPTS = 4;
const START_RETRY_MS = 8_000;

/**
 * Starts a part and waits until it is healthy. A start that fails for a reason that passes with
 * time (the part says which) is tried again a few times.
 */
async function startPart(
  config: StackConfig,
  part: Part,
  libs: Libs,
  report: Reporter,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    report.step(`${part.name}: starting`);
    const logStart = existsSync(part.logFile) ? statSync(part.logFile).size : 0;
    const prepared = await part.prepare(libs, report);
    const launch = Array.isArray(prepared)
      ? { command: config.java, args: prepared, cwd: config.home }
      : prepared;
    const pid = startDetached(launch.command, launch.args, part.outFile, {
      cwd: launch.cwd ?? config.home,
      user: launch.user,
    });
    writePidFile(part.pidFile, {
      part: part.name,
      pid,
      port: part.port,
      startedAt: new Date().toISOString(),
      marker: part.marker,
    });
    try {
      await waitHealthy(config, part, report);
      return;
    } catch (err) {
      const reason =
        err instanceof StackError && err.code === 'STACK_PART_DIED' && attempt < START_ATTEMPTS
          ? part.passingFailure?.(logSince(part.logFile, logStart))
          : undefined;
      if (!reason) throw err;
      removePidFile(part.pidFile);
      report.info(
        `${part.name}: exited during start-up because ${reason}; trying again in ${START_RETRY_MS / 1000}s (attempt ${attempt + 1} of ${START_ATTEMPTS})`,
      );
      await sleep(START_RETRY_MS);
    }
  }
}

/** What a log file gained after byte `from` (empty when it is gone). */
function logSince(file: string, from: number): string {
  if (!existsSync(file)) return '';
  const text = readFileSync(file);
  return text.subarray(Math.min(from, text.length)).toString('utf8');
}

async function checkPortFree(config: StackConfig, part: Part): Promise<void> {
  const ports =
    part.name === 'jobmanager' ? [part.port, config.flinkRpcPort] : part.port ? [part.port] : [];
  for (const port of ports) {
    if (await portOpen(config.host, port)) {
      throw new StackError(
        'STACK_PORT_TAKEN',
        `${part.name}: port ${config.host}:${port} is taken by a process this stack did not start; stop it or choose another port (see README: ports)`,
        part.name,
      );
    }
  }
}

async function waitHealthy(config: StackConfig, part: Part, report: Reporter): Promise<void> {
  const started = Date.now();
  const deadline = started + config.startTimeoutSec * 1000;
  let lastNote = started;
  while (Date.now() < deadline) {
    if (await part.healthy()) {
      report.info(
        `${part.name}: healthy (${await part.describeHealth()}) after ${((Date.now() - started) / 1000).toFixed(1)}s`,
      );
      return;
    }
    const record = readPidFile(part.pidFile);
    if (!part.external && (!record || !isOurs(record))) {
      throw new StackError(
        'STACK_PART_DIED',
        `${part.name} exited during start-up`,
        part.name,
        existsSync(part.logFile) ? part.logFile : part.outFile,
      );
    }
    if (Date.now() - lastNote > 5000) {
      lastNote = Date.now();
      report.info(
        `${part.name}: waiting (${await part.describeHealth()}, ${Math.round((Date.now() - started) / 1000)}s)`,
      );
    }
    await sleep(500);
  }
  throw new StackError(
    'STACK_TIMEOUT',
    `${part.name} did not become healthy within ${config.startTimeoutSec}s (${await part.describeHealth()})`,
    part.name,
    part.logFile,
  );
}

/** Stops exactly the processes `up` started, in reverse order. `purge` then removes the runtime folder. */
export async function down(
  config: StackConfig,
  report: Reporter,
  options: { purge?: boolean; parts?: readonly PartName[] } = {},
): Promise<PartName[]> {
  const parts = buildParts(config);
  const stopped: PartName[] = [];
  for (const name of [...selected(options.parts)].reverse()) {
    const part = parts[name];
    const record = readPidFile(part.pidFile);
    if (!record) continue;
    const how = await stopProcess(
      record,
      name === 'kafka' ? 60_000 : 30_000,
      part.stopSignal ?? 'SIGTERM',
    );
    removePidFile(part.pidFile);
    if (how !== 'gone') {
      stopped.push(name);
      report.step(`${name}: ${how} (pid ${record.pid})`);
    } else {
      report.step(`${name}: was not running`);
    }
  }
  if (options.purge) {
    rmSync(config.home, { recursive: true, force: true });
    report.step(`removed ${config.home}`);
  }
  return stopped;
}

export interface PartStatus {
  part: PartName;
  pid: number | undefined;
  running: boolean;
  port: number;
  healthy: boolean;
  health: string;
  rssMiB: number | undefined;
  log: string;
}

/** Each part with its pid, port, health and memory. */
export async function status(config: StackConfig): Promise<PartStatus[]> {
  const parts = buildParts(config);
  const out: PartStatus[] = [];
  for (const name of PART_ORDER) {
    const part = parts[name];
    const record = readPidFile(part.pidFile);
    const running = record !== undefined && isOurs(record);
    const healthy = (running || part.external !== undefined) && (await part.healthy());
    out.push({
      part: name,
      pid: running ? record.pid : undefined,
      running,
      port: part.port,
      healthy,
      health: running || part.external ? await part.describeHealth() : 'stopped',
      rssMiB: running ? residentMiB(record.pid) : undefined,
      log: part.logFile,
    });
  }
  return out;
}

export { paths };
