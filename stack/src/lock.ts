import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { pidAlive, sleep } from '@pulse/kit';

/** The pid written in a lock file, if it holds one. */
export function lockHolder(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes a lock file for this process unless a live process holds it; a lock left by a dead
 * process is taken over. Returns the live holder's pid when the lock is taken.
 */
export function tryLock(path: string): { taken: true } | { taken: false; holder: number } {
  mkdirSync(dirname(path), { recursive: true });
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return { taken: true };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = lockHolder(path);
      if (pid !== undefined && pidAlive(pid)) return { taken: false, holder: pid };
      rmSync(path, { force: true });
    }
  }
}

/** Gives a lock back. */
export function releaseLock(path: string): void {
  rmSync(path, { force: true });
}

/**
 * Runs fn while holding a lock file, so two launchers (say, two test runs) never start the same
 * part twice. Waits while a live process holds it.
 */
export async function withLock<T>(
  path: string,
  onWait: () => void,
  fn: () => Promise<T>,
): Promise<T> {
  let announced = false;
  while (!tryLock(path).taken) {
    if (!announced) {
      onWait();
      announced = true;
    }
    await sleep(500);
  }
  try {
    return await fn();
  } finally {
    releaseLock(path);
  }
}
