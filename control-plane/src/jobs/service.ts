import { readdir } from 'node:fs/promises';
import { CodedError } from '@pulse/kit';
import type { DeployBody, DeployResult, JobSummary, StopResult } from '@pulse/contracts';
import { JOB_NAME_SEPARATOR, TERMINAL_STATES } from '../constants.js';
import { ensureRunnerJar, runnerArgs, type FlinkClient, type JobOverview } from '../flink/index.js';
import { FlinkError } from '../flink/index.js';
import type { SavepointStore } from './savepoints.js';
import { jobFile, JobScriptError, renderJob, type RenderedJob } from './script.js';

export interface JobServiceOptions {
  flink: FlinkClient;
  jobsDir: string;
  runnerJar: string;
  savepoints: SavepointStore;
  stopTimeoutMs: number;
  /** Values for declared variables when a deploy does not set them (JOB_VARIABLES). */
  jobVariables?: Record<string, string>;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

/** A script the planner refused, with the statement and its place in the job's own files. */
export class SqlInvalidError extends CodedError {
  constructor(
    message: string,
    readonly statement: number,
    readonly file: string | undefined,
    readonly line: number | undefined,
    readonly column: number,
  ) {
    super('SQL_INVALID', message, false);
  }
}

interface PendingStop {
  jobId: string;
  triggerId: string;
  since: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Flink's job name for a rendered job: the name plus the hash of the sources it runs. */
export function flinkJobName(job: Pick<RenderedJob, 'name' | 'hash'>): string {
  return `${job.name}${JOB_NAME_SEPARATOR}${job.hash}`;
}

function parseFlinkName(name: string): { job: string; hash: string | null } {
  const at = name.lastIndexOf(JOB_NAME_SEPARATOR);
  return at < 0 ? { job: name, hash: null } : { job: name.slice(0, at), hash: name.slice(at + 1) };
}

/**
 * Validates, deploys, upgrades, stops and cancels the jobs in the jobs folder. Every decision reads
 * Flink's own job list first, so a status can never disagree with the cluster; one operation per
 * job runs at a time, so two clicks cannot start two copies.
 */
export class JobService {
  private readonly busy = new Map<string, string>();
  private readonly pendingStops = new Map<string, PendingStop>();
  private jarId: Promise<string> | undefined;

  constructor(private readonly o: JobServiceOptions) {}

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

  private copies(all: JobOverview[], name: string): JobOverview[] {
    return all
      .filter((j) => parseFlinkName(j.name).job === name)
      .sort((a, b) => b['start-time'] - a['start-time']);
  }

  private active(all: JobOverview[], name: string): JobOverview[] {
    return this.copies(all, name).filter((j) => !TERMINAL_STATES.has(j.state));
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
    const newest = this.copies(all, jobName)[0];
    const runningHash =
      newest && !TERMINAL_STATES.has(newest.state) ? parseFlinkName(newest.name).hash : null;
    const pending = this.pendingStops.get(jobName);
    const state =
      pending && newest?.jid === pending.jobId && !TERMINAL_STATES.has(newest.state)
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

  /** Maps a runner error's line in the expanded script back to the job's own file and line. */
  private sqlError(job: RenderedJob, err: unknown): never {
    const info = err instanceof FlinkError ? err.runnerError : undefined;
    if (!info) throw err;
    const at = job.lineMap[info.line - 1];
    throw new SqlInvalidError(info.message, info.statement, at?.file, at?.line, info.column);
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
      this.sqlError(job, err);
    }
  }

  async deploy(name: string, body: DeployBody = {}): Promise<DeployResult> {
    jobFile(this.o.jobsDir, name);
    return this.exclusive(name, 'a deploy', async () => {
      const job = await renderJob(this.o.jobsDir, name, body.variables ?? {}, this.o.jobVariables);
      const active = this.active(await this.o.flink.jobsOverview(), job.name);
      if (active.length > 1) {
        throw new CodedError(
          'JOB_DUPLICATED',
          `${active.length} copies of ${job.name} are running in Flink (${active.map((j) => j.jid).join(', ')}); cancel the extra copies first`,
          false,
        );
      }
      const running = active[0];
      if (!running) {
        let savepoint: string | null = body.savepointPath ?? null;
        if (!savepoint && body.restoreLatestSavepoint) {
          const latest = await this.o.savepoints.latest(job.name);
          if (!latest)
            throw new CodedError(
              'NO_SAVEPOINT',
              `no savepoint of ${job.name} is known; deploy without restoreLatestSavepoint`,
              false,
            );
          if (latest.hash !== job.hash && !body.allowNonRestoredState) {
            throw new CodedError(
              'SCRIPT_CHANGED',
              `${job.name} changed since its savepoint ${latest.location} (hash ${latest.hash} → ${job.hash}); pass allowNonRestoredState: true to restore it anyway`,
              false,
            );
          }
          savepoint = latest.location;
        }
        const jobId = await this.start(job, savepoint, body.allowNonRestoredState ?? false);
        return { action: 'started', jobId, previousJobId: null, hash: job.hash, savepoint };
      }
      if (running.state !== 'RUNNING') {
        throw new CodedError(
          'JOB_NOT_RUNNING',
          `${job.name} is ${running.state} in Flink; an upgrade needs it RUNNING (cancel it to start over)`,
          true,
        );
      }
      const runningHash = parseFlinkName(running.name).hash;
      if (runningHash !== job.hash && !body.allowNonRestoredState) {
        throw new CodedError(
          'SCRIPT_CHANGED',
          `${job.name} changed since the running copy was deployed (hash ${runningHash} → ${job.hash}); state of changed operators may not restore. Pass allowNonRestoredState: true to upgrade anyway`,
          false,
        );
      }
      const location = await this.stopWithSavepoint(
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
      const jobId = await this.start(job, location, body.allowNonRestoredState ?? false);
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
      return jobId;
    } catch (err) {
      this.sqlError(job, err);
    }
  }

  /**
   * Stop with savepoint, waiting up to the timeout. Returns the savepoint's location, or null when
   * it is still in progress: the stop stays pending (state STOPPING) and is followed in the background.
   */
  private async stopWithSavepoint(
    name: string,
    jobId: string,
    hash: string,
    reason: 'stop' | 'upgrade',
  ): Promise<string | null> {
    // Flink refuses a savepoint while any task is still deploying (just after a start, or while
    // restarting after a failure): wait for every task to run, and trigger again if it refused.
    for (let attempt = 1; ; attempt++) {
      await this.waitForTasksRunning(jobId, Math.min(this.o.stopTimeoutMs, 30_000));
      try {
        return await this.triggerStopAndFollow(name, jobId, hash, reason);
      } catch (err) {
        if (
          attempt >= 3 ||
          !(err instanceof CodedError) ||
          !/Not all required tasks are currently running/.test(err.message)
        )
          throw err;
        this.o.log.warn(
          { job: name, attempt },
          'tasks were not all running; triggering the stop again',
        );
      }
    }
  }

  /** Waits (up to `timeoutMs`) until every task of the job runs; returns either way. */
  private async waitForTasksRunning(jobId: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const job = await this.o.flink.job(jobId).catch(() => undefined);
      if (!job || job.state !== 'RUNNING') return;
      if (job.vertices.every((v) => v.status === 'RUNNING')) return;
      await sleep(250);
    }
  }

  private async triggerStopAndFollow(
    name: string,
    jobId: string,
    hash: string,
    reason: 'stop' | 'upgrade',
  ): Promise<string | null> {
    const { triggerId } = await this.o.flink.stopWithSavepoint(jobId);
    const pending: PendingStop = { jobId, triggerId, since: Date.now() };
    this.pendingStops.set(name, pending);
    const follow = async (deadline: number): Promise<string | null> => {
      while (Date.now() < deadline) {
        const status = await this.o.flink.savepointStatus(jobId, triggerId);
        if (status.state === 'COMPLETED') {
          await this.o.savepoints.add({
            job: name,
            jobId,
            hash,
            location: status.location,
            at: new Date().toISOString(),
            reason,
          });
          await this.o.flink
            .waitForJobState(jobId, ['FINISHED', 'CANCELED', 'FAILED'], 30_000)
            .catch(() => undefined);
          if (this.pendingStops.get(name) === pending) this.pendingStops.delete(name);
          return status.location;
        }
        if (status.state === 'FAILED') {
          if (this.pendingStops.get(name) === pending) this.pendingStops.delete(name);
          throw new CodedError(
            'SAVEPOINT_FAILED',
            `stop with savepoint of ${name} failed, the job keeps running: ${status.reason}`,
            true,
          );
        }
        await sleep(500);
      }
      return null;
    };
    const location = await follow(Date.now() + this.o.stopTimeoutMs);
    if (location === null) {
      this.o.log.warn(
        { job: name, jobId, triggerId },
        'stop with savepoint still pending; following it in the background',
      );
      void follow(Date.now() + 24 * 3600_000).catch((err: unknown) =>
        this.o.log.warn({ job: name, err }, 'pending stop ended without a savepoint'),
      );
    }
    return location;
  }

  async stop(name: string): Promise<StopResult> {
    jobFile(this.o.jobsDir, name);
    return this.exclusive(name, 'a stop', async () => {
      const jobName = (await this.summary(name)).name;
      const running = this.active(await this.o.flink.jobsOverview(), jobName).find(
        (j) => j.state === 'RUNNING',
      );
      if (!running)
        throw new CodedError('JOB_NOT_RUNNING', `${jobName} has no running copy in Flink`, false);
      const location = await this.stopWithSavepoint(
        jobName,
        running.jid,
        parseFlinkName(running.name).hash ?? '',
        'stop',
      );
      return { state: location ? 'STOPPED' : 'STOPPING', jobId: running.jid, savepoint: location };
    });
  }

  async cancel(name: string): Promise<{ cancelled: string[] }> {
    jobFile(this.o.jobsDir, name);
    return this.exclusive(name, 'a cancel', async () => {
      const jobName = (await this.summary(name)).name;
      const active = this.active(await this.o.flink.jobsOverview(), jobName);
      if (active.length === 0)
        throw new CodedError('JOB_NOT_RUNNING', `${jobName} has no running copy in Flink`, false);
      for (const job of active) await this.o.flink.cancelJob(job.jid);
      await Promise.all(
        active.map((j) =>
          this.o.flink.waitForJobState(j.jid, ['CANCELED', 'FAILED', 'FINISHED'], 60_000),
        ),
      );
      this.pendingStops.delete(jobName);
      return { cancelled: active.map((j) => j.jid) };
    });
  }
}
