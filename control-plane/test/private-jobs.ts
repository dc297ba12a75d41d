/**
 * A private copy of the jobs folder whose job `file` runs under another name. The control plane
 * finds running copies of a job by its name, so a test or benchmark deploying the real file would
 * upgrade (stop and replace) a job of that name that `npm start` runs on the same cluster.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Copies `jobsDir` to a temporary folder and renames job `file` (without .sql) to `name`. */
export function privateJobsDir(
  jobsDir: string,
  file: string,
  name: string,
): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'pulse-jobs-'));
  cpSync(jobsDir, dir, { recursive: true });
  const path = join(dir, `${file}.sql`);
  writeFileSync(path, readFileSync(path, 'utf8').replace(/^--\s*name:.*$/m, `-- name: ${name}`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
