import { createHash } from 'node:crypto';
import { access, readdir } from 'node:fs/promises';
import { CodedError } from '@pulse/kit';
import type {
  DeployBody,
  DeployResult,
  JobDiagnostics,
  JobSummary,
  PanelSpec,
  StopResult,
} from '@pulse/contracts';
import { ensureRunnerJar, type FlinkClient, type JobOverview } from '../flink/index.js';
import { decideDeploy, parseStart } from './decisions.js';
import { JobStarter } from './deploying.js';
import { StateFinder } from './state.js';
import { reconcile, type Intent, type IntentLog, type NextVersion } from './intents.js';
import type { VertexPrint } from './compatibility.js';
import { activeCopiesOf, declaredName, parseFlinkName } from './naming.js';
import type { DeploymentStore, SavepointStore } from './savepoints.js';
import { jobFile, renderJob, type RenderedJob, type StartPosition } from './script.js';
import { SavepointStopper } from './stopping.js';
import {
  jobDetails,
  jobSummary,
  runningPanels,
  scriptJobNames,
  scriptJobSummary,
} from './listing.js';
import { SCRIPT_JOB_PREFIX } from '../constants.js';
import { diagnose } from './diagnostics.js';
import type { JobPanels } from './panels.js';

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
  /** Where stops and upgrades are written down before they start (absent: not written). */
  intents?: IntentLog;
  /** How long the new copy of an upgrade may take to run steadily before it is rolled back. */
  settleTimeoutMs?: number;
  /** How long every task of a new copy must run without a failure to count as steady. */
  steadyMs?: number;
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
  private readonly starter: JobStarter;
  private readonly states: StateFinder;
  private jarId: Promise<string> | undefined;

  constructor(private readonly o: JobServiceOptions) {
    this.stopper = new SavepointStopper({
      flink: o.flink,
      savepoints: o.savepoints,
      timeoutMs: o.stopTimeoutMs,
      log: o.log,
    });
    this.starter = new JobStarter({
      flink: o.flink,
      ...(o.deployments ? { deployments: o.deployments } : {}),
      settleTimeoutMs: o.settleTimeoutMs ?? 60_000,
      steadyMs: o.steadyMs ?? 5_000,
      log: o.log,
    });
    this.states = new StateFinder({
      flink: o.flink,
      savepoints: o.savepoints,
      ...(o.deployments ? { deployments: o.deployments } : {}),
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

  /** The job files, then the running jobs started from scripts (INSERTs through the SQL gateway). */
  async list(): Promise<JobSummary[]> {
    const [names, flinkJobs] = await Promise.all([this.names(), this.o.flink.jobsOverview()]);
    const files = await Promise.all(names.map((name) => this.summary(name, flinkJobs)));
    const listed = new Set(files.map((f) => f.name));
    const scripts = scriptJobNames(flinkJobs).filter((name) => !listed.has(name));
    return [...files, ...scripts.map((name) => scriptJobSummary(name, flinkJobs))];
  }

  async summary(name: string, flinkJobs?: JobOverview[]): Promise<JobSummary> {
    const all = flinkJobs ?? (await this.o.flink.jobsOverview());
    if (name.startsWith(SCRIPT_JOB_PREFIX) && !(await fileExists(jobFile(this.o.jobsDir, name))))
      return scriptJobSummary(name, all);
    return jobSummary(this.o, name, all, (job) => this.stopper.pendingJobId(job));
  }

  /** The dashboard panels of the jobs that run, and the outputs they read. */
  async panels(): Promise<JobPanels[]> {
    return runningPanels(this.o);
  }

  async details(name: string) {
    return jobDetails(this.o, await this.summary(name));
  }

  /** Why a job does what it does; `operator` adds the rendered script and exception traces. */
  async diagnose(name: string, operator: boolean): Promise<JobDiagnostics> {
    return diagnose(this.o, await declaredName(this.o.jobsDir, name), operator);
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
  ): Promise<{ hash: string; plan: unknown; panels: PanelSpec[] }> {
    const job = await renderJob(this.o.jobsDir, name, variables, this.o.jobVariables);
    const { plan } = await this.starter.plan(await this.runnerJar(), job);
    // Rendering checked the panel declarations against the outputs; show what they declare.
    return { hash: job.hash, plan, panels: job.panels.panels };
  }

  async deploy(name: string, body: DeployBody = {}): Promise<DeployResult> {
    jobFile(this.o.jobsDir, name);
    const start = parseStart(body.start);
    return this.exclusive(name, 'a deploy', async () => {
      const position = start !== undefined && start !== 'state' ? start : undefined;
      const job = await renderJob(
        this.o.jobsDir,
        name,
        body.variables ?? {},
        this.o.jobVariables,
        position,
      );
      const jar = await this.runnerJar();
      // The real planner first: a script that does not compile touches nothing.
      const { prints } = await this.starter.plan(jar, job);
      const active = activeCopiesOf(await this.o.flink.jobsOverview(), job.name);
      const latest = active.length === 0 ? await this.states.latest(job.name) : undefined;
      const decision = decideDeploy({ job, active, latest, body, start });
      const allow = body.allowNonRestoredState ?? false;
      const base = { hash: job.hash, previousJobId: null };

      if (decision.action === 'unchanged')
        return {
          ...base,
          action: 'unchanged',
          jobId: decision.running.jid,
          savepoint: null,
          from: 'already running',
        };

      if (decision.action === 'start-fresh') {
        const jobId = await this.starter.start(jar, job, prints, null, false);
        return {
          ...base,
          action: 'started',
          jobId,
          savepoint: null,
          from: describe(decision.position),
        };
      }

      if (decision.action === 'start') {
        const { state } = decision;
        const explicit = body.savepointPath !== undefined;
        const verdict = await this.starter.judge(state.jobId, state.hash, job, prints);
        // A path the operator names is taken on their word when nothing is known of it.
        const allowed =
          explicit && !verdict
            ? undefined
            : this.starter.enforce(verdict, job.name, `${state.kind} ${state.location}`, allow);
        const jobId = await this.starter.start(jar, job, prints, state.location, allow);
        return {
          ...base,
          action: 'started',
          jobId,
          savepoint: state.location,
          from: `${state.kind} ${state.location}`,
          ...(allowed ? { verdict: allowed.summary } : {}),
        };
      }

      const { running } = decision;
      const hash = parseFlinkName(running.name).hash ?? job.hash;
      // A fresh start replaces the running copy (its state is still kept in a savepoint); an
      // upgrade carries the state over, once the verdict allows it, before anything is touched.
      const verdict = position
        ? undefined
        : this.starter.enforce(
            await this.starter.judge(running.jid, hash, job, prints),
            job.name,
            `the running copy ${running.jid}`,
            allow,
          );
      const restore = position === undefined;
      return this.tracked(
        {
          op: restore ? 'upgrade' : 'replace',
          job: job.name,
          jobId: running.jid,
          hash,
          next: nextVersion(job, prints, restore, restore && allow),
        },
        async () => {
          const location = await this.stopForUpgrade(job.name, running.jid, hash);
          const jobId = await this.starter.start(
            jar,
            job,
            prints,
            restore ? location : null,
            restore && allow,
          );
          const replaced = { ...base, jobId, previousJobId: running.jid };
          if (position)
            return {
              ...replaced,
              action: 'replaced' as const,
              savepoint: null,
              from: `${describe(position)} (the previous copy's state is kept in ${location})`,
            };
          const failure = await this.starter.settle(jobId);
          if (failure) await this.rollBack(jar, job.name, running.jid, jobId, location, failure);
          return {
            ...replaced,
            action: 'upgraded' as const,
            savepoint: location,
            from: `savepoint ${location}`,
            ...(verdict ? { verdict: verdict.summary } : {}),
          };
        },
      );
    });
  }

  /**
   * Starts a script that is no file of the jobs folder (an INSERT through the SQL gateway) as job
   * `name`, on the deploy path of job files: planned by the real planner first, started fresh
   * under `<name>@<hash>` and recorded with its script; refused while a copy of `name` runs. The
   * job API stops or cancels it by that name.
   */
  async deployScript(name: string, script: string, description: string): Promise<DeployResult> {
    jobFile(this.o.jobsDir, name);
    return this.exclusive(name, 'a deploy', async () => {
      const job: RenderedJob = {
        name,
        description,
        parallelism: undefined,
        variables: {},
        values: {},
        script,
        hash: createHash('sha256').update(script).digest('hex').slice(0, 12),
        files: [],
        lineMap: script.split('\n').map((_, i) => ({ file: name, line: i + 1 })),
        panels: { outputs: [], panels: [] },
      };
      const jar = await this.runnerJar();
      const { prints } = await this.starter.plan(jar, job);
      const running = activeCopiesOf(await this.o.flink.jobsOverview(), name)[0];
      if (running)
        throw new CodedError(
          'JOB_RUNNING',
          `${name} runs already as Flink job ${running.jid}`,
          false,
        );
      const jobId = await this.starter.start(jar, job, prints, null, false);
      return {
        hash: job.hash,
        previousJobId: null,
        action: 'started',
        jobId,
        savepoint: null,
        from: "its sources' start options",
      };
    });
  }

  /** Runs a stop or upgrade written down in the intent log first, and writes how it ended. */
  private async tracked<T>(intent: Omit<Intent, 'id' | 'at'>, fn: () => Promise<T>): Promise<T> {
    const id = await this.o.intents?.begin(intent);
    try {
      const result = await fn();
      if (id) await this.o.intents?.end(id, 'done');
      return result;
    } catch (err) {
      if (id)
        await this.o.intents
          ?.end(id, 'failed', err instanceof Error ? err.message : String(err))
          .catch(() => undefined);
      throw err;
    }
  }

  /**
   * Finishes or settles the stops and upgrades a previous run left open (it died mid-way).
   * Flink unreachable: they stay open and this throws, for the caller to try again later.
   */
  async reconcile(): Promise<{ id: string; note: string }[]> {
    if (!this.o.intents) return [];
    return reconcile({
      flink: this.o.flink,
      intents: this.o.intents,
      savepoints: this.o.savepoints,
      stopTimeoutMs: this.o.stopTimeoutMs,
      startVersion: async (next, savepoint) =>
        this.starter.start(
          await this.runnerJar(),
          next,
          next.prints,
          savepoint,
          next.allowNonRestoredState,
        ),
      log: this.o.log,
    });
  }

  private async stopForUpgrade(name: string, jobId: string, hash: string): Promise<string> {
    const location = await this.stopper.stopWithSavepoint(name, jobId, hash, 'upgrade');
    if (!location)
      throw new CodedError(
        'STOP_PENDING',
        `the savepoint of ${name} did not complete within ${this.o.stopTimeoutMs} ms; the stop goes on (state STOPPING) and nothing new was started`,
        true,
      );
    return location;
  }

  /** The new copy of an upgrade failed: cancel it and start the previous version from the same savepoint. */
  private async rollBack(
    jar: string,
    name: string,
    previousJobId: string,
    failedJobId: string,
    location: string,
    failure: string,
  ): Promise<never> {
    this.o.log.warn({ job: name, jobId: failedJobId, failure }, 'upgrade failed; rolling back');
    await this.o.flink.cancelJob(failedJobId).catch(() => undefined);
    await this.o.flink
      .waitForJobState(failedJobId, ['CANCELED', 'FAILED', 'FINISHED'], 60_000)
      .catch(() => undefined);
    const previous = await this.starter.previous(previousJobId);
    if (!previous?.script)
      throw new CodedError(
        'UPGRADE_FAILED',
        `${failure}. The previous version cannot be started again (no record of its script); its state is in ${location}`,
        false,
      );
    const jobId = await this.starter.start(
      jar,
      {
        name,
        hash: previous.hash,
        script: previous.script,
        parallelism: previous.parallelism,
        values: previous.values,
        panels: previous.panels,
      },
      previous.prints,
      location,
      false,
    );
    this.o.log.warn(
      { job: name, jobId, savepoint: location },
      'rolled back to the previous version',
    );
    throw new CodedError(
      'UPGRADE_ROLLED_BACK',
      `${failure}. Rolled back: the previous version (${previous.hash}) runs again from ${location} as job ${jobId}`,
      false,
    );
  }

  async stop(name: string): Promise<StopResult> {
    const jobName = await declaredName(this.o.jobsDir, name);
    return this.exclusive(name, 'a stop', async () => {
      const running = activeCopiesOf(await this.o.flink.jobsOverview(), jobName).find(
        (j) => j.state === 'RUNNING',
      );
      if (!running)
        throw new CodedError('JOB_NOT_RUNNING', `${jobName} has no running copy in Flink`, false);
      const hash = parseFlinkName(running.name).hash ?? '';
      const location = await this.tracked(
        { op: 'stop', job: jobName, jobId: running.jid, hash },
        () => this.stopper.stopWithSavepoint(jobName, running.jid, hash, 'stop'),
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

const fileExists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/** Where a fresh start begins, for the answer and the log. */
function describe(position: StartPosition): string {
  if (position.mode === 'timestamp') return new Date(position.at).toISOString();
  return position.mode === 'earliest-offset' ? 'earliest' : 'now';
}

/** The version an upgrade or replace starts, as the intent log keeps it. */
function nextVersion(
  job: RenderedJob,
  prints: VertexPrint[],
  restore: boolean,
  allowNonRestoredState: boolean,
): NextVersion {
  return {
    name: job.name,
    hash: job.hash,
    script: job.script,
    ...(job.parallelism ? { parallelism: job.parallelism } : {}),
    values: job.values,
    prints,
    ...(job.panels.panels.length > 0 ? { panels: job.panels } : {}),
    restore,
    allowNonRestoredState,
  };
}
