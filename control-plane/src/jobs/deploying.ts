/**
 * Starting a job version on Flink and checking it holds: plans it first (the real planner's
 * answer, and the graph its state is judged by), judges whether the state it would restore means
 * the same thing, gives each copy a deterministic Flink job id, and after an upgrade waits until
 * the new copy runs steadily, rolling back to the previous version from the same savepoint when
 * it does not.
 */
import type { JobPanels } from './panels.js';
import { createHash } from 'node:crypto';
import { CodedError, sleep } from '@pulse/kit';
import { runnerArgs, type FlinkClient } from '../flink/index.js';
import { compareState, printPlan, type Verdict, type VertexPrint } from './compatibility.js';
import { flinkJobName } from './naming.js';
import type { DeploymentRecord, DeploymentStore } from './savepoints.js';
import type { RenderedJob } from './script.js';
import { toSqlError } from './sql-error.js';

/** A refusal that carries the compatibility verdict it was decided by. */
export class StateVerdictError extends CodedError {
  constructor(
    code: 'STATE_INCOMPATIBLE' | 'STATE_DROPPED',
    message: string,
    readonly verdict: Verdict,
  ) {
    super(code, message, false);
  }
}

export interface StarterOptions {
  flink: FlinkClient;
  deployments?: DeploymentStore;
  /** How long a new copy of an upgrade may take to run steadily before it counts as failed. */
  settleTimeoutMs: number;
  /** How long every task must have run, without a failure, for the copy to count as steady. */
  steadyMs: number;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

/** What runs where a job version is started: script, name, parallelism. */
interface Runnable {
  name: string;
  hash: string;
  script: string;
  parallelism?: number | undefined;
  values: Record<string, string>;
  panels?: JobPanels | undefined;
}

const FAILING_STATES = new Set(['FAILED', 'FAILING', 'RESTARTING', 'CANCELED', 'CANCELLING']);

export class JobStarter {
  constructor(private readonly o: StarterOptions) {}

  /** Plans the job on the real planner: SQL errors with their position, or the graph's prints. */
  async plan(jarId: string, job: RenderedJob): Promise<{ plan: unknown; prints: VertexPrint[] }> {
    try {
      const { plan } = await this.o.flink.planJar(jarId, {
        programArgsList: runnerArgs(job.script, flinkJobName(job)),
        ...(job.parallelism ? { parallelism: job.parallelism } : {}),
      });
      return { plan, prints: printPlan(plan, job.script) };
    } catch (err) {
      throw toSqlError(job, err);
    }
  }

  /**
   * Judges restoring state written by Flink job `stateJobId` (identity `stateHash`) into a job
   * whose graph prints as `prints`. Undefined when nothing is known of the job that wrote it.
   */
  async judge(
    stateJobId: string,
    stateHash: string | null,
    job: RenderedJob,
    prints: VertexPrint[],
  ): Promise<Verdict | undefined> {
    const record = stateJobId ? await this.o.deployments?.byJobId(stateJobId) : undefined;
    if (record?.prints) return compareState(record.prints, prints);
    if (stateHash !== null && stateHash === job.hash) return compareState(prints, prints);
    return undefined;
  }

  /** Refuses what the verdict does not allow (an unknown verdict counts as incompatible). */
  enforce(
    verdict: Verdict | undefined,
    job: string,
    source: string,
    allowNonRestoredState: boolean,
  ): Verdict {
    const fresh = 'deploy with start "now", "earliest" or an ISO time to start fresh instead';
    if (!verdict)
      throw new StateVerdictError(
        'STATE_INCOMPATIBLE',
        `incompatible: there is no record of what wrote ${source} of ${job}, so its state cannot be checked; ${fresh}`,
        {
          verdict: 'incompatible',
          summary: 'incompatible: unknown state',
          dropped: [],
          changed: [],
          added: [],
        },
      );
    if (verdict.verdict === 'incompatible')
      throw new StateVerdictError(
        'STATE_INCOMPATIBLE',
        `${verdict.summary}. Nothing was stopped; ${fresh}`,
        verdict,
      );
    if (verdict.verdict === 'drops-state' && !allowNonRestoredState)
      throw new StateVerdictError(
        'STATE_DROPPED',
        `${verdict.summary}. Nothing was stopped; deploy with allowNonRestoredState: true to drop that state, or ${fresh}`,
        verdict,
      );
    return verdict;
  }

  /**
   * Starts a job version, from `savepoint` when given, under a job id derived from the job, its
   * identity and how many copies of it were started before: a retried or concurrent submission of
   * the same start collides in Flink instead of starting a second copy.
   */
  async start(
    jarId: string,
    job: Runnable,
    prints: VertexPrint[] | undefined,
    savepoint: string | null,
    allowNonRestoredState: boolean,
  ): Promise<string> {
    const earlier = await this.o.deployments?.ofJob(job.name);
    // Counts up from the newest copy's generation (the record file keeps only the newest copies).
    const generation =
      earlier === undefined
        ? undefined
        : Math.max(earlier.length, ...earlier.map((r) => (r.generation ?? -1) + 1));
    const jobId =
      generation === undefined
        ? undefined
        : createHash('sha256')
            .update(`${job.name}\0${job.hash}\0${generation}`)
            .digest('hex')
            .slice(0, 32);
    try {
      const started = await this.o.flink.runJar(jarId, {
        programArgsList: runnerArgs(job.script, flinkJobName(job)),
        ...(job.parallelism ? { parallelism: job.parallelism } : {}),
        ...(savepoint ? { savepointPath: savepoint, allowNonRestoredState } : {}),
        ...(jobId ? { jobId } : {}),
      });
      this.o.log.info(
        { job: job.name, jobId: started.jobId, hash: job.hash, savepoint },
        'job started',
      );
      const record: DeploymentRecord = {
        job: job.name,
        jobId: started.jobId,
        hash: job.hash,
        values: job.values,
        at: new Date().toISOString(),
        ...(generation !== undefined ? { generation } : {}),
        script: job.script,
        ...(job.parallelism ? { parallelism: job.parallelism } : {}),
        ...(prints ? { prints } : {}),
        ...(job.panels && job.panels.panels.length > 0 ? { panels: job.panels } : {}),
      };
      await this.o.deployments
        ?.add(record)
        .catch((err: unknown) =>
          this.o.log.warn({ err, job: job.name }, 'could not record the deployment'),
        );
      return started.jobId;
    } catch (err) {
      if (/DuplicateJobSubmission|already been submitted/i.test(String((err as Error).message)))
        throw new CodedError(
          'JOB_DUPLICATED',
          `${job.name}: Flink already has job ${jobId}; another deploy of the same version got there first`,
          false,
        );
      if ('lineMap' in job) throw toSqlError(job as RenderedJob, err);
      throw err;
    }
  }

  /**
   * Waits until every task of the job has run for `steadyMs` without a failure. Returns why it
   * did not (a failure, a restart, or the timeout), or undefined when it holds.
   */
  async settle(jobId: string): Promise<string | undefined> {
    const deadline = Date.now() + this.o.settleTimeoutMs;
    let steadySince: number | undefined;
    while (Date.now() < deadline) {
      const job = await this.o.flink.job(jobId).catch(() => undefined);
      if (job) {
        const root = (await this.o.flink.jobExceptions(jobId).catch(() => undefined))?.[
          'root-exception'
        ];
        if (root || FAILING_STATES.has(job.state))
          return `the new copy ${jobId} is ${job.state}${root ? `: ${firstLine(root)}` : ''}`;
        if (job.state === 'RUNNING' && job.vertices.every((v) => v.status === 'RUNNING')) {
          steadySince ??= Date.now();
          if (Date.now() - steadySince >= this.o.steadyMs) return undefined;
        } else steadySince = undefined;
      }
      await sleep(500);
    }
    return `the new copy ${jobId} did not run steadily within ${this.o.settleTimeoutMs} ms`;
  }

  /** The previous version as it was started (undefined when it was started without a record). */
  async previous(jobId: string): Promise<DeploymentRecord | undefined> {
    return this.o.deployments?.byJobId(jobId);
  }
}

const firstLine = (text: string): string => text.split('\n')[0]!.slice(0, 500);
