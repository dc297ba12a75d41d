/**
 * Stop with savepoint, the one way a job's state is kept when it stops or is upgraded: waits for
 * every task to run (Flink refuses a savepoint while one deploys), triggers, follows the savepoint
 * up to a timeout, records it, and keeps following in the background when it takes longer (the
 * job then shows as STOPPING).
 */
import { CodedError, sleep } from '@pulse/kit';
import type { FlinkClient } from '../flink/index.js';
import type { SavepointStore } from './savepoints.js';

interface PendingStop {
  jobId: string;
  triggerId: string;
  since: number;
}

export interface StopperOptions {
  flink: FlinkClient;
  savepoints: SavepointStore;
  timeoutMs: number;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export class SavepointStopper {
  private readonly pendingStops = new Map<string, PendingStop>();

  constructor(private readonly o: StopperOptions) {}

  /** The Flink job id whose stop is still being followed for this job, if any. */
  pendingJobId(name: string): string | undefined {
    return this.pendingStops.get(name)?.jobId;
  }

  /** Forgets a pending stop (the job was cancelled instead). */
  forget(name: string): void {
    this.pendingStops.delete(name);
  }

  /**
   * Stop with savepoint, waiting up to the timeout. Returns the savepoint's location, or null when
   * it is still in progress: the stop stays pending (state STOPPING) and is followed in the background.
   */
  async stopWithSavepoint(
    name: string,
    jobId: string,
    hash: string,
    reason: 'stop' | 'upgrade',
  ): Promise<string | null> {
    // Flink refuses a savepoint while any task is still deploying (just after a start, or while
    // restarting after a failure): wait for every task to run, and trigger again if it refused.
    for (let attempt = 1; ; attempt++) {
      await this.waitForTasksRunning(jobId, Math.min(this.o.timeoutMs, 30_000));
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
    const location = await follow(Date.now() + this.o.timeoutMs);
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
}
