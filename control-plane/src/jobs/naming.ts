/**
 * How a job is named in Flink and found again: Flink's job name is `<job>@<hash>`, so the truth
 * about what runs stays in Flink. The job's name comes from its file's header (`-- name:`), read
 * without rendering the script, so a job whose file is gone or broken can still be stopped.
 */
import { readFile } from 'node:fs/promises';
import { JOB_NAME_SEPARATOR, TERMINAL_STATES } from '../constants.js';
import type { JobOverview } from '../flink/index.js';
import { jobFile } from './script.js';

/** Flink's job name for a job and the hash of what it runs. */
export function flinkJobName(job: { name: string; hash: string }): string {
  return `${job.name}${JOB_NAME_SEPARATOR}${job.hash}`;
}

/** The job and hash a Flink job name carries (hash null for a name not made by us). */
export function parseFlinkName(name: string): { job: string; hash: string | null } {
  const at = name.lastIndexOf(JOB_NAME_SEPARATOR);
  return at < 0 ? { job: name, hash: null } : { job: name.slice(0, at), hash: name.slice(at + 1) };
}

/** Every Flink job of this job name, newest first. */
export function copiesOf(all: JobOverview[], name: string): JobOverview[] {
  return all
    .filter((j) => parseFlinkName(j.name).job === name)
    .sort((a, b) => b['start-time'] - a['start-time']);
}

/** The copies that still hold resources (not finished, cancelled or failed). */
export function activeCopiesOf(all: JobOverview[], name: string): JobOverview[] {
  return copiesOf(all, name).filter((j) => !TERMINAL_STATES.has(j.state));
}

const NAME_HEADER = /^--\s*name\s*:\s*(.*?)\s*$/i;

/**
 * The job name a file declares, from its header lines only; the file name when the file is gone or
 * declares none. Checks the file name (the one place a job name from a request is validated).
 */
export async function declaredName(jobsDir: string, file: string): Promise<string> {
  const path = jobFile(jobsDir, file);
  const text = await readFile(path, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed !== '' && !trimmed.startsWith('--')) break;
    const m = NAME_HEADER.exec(trimmed);
    if (m?.[1]) return m[1];
  }
  return file;
}
