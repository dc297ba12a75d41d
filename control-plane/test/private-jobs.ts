/**
 * A private copy of the jobs folder whose job `file` runs under another name. The control plane
 * finds running copies of a job by its name, so a test or benchmark deploying the real file would
 * upgrade (stop and replace) a job of that name that `npm start` runs on the same cluster.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { brokers, flinkUrl } from './kafka-helpers.js';

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

/**
 * A control plane of a test's own (no relay) on the real Kafka and Flink: its jobs folder is
 * `jobsDir`, its state a fresh temporary folder, so it never restores or reconciles what a running
 * `npm start` keeps.
 */
export async function privateControlPlane(
  jobsDir: string,
  token: string,
  env: Record<string, string> = {},
): Promise<FastifyInstance> {
  return buildApp({
    config: {
      ...loadConfig({
        ...process.env,
        KAFKA_BROKERS: brokers,
        FLINK_REST_URL: flinkUrl,
        JOBS_DIR: jobsDir,
        CONTROL_PLANE_STATE: mkdtempSync(join(tmpdir(), 'control-plane-state-')),
        ...env,
      }),
      operatorToken: token,
      logLevel: 'warn',
    },
    relay: false,
  });
}
