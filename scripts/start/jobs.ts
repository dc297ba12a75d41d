/**
 * npm start's use of the control plane's job API: deploy every job that is not running (resuming
 * from its last savepoint), and at the end stop jobs with savepoints so the next run resumes them.
 */
import type { Reporter } from '@pulse/stack';

interface JobListing {
  jobs: { name: string; file: string; state: string; drift: boolean }[];
}

interface DeployAnswer {
  action?: string;
  jobId?: string;
  savepoint?: string | null;
  message?: string;
  error?: string;
}

/** A small client of the control plane's job API with the operator token. */
export class JobApi {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async call<T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  /** Job names (file names without .sql) as the control plane lists them. */
  async running(): Promise<string[]> {
    const { body } = await this.call<JobListing>('GET', '/api/jobs');
    return body.jobs.filter((j) => j.state === 'RUNNING').map((j) => fileName(j.file));
  }

  /** Deploys every job that is not running; returns the names it started. */
  async deployAll(report: Reporter): Promise<string[]> {
    const { body } = await this.call<JobListing>('GET', '/api/jobs');
    const started: string[] = [];
    for (const job of body.jobs) {
      const file = fileName(job.file);
      if (job.state === 'RUNNING') {
        report.info(
          `${job.name}: already running${job.drift ? ' (its file changed since: deploy it from the operator page to upgrade)' : ''}`,
        );
        continue;
      }
      let res = await this.call<DeployAnswer>('POST', `/api/jobs/${file}/deploy`, {
        restoreLatestSavepoint: true,
      });
      if (
        res.status === 409 &&
        (res.body.error === 'NO_SAVEPOINT' || res.body.error === 'SCRIPT_CHANGED')
      ) {
        res = await this.call('POST', `/api/jobs/${file}/deploy`, {});
      }
      if (res.status !== 200)
        throw new Error(`deploying ${job.name} failed (${res.status}): ${res.body.message}`);
      started.push(file);
      report.info(
        `${job.name}: started ${res.body.jobId}${res.body.savepoint ? ` from ${res.body.savepoint}` : ''}`,
      );
    }
    return started;
  }

  /** Stops each job with a savepoint, so the next run resumes it where it stopped. */
  async stopAll(names: string[], report: Reporter): Promise<void> {
    for (const name of names) {
      const res = await this.call<{ state?: string; savepoint?: string; message?: string }>(
        'POST',
        `/api/jobs/${name}/stop`,
      ).catch(() => undefined);
      report.info(
        `job ${name}: ${res ? (res.body.savepoint ? `stopped with savepoint ${res.body.savepoint}` : (res.body.message ?? res.body.state)) : 'control plane unreachable'}`,
      );
    }
  }
}

const fileName = (file: string) => file.replace(/\.sql$/, '');
