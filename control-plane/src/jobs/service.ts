import { readdir } from 'node:fs/promises';
import { CodedError } from '@pulse/kit';
import type { DeployBody, DeployResult, JobSummary, StopResult } from '@pulse/contracts';
import { TERMINAL_STATES } from '../constants.js';
import { ensureRunnerJar, runnerArgs, type FlinkClient, type JobOverview } from '../flink/index.js';
import { decideDeploy } from './decisions.js';
import { activeCopiesOf, copiesOf, declaredName, flinkJobName, parseFlinkName } from './naming.js';
import type { DeploymentStore, SavepointStore } from './savepoints.js';
import { jobFile, JobScriptError, renderJob, type RenderedJob } from './script.js';
import { toSqlError } from './sql-error.js';
import { SavepointStopper } from './stopping.js';

export { SqlInvalidError } from './sql-error.js';
export { flinkJobName } from './naming.js';

export interface JobServiceOptions {
  flink: FlinkClient;
  jobsDir: string;
  runnerJar: string;
  savepoints: SavepointStore;
  /** Where the values of started copies are recorded (absent: the listing cannot show them). */
  deployments?: DeploymentStore;
  stopTimeoutMs: number;
  /** Values for declared variables when a deploy does not set them (JOB_VARIABLES). */
  jobVariables?: Record<string, string>;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

/**
 * Validates, deploys, upgrades, stops and cancels the jobs in the jobs folder. Every decision reads
 * Flink's own job list first, so a status can never disagree with the cluster; one operation per
 * job runs at a time, so two clicks cannot start two copies.
 */
export class JobService {
  private readonly busy = new Map<string, string>();
  private readonly stopper: SavepointStopper;
  private jarId: Promise<string> | undefined;

  constructor(private readonly o: JobServiceOptions) {
    this.stopper = new SavepointStopper({
      flink: o.flink,
      savepoints: o.savepoints,
      timeoutMs: o.stopTimeoutMs,
      log: o.log,
    });
  }

  private runnerJar(): Promise<string> {
    this.jarId ??= ensureRunnerJar(this.o.flink, this.o.runnerJar).catch((err: unknown) => {
      this.jarId = undefined;
      throw err;
    });
    return this.jarId;
  }

  /** The job files: *.sql directly in the jobs folder (included tables live in sub-folders). */
  async names(): Promise<string[]> {
    const entries = await readdir(this.o.jobsDir, { withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && e.name.endsWith('.sql'))
      .map((e) => e.name.slice(0, -4))
      .sort();
  }

  async list(): Promise<JobSummary[]> {
    const [names, flinkJobs] = await Promise.all([this.names(), this.o.flink.jobsOverview()]);
    return Promise.all(names.map((name) => this.summary(name, flinkJobs)));
  }

  async summary(name: string, flinkJobs?: JobOverview[]): Promise<JobSummary> {
    const all = flinkJobs ?? (await this.o.flink.jobsOverview());
    let rendered: RenderedJob | undefined;
    let error: string | undefined;
    try {
      rendered = await renderJob(this.o.jobsDir, name, {}, this.o.jobVariables);
    } catch (err) {
      if (err instanceof JobScriptError && err.code === 'JOB_NOT_FOUND') throw err;
      error = err instanceof Error ? err.message : String(err);
    }
    const jobName = rendered?.name ?? name;
    const newest = copiesOf(all, jobName)[0];
    const runningHash =
      newest && !TERMINAL_STATES.has(newest.state) ? parseFlinkName(newest.name).hash : null;
    const runningVariables =
      runningHash && newest
        ? (await this.o.deployments?.find(jobName, runningHash))?.values
        : undefined;
    const pendingJobId = this.stopper.pendingJobId(jobName);
    const state =
      pendingJobId && newest?.jid === pendingJobId && !TERMINAL_STATES.has(newest.state)
        ? 'STOPPING'
        : (newest?.state ?? 'NOT_DEPLOYED');
    return {
      name: jobName,
      file: `${name}.sql`,
      description: rendered?.description ?? '',
      hash: rendered?.hash ?? null,
      state,
      jobId: newest?.jid ?? null,
      runningHash,
      drift: runningHash !== null && rendered !== undefined && runningHash !== rendered.hash,
      startTime: newest?.['start-time'] ?? null,
      variables: rendered?.variables ?? {},
      ...(runningVariables ? { runningVariables } : {}),
      ...(error ? { error } : {}),
    };
  }

  async details(name: string) {
    const summary = await this.summary(name);
    const savepoints = await this.o.savepoints.list(summary.name);
    if (!summary.jobId) return { job: summary, flink: null, savepoints };
    const [job, checkpoints, exceptions] = await Promise.all([
      this.o.flink.job(summary.jobId),
      this.o.flink.jobCheckpoints(summary.jobId).catch(() => null),
      this.o.flink.jobExceptions(summary.jobId).catch(() => null),
    ]);
    return {
      job: summary,
      flink: {
        state: job.state,
        vertices: job.vertices.map((v) => ({
          id: v.id,
          name: v.name,
          parallelism: v.parallelism,
          status: v.status,
          metrics: v.metrics ?? {},
        })),
        checkpoints,
        exceptions,
      },
      savepoints,
    };
  }

  private async exclusive<T>(name: string, what: string, fn: () => Promise<T>): Promise<T> {
    const current = this.busy.get(name);
    if (current)
      throw new CodedError('JOB_BUSY', `${name} is busy: ${current} is in progress`, true);
    this.busy.set(name, what);
    try {
      return await fn();
    } finally {
      this.busy.delete(name);
    }
  }

  async validate(
    name: string,
    variables: Record<string, string> = {},
  ): Promise<{ hash: string; plan: unknown }> {
    const job = await renderJob(this.o.jobsDir, name, variables, this.o.jobVariables);
    const jar = await this.runnerJar();
    try {
      const { plan } = await this.o.flink.planJar(jar, {
        programArgsList: runnerArgs(job.script, flinkJobName(job)),
        ...(job.parallelism ? { parallelism: job.parallelism } : {}),
      });
      return { hash: job.hash, plan };
    } catch (err) {
      throw toSqlError(job, err);
    }
  }

  async deploy(name: string, body: DeployBody = {}): Promise<DeployResult> {
    jobFile(this.o.jobsDir, name);
    return this.exclusive(name, 'a deploy', async () => {
      const job = await renderJob(this.o.jobsDir, name, body.variables ?? {}, this.o.jobVariables);
      const [all, latest] = await Promise.all([
        this.o.flink.jobsOverview(),
        this.o.savepoints.latest(job.name),
      ]);
      const decision = decideDeploy({ job, active: activeCopiesOf(all, job.name), latest, body });
      const allowNonRestoredState = body.allowNonRestoredState ?? false;
      if (decision.action === 'start') {
        const jobId = await this.start(job, decision.savepoint, allowNonRestoredState);
        return {
          action: 'started',
          jobId,
          previousJobId: null,
          hash: job.hash,
          savepoint: decision.savepoint,
        };
      }
      const { running, runningHash } = decision;
      const location = await this.stopper.stopWithSavepoint(
        job.name,
        running.jid,
        runningHash ?? job.hash,
        'upgrade',
      );
      if (!location) {
        throw new CodedError(
          'STOP_PENDING',
          `the savepoint of ${job.name} did not complete within ${this.o.stopTimeoutMs} ms; the stop goes on (state STOPPING) and nothing new was started`,
          true,
        );
      }
      const jobId = await this.start(job, location, allowNonRestoredState);
      return {
        action: 'upgraded',
        jobId,
        previousJobId: running.jid,
        hash: job.hash,
        savepoint: location,
      };
    });
  }

  private async start(
    job: RenderedJob,
    savepoint: string | null,
    allowNonRestoredState: boolean,
  ): Promise<string> {
    const jar = await this.runnerJar();
    try {
      const { jobId } = await this.o.flink.runJar(jar, {
        programArgsList: runnerArgs(job.script, flinkJobName(job)),
        ...(job.parallelism ? { parallelism: job.parallelism } : {}),
        ...(savepoint ? { savepointPath: savepoint, allowNonRestoredState } : {}),
      });
      this.o.log.info({ job: job.name, jobId, hash: job.hash, savepoint }, 'job started');
      await this.o.deployments
        ?.add({
          job: job.name,
          jobId,
          hash: job.hash,
          values: job.values,
          at: new Date().toISOString(),
        })
        .catch((err: unknown) =>
          this.o.log.warn({ err, job: job.name }, 'could not record the deployment'),
        );
      return jobId;
    } catch (err) {
      throw toSqlError(job, err);
    }
  }

  async stop(name: string): Promise<StopResult> {
    const jobName = await declaredName(this.o.jobsDir, name);
    return this.exclusive(name, 'a stop', async () => {
      const running = activeCopiesOf(await this.o.flink.jobsOverview(), jobName).find(
        (j) => j.state === 'RUNNING',
      );
      if (!running)
        throw new CodedError('JOB_NOT_RUNNING', `${jobName} has no running copy in Flink`, false);
      const location = await this.stopper.stopWithSavepoint(
        jobName,
        running.jid,
        parseFlinkName(running.name).hash ?? '',
        'stop',
      );
      return { state: location ? 'STOPPED' : 'STOPPING', jobId: running.jid, savepoint: location };
    });
  }

  async cancel(name: string): Promise<{ cancelled: string[] }> {
    const jobName = await declaredName(this.o.jobsDir, name);
    return this.exclusive(name, 'a cancel', async () => {
      const active = activeCopiesOf(await this.o.flink.jobsOverview(), jobName);
      if (active.length === 0)
        throw new CodedError('JOB_NOT_RUNNING', `${jobName} has no running copy in Flink`, false);
      for (const job of active) await this.o.flink.cancelJob(job.jid);
      await Promise.all(
        active.map((j) =>
          this.o.flink.waitForJobState(j.jid, ['CANCELED', 'FAILED', 'FINISHED'], 60_000),
        ),
      );
      this.stopper.forget(jobName);
      return { cancelled: active.map((j) => j.jid) };
    });
  }
}
