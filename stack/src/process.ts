import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  closeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { pidAlive, sleep } from '@pulse/kit';

/** What `up` records about a process it started, so `down` stops exactly that process. */
export interface PidRecord {
  part: string;
  pid: number;
  port: number;
  startedAt: string;
  /** A JVM argument unique to this stack home; checked against /proc before signalling. */
  marker: string;
}

export function readPidFile(path: string): PidRecord | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as PidRecord;
  } catch {
    return undefined;
  }
}

/** True when the pid is alive and still the process we started (pids get reused). */
export function isOurs(record: PidRecord): boolean {
  try {
    process.kill(record.pid, 0);
  } catch {
    return false;
  }
  try {
    const cmdline = readFileSync(`/proc/${record.pid}/cmdline`, 'utf8');
    return cmdline.split('\0').includes(record.marker);
  } catch {
    // No /proc (not Linux): fall back to the liveness check alone.
    return true;
  }
}

/** Starts a detached process whose stdout/stderr go to a file; it outlives the launcher. */
export function startDetached(
  command: string,
  args: string[],
  outFile: string,
  options: { cwd: string; user?: { uid: number; gid: number } | undefined },
): number {
  mkdirSync(dirname(outFile), { recursive: true });
  const fd = openSync(outFile, 'a');
  try {
    const child = spawn(command, args, {
      cwd: options.cwd,
      detached: true,
      stdio: ['ignore', fd, fd],
      ...(options.user ?? {}),
    });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

export function writePidFile(path: string, record: PidRecord): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(record, null, 2) + '\n');
}

/** `signal` (SIGTERM), then SIGKILL after the grace period. Resolves once the process is gone. */
export async function stopProcess(
  record: PidRecord,
  graceMs: number,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<'stopped' | 'killed' | 'gone'> {
  if (!isOurs(record)) return 'gone';
  try {
    process.kill(record.pid, signal);
  } catch {
    return 'gone';
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!pidAlive(record.pid)) return 'stopped';
    await sleep(200);
  }
  try {
    process.kill(record.pid, 'SIGKILL');
  } catch {
    return 'stopped';
  }
  while (pidAlive(record.pid)) await sleep(100);
  return 'killed';
}

export function removePidFile(path: string): void {
  rmSync(path, { force: true });
}

/** Resident memory in MiB from /proc, or undefined where not available. */
export function residentMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Math.round(Number(kb) / 1024) : undefined;
  } catch {
    return undefined;
  }
}
