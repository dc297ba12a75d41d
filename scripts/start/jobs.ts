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
  from?: string;
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
      // Resumes from the job's latest savepoint or retained checkpoint; a job that left none
      // starts from now.
      let res = await this.call<DeployAnswer>('POST', `/api/jobs/${file}/deploy`, {});
      if (res.status === 409 && /^STATE_(INCOMPATIBLE|DROPPED)$/.test(res.body.error ?? '')) {
        // The file changed so that its old state would mean something else: start fresh from
        // where the old state ended, so nothing is counted twice and no input is skipped.
        const since = await this.lastSavepointTime(file);
        report.warn(
          `${job.name}: ${res.body.message}\n  starting it fresh from ${since ?? 'now'} instead`,
        );
        res = await this.call('POST', `/api/jobs/${file}/deploy`, { start: since ?? 'now' });
      }
      if (res.status !== 200)
        throw new Error(`deploying ${job.name} failed (${res.status}): ${res.body.message}`);
      started.push(file);
      report.info(
        `${job.name}: started ${res.body.jobId}${res.body.from ? ` from ${res.body.from}` : ''}`,
      );
    }
    return started;
  }

  /** When the job's newest savepoint was taken (ISO), if it has one. */
  private async lastSavepointTime(file: string): Promise<string | undefined> {
    const { status, body } = await this.call<{ savepoints?: { at: string }[] }>(
      'GET',
      `/api/jobs/${file}`,
    );
    return status === 200 ? body.savepoints?.at(-1)?.at : undefined;
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
