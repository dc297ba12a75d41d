/**
 * What a deploy does, decided from what Flink runs, the known savepoints and the request, before
 * anything is touched: start fresh, start from a savepoint, upgrade the running copy through a
 * savepoint, or refuse with a code and a reason. A pure function, so every rule is tested alone.
 */
import { CodedError } from '@pulse/kit';
import type { DeployBody } from '@pulse/contracts';
import type { JobOverview } from '../flink/index.js';
import { parseFlinkName } from './naming.js';
import type { SavepointRecord } from './savepoints.js';

export type DeployDecision =
  | { action: 'start'; savepoint: string | null }
  | { action: 'upgrade'; running: JobOverview; runningHash: string | null };

export interface DeployFacts {
  /** The rendered job: its name and the hash of what it would run. */
  job: { name: string; hash: string };
  /** Its copies in Flink that still hold resources. */
  active: JobOverview[];
  /** The newest savepoint known for the job. */
  latest: SavepointRecord | undefined;
  body: DeployBody;
}

/** Decides a deploy; throws a CodedError (JOB_DUPLICATED, NO_SAVEPOINT, SCRIPT_CHANGED, JOB_NOT_RUNNING) to refuse. */
export function decideDeploy({ job, active, latest, body }: DeployFacts): DeployDecision {
  if (active.length > 1) {
    throw new CodedError(
      'JOB_DUPLICATED',
      `${active.length} copies of ${job.name} are running in Flink (${active.map((j) => j.jid).join(', ')}); cancel the extra copies first`,
      false,
    );
  }
  const running = active[0];
  if (!running) {
    if (body.savepointPath) return { action: 'start', savepoint: body.savepointPath };
    if (!body.restoreLatestSavepoint) return { action: 'start', savepoint: null };
    if (!latest)
      throw new CodedError(
        'NO_SAVEPOINT',
        `no savepoint of ${job.name} is known; deploy without restoreLatestSavepoint`,
        false,
      );
    if (latest.hash !== job.hash && !body.allowNonRestoredState)
      throw new CodedError(
        'SCRIPT_CHANGED',
        `${job.name} changed since its savepoint ${latest.location} (hash ${latest.hash} → ${job.hash}); pass allowNonRestoredState: true to restore it anyway`,
        false,
      );
    return { action: 'start', savepoint: latest.location };
  }
  if (running.state !== 'RUNNING')
    throw new CodedError(
      'JOB_NOT_RUNNING',
      `${job.name} is ${running.state} in Flink; an upgrade needs it RUNNING (cancel it to start over)`,
      true,
    );
  const runningHash = parseFlinkName(running.name).hash;
  if (runningHash !== job.hash && !body.allowNonRestoredState)
    throw new CodedError(
      'SCRIPT_CHANGED',
      `${job.name} changed since the running copy was deployed (hash ${runningHash} → ${job.hash}); state of changed operators may not restore. Pass allowNonRestoredState: true to upgrade anyway`,
      false,
    );
  return { action: 'upgrade', running, runningHash };
}
