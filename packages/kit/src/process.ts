import { readFileSync } from 'node:fs';

/**
 * True while a process with this pid exists and is not a zombie waiting to be reaped (a zombie
 * still answers signal 0; its state letter in /proc tells).
 */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    // No /proc (not Linux): signal 0 is all there is.
    return process.platform !== 'linux';
  }
}
