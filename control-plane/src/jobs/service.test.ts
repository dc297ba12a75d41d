import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FlinkClient, JobOverview } from '../flink/index.js';
import { SavepointStore } from './savepoints.js';
import { JobService } from './service.js';

/** A FlinkClient stand-in for this unit test: one running copy of a job whose file is gone. */
function fakeFlink(jobs: JobOverview[], cancelled: string[]) {
  return {
    jobsOverview: async () => jobs,
    cancelJob: async (jid: string) => {
      cancelled.push(jid);
      const job = jobs.find((j) => j.jid === jid);
      if (job) job.state = 'CANCELED';
    },
    waitForJobState: async () => 'CANCELED',
  } as unknown as FlinkClient;
}

describe('JobService without Flink', () => {
  it('cancels a job whose file was deleted, finding it by name alone', async () => {
    const cancelled: string[] = [];
    const jobs = [
      { jid: 'j1', name: 'gone@abc', state: 'RUNNING', 'start-time': 1 },
    ] as JobOverview[];
    const dir = mkdtempSync(join(tmpdir(), 'jobs-'));
    const service = new JobService({
      flink: fakeFlink(jobs, cancelled),
      jobsDir: dir,
      runnerJar: '/nonexistent.jar',
      savepoints: new SavepointStore(dir),
      stopTimeoutMs: 1000,
      log: { info: () => {}, warn: () => {} },
    });
    expect(await service.cancel('gone')).toEqual({ cancelled: ['j1'] });
    expect(cancelled).toEqual(['j1']);
    await expect(service.stop('gone')).rejects.toMatchObject({ code: 'JOB_NOT_RUNNING' });
  });
});
