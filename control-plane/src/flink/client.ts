import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import axios, { type AxiosInstance, type AxiosRequestConfig } from 'axios';
import { retry, type RetryOptions } from '@pulse/kit';
import { FlinkError, summarizeFlinkErrors, toFlinkError, type Safety } from './errors.js';
import type {
  AsyncOperation,
  CheckpointStats,
  FlinkOverview,
  JarFile,
  JobDetails,
  JobExceptions,
  JobOverview,
  JobState,
  RunJarRequest,
  SavepointOperation,
} from './types.js';

export interface FlinkClientOptions {
  /** Flink's REST endpoint, e.g. http://127.0.0.1:8081: a laptop, the compose stack or production. */
  baseUrl: string;
  /** Per-request timeout; running a jar plans the job on the JobManager, so it gets extra time. */
  timeoutMs?: number;
  retry?: RetryOptions;
}

/** A small typed client for the parts of Flink 1.12's REST API the control plane uses. */
export class FlinkClient {
  private readonly http: AxiosInstance;

  constructor(private readonly options: FlinkClientOptions) {
    this.http = axios.create({
      baseURL: options.baseUrl.replace(/\/$/, ''),
      timeout: options.timeoutMs ?? 30_000,
    });
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  private async call<T>(
    what: string,
    config: AxiosRequestConfig,
    safety: Safety = 'idempotent',
  ): Promise<T> {
    return retry(async () => {
      try {
        const res = await this.http.request<T>(config);
        return res.data;
      } catch (err) {
        throw toFlinkError(err, what, safety);
      }
    }, this.options.retry);
  }

  overview(): Promise<FlinkOverview> {
    return this.call('cluster overview', { method: 'GET', url: '/overview' });
  }

  async uploadJar(path: string): Promise<JarFile> {
    const bytes = await readFile(path);
    const name = basename(path);
    const res = await this.call<{ filename: string; status: string }>('upload jar', {
      method: 'POST',
      url: '/jars/upload',
      data: (() => {
        const form = new FormData();
        form.append('jarfile', new Blob([bytes], { type: 'application/x-java-archive' }), name);
        return form;
      })(),
      timeout: 120_000,
    });
    const id = res.filename.split('/').pop() ?? res.filename;
    return { id, name, uploaded: Date.now() };
  }

  async listJars(): Promise<JarFile[]> {
    const res = await this.call<{ files: JarFile[] }>('list jars', { method: 'GET', url: '/jars' });
    return res.files;
  }

  async deleteJar(jarId: string): Promise<void> {
    await this.call('delete jar', { method: 'DELETE', url: `/jars/${encodeURIComponent(jarId)}` });
  }

  /** Runs the jar's main on the JobManager; one call starts one job. Never retried once sent. */
  async runJar(jarId: string, request: RunJarRequest): Promise<{ jobId: string }> {
    const res = await this.call<{ jobid: string }>(
      'run jar',
      {
        method: 'POST',
        url: `/jars/${encodeURIComponent(jarId)}/run`,
        data: request,
        timeout: 180_000,
      },
      'once',
    );
    return { jobId: res.jobid };
  }

  /** Runs main without starting a job and returns Flink's plan: a compile check on the real planner. */
  async planJar(
    jarId: string,
    request: Pick<RunJarRequest, 'programArgsList' | 'entryClass' | 'parallelism'>,
  ): Promise<{ plan: unknown }> {
    return this.call('plan jar', {
      method: 'POST',
      url: `/jars/${encodeURIComponent(jarId)}/plan`,
      data: request,
      timeout: 180_000,
    });
  }

  async jobsOverview(): Promise<JobOverview[]> {
    const res = await this.call<{ jobs: JobOverview[] }>('jobs overview', {
      method: 'GET',
      url: '/jobs/overview',
    });
    return res.jobs;
  }

  job(jobId: string): Promise<JobDetails> {
    return this.call('job details', { method: 'GET', url: `/jobs/${jobId}` });
  }

  jobExceptions(jobId: string): Promise<JobExceptions> {
    return this.call('job exceptions', { method: 'GET', url: `/jobs/${jobId}/exceptions` });
  }

  /** The job graph of a submitted job: vertices with their ids and operator descriptions. */
  jobPlan(jobId: string): Promise<{ plan: unknown }> {
    return this.call('job plan', { method: 'GET', url: `/jobs/${jobId}/plan` });
  }

  /** The JobManager's configuration (state.checkpoints.dir and the like). */
  async jobManagerConfig(): Promise<Record<string, string>> {
    const rows = await this.call<{ key: string; value: string }[]>('jobmanager config', {
      method: 'GET',
      url: '/jobmanager/config',
    });
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  }

  jobCheckpoints(jobId: string): Promise<CheckpointStats> {
    return this.call('job checkpoints', { method: 'GET', url: `/jobs/${jobId}/checkpoints` });
  }

  /** The input watermark of every subtask of a vertex (`<subtask>.currentInputWatermark`). */
  vertexWatermarks(jobId: string, vertexId: string): Promise<{ id: string; value: string }[]> {
    return this.call('vertex watermarks', {
      method: 'GET',
      url: `/jobs/${jobId}/vertices/${vertexId}/watermarks`,
    });
  }

  /** Back pressure of a vertex; the first call starts sampling and answers without a level. */
  vertexBackPressure(
    jobId: string,
    vertexId: string,
  ): Promise<{ status: string; 'backpressure-level'?: string; 'end-timestamp'?: number }> {
    return this.call('vertex back pressure', {
      method: 'GET',
      url: `/jobs/${jobId}/vertices/${vertexId}/backpressure`,
    });
  }

  /** The metric names a vertex has (operator and connector metrics, per subtask). */
  async vertexMetricNames(jobId: string, vertexId: string): Promise<string[]> {
    const list = await this.call<{ id: string }[]>('vertex metric names', {
      method: 'GET',
      url: `/jobs/${jobId}/vertices/${vertexId}/metrics`,
    });
    return list.map((m) => m.id);
  }

  jobMetrics(
    jobId: string,
    vertexId: string,
    metrics: string[],
  ): Promise<{ id: string; value: string }[]> {
    return this.call('vertex metrics', {
      method: 'GET',
      url: `/jobs/${jobId}/vertices/${vertexId}/metrics`,
      params: { get: metrics.join(',') },
    });
  }

  async cancelJob(jobId: string): Promise<void> {
    await this.call('cancel job', {
      method: 'PATCH',
      url: `/jobs/${jobId}`,
      params: { mode: 'cancel' },
    });
  }

  /** Triggers stop-with-savepoint; the savepoint completes asynchronously (see savepointStatus). */
  async stopWithSavepoint(
    jobId: string,
    options: { targetDirectory?: string; drain?: boolean } = {},
  ): Promise<{ triggerId: string }> {
    const res = await this.call<{ 'request-id': string }>(
      'stop with savepoint',
      {
        method: 'POST',
        url: `/jobs/${jobId}/stop`,
        data: {
          drain: options.drain ?? false,
          ...(options.targetDirectory ? { targetDirectory: options.targetDirectory } : {}),
        },
      },
      'once',
    );
    return { triggerId: res['request-id'] };
  }

  /** Triggers a savepoint while the job keeps running. */
  async triggerSavepoint(
    jobId: string,
    options: { targetDirectory?: string } = {},
  ): Promise<{ triggerId: string }> {
    const res = await this.call<{ 'request-id': string }>(
      'trigger savepoint',
      {
        method: 'POST',
        url: `/jobs/${jobId}/savepoints`,
        data: {
          'cancel-job': false,
          ...(options.targetDirectory ? { 'target-directory': options.targetDirectory } : {}),
        },
      },
      'once',
    );
    return { triggerId: res['request-id'] };
  }

  /** IN_PROGRESS, or COMPLETED with a location or a failure cause. */
  async savepointStatus(
    jobId: string,
    triggerId: string,
  ): Promise<
    | { state: 'IN_PROGRESS' }
    | { state: 'COMPLETED'; location: string }
    | { state: 'FAILED'; reason: string }
  > {
    const res = await this.call<AsyncOperation<SavepointOperation>>('savepoint status', {
      method: 'GET',
      url: `/jobs/${jobId}/savepoints/${triggerId}`,
    });
    if (res.status.id === 'IN_PROGRESS' || res.operation === null) return { state: 'IN_PROGRESS' };
    const op = res.operation;
    if ('location' in op) return { state: 'COMPLETED', location: op.location };
    const trace = op['failure-cause']['stack-trace'] ?? op['failure-cause'].class;
    return { state: 'FAILED', reason: summarizeFlinkErrors([trace]) };
  }

  /** Polls until the job reaches one of the states, or throws after the timeout. */
  async waitForJobState(
    jobId: string,
    states: readonly JobState[],
    timeoutMs = 60_000,
    pollMs = 500,
  ): Promise<JobState> {
    const deadline = Date.now() + timeoutMs;
    let last: JobState | undefined;
    while (Date.now() < deadline) {
      last = (await this.job(jobId)).state;
      if (states.includes(last)) return last;
      await new Promise((r) => setTimeout(r, pollMs));
    }
    throw new FlinkError(
      'FLINK_TIMEOUT',
      `job ${jobId} did not reach ${states.join('/')} within ${timeoutMs} ms (last state ${last ?? 'unknown'})`,
      true,
      undefined,
    );
  }
}

/** Builds a client; the one place the control plane creates one. */
export function createFlinkClient(options: FlinkClientOptions): FlinkClient {
  return new FlinkClient(options);
}
