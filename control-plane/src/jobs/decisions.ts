/**
 * What a deploy does, decided from what Flink runs, the state the job left behind and the request,
 * before anything is touched: nothing (the same copy already runs), start (from state, or fresh
 * from a point in time), upgrade the running copy through a savepoint, or replace it with a fresh
 * start, or refuse with a code and a reason. A pure function, so every rule is tested alone.
 * Whether state carries over is judged afterwards by the compatibility check.
 */
import { CodedError } from '@pulse/kit';
import type { DeployBody } from '@pulse/contracts';
import type { JobOverview } from '../flink/index.js';
import { parseFlinkName } from './naming.js';
import type { StartPosition } from './script.js';

/** State a job left behind: a savepoint of a stop or upgrade, or a retained checkpoint. */
export interface StateRecord {
  kind: 'savepoint' | 'checkpoint';
  location: string;
  /** The Flink job that wrote it (its deployment record says what that job ran). */
  jobId: string;
  /** Identity of the job that wrote it, when known. */
  hash: string | null;
  at: string;
}

/** Where a deploy asks to begin: from state, or fresh from a point in input time. */
export type StartRequest = 'state' | StartPosition | undefined;

export type DeployDecision =
  | { action: 'unchanged'; running: JobOverview }
  | { action: 'start'; state: StateRecord; allowNonRestoredState: boolean }
  | { action: 'start-fresh'; position: StartPosition }
  | { action: 'upgrade'; running: JobOverview; runningHash: string | null }
  | { action: 'replace'; running: JobOverview; position: StartPosition };

export interface DeployFacts {
  /** The rendered job: its name and the hash of what it would run. */
  job: { name: string; hash: string };
  /** Its copies in Flink that still hold resources. */
  active: JobOverview[];
  /** The newest state the job left behind (savepoint or retained checkpoint). */
  latest: StateRecord | undefined;
  body: DeployBody;
  /** The request's `start`, parsed. */
  start: StartRequest;
}

const NOW: StartPosition = { mode: 'latest-offset' };

/**
 * Reads the request's `start`: "state", "now", "earliest" or an ISO time (not in the future).
 * Absent: from the job's latest state when it has one, else from now.
 */
export function parseStart(start: string | undefined, now = Date.now()): StartRequest {
  if (start === undefined) return undefined;
  if (start === 'state') return 'state';
  if (start === 'now') return NOW;
  if (start === 'earliest') return { mode: 'earliest-offset' };
  const at = /^\d{4}-\d{2}-\d{2}T/.test(start) ? Date.parse(start) : Number.NaN;
  if (!Number.isFinite(at))
    throw new CodedError(
      'START_INVALID',
      `start "${start}" is not "state", "now", "earliest" or an ISO time such as 2026-11-23T08:00:00Z`,
    );
  if (at > now) throw new CodedError('START_INVALID', `start ${start} is in the future`);
  return { mode: 'timestamp', at };
}

/** Decides a deploy; throws a CodedError (JOB_DUPLICATED, NO_STATE, JOB_NOT_RUNNING) to refuse. */
export function decideDeploy({ job, active, latest, body, start }: DeployFacts): DeployDecision {
  if (active.length > 1) {
    throw new CodedError(
      'JOB_DUPLICATED',
      `${active.length} copies of ${job.name} are running in Flink (${active.map((j) => j.jid).join(', ')}); cancel the extra copies first`,
      false,
    );
  }
  const allowNonRestoredState = body.allowNonRestoredState ?? false;
  const running = active[0];
  if (!running) {
    if (body.savepointPath)
      return {
        action: 'start',
        state: { kind: 'savepoint', location: body.savepointPath, jobId: '', hash: null, at: '' },
        allowNonRestoredState,
      };
    if (start !== undefined && start !== 'state') return { action: 'start-fresh', position: start };
    if (latest) return { action: 'start', state: latest, allowNonRestoredState };
    if (start === 'state')
      throw new CodedError(
        'NO_STATE',
        `${job.name} left no savepoint or retained checkpoint; deploy with start "now", "earliest" or a time`,
        false,
      );
    return { action: 'start-fresh', position: NOW };
  }
  if (body.savepointPath)
    throw new CodedError(
      'JOB_RUNNING',
      `${job.name} is running (${running.jid}); savepointPath starts a stopped job — stop it first, or deploy without it to upgrade`,
      false,
    );
  if (running.state !== 'RUNNING')
    throw new CodedError(
      'JOB_NOT_RUNNING',
      `${job.name} is ${running.state} in Flink; an upgrade needs it RUNNING (cancel it to start over)`,
      true,
    );
  if (start !== undefined && start !== 'state')
    return { action: 'replace', running, position: start };
  const runningHash = parseFlinkName(running.name).hash;
  if (runningHash === job.hash && start === undefined) return { action: 'unchanged', running };
  return { action: 'upgrade', running, runningHash };
}
