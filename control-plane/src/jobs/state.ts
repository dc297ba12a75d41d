/**
 * The state a job left behind, newest first: the savepoints its stops and upgrades took, and the
 * checkpoints Flink retained when one of its copies was cancelled or the cluster went down (the
 * jobs keep checkpoints on cancellation). A crash then resumes from the last checkpoint, not from
 * an older savepoint.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FlinkClient } from '../flink/index.js';
import type { StateRecord } from './decisions.js';
import type { DeploymentStore, SavepointStore } from './savepoints.js';

export interface StateFinderOptions {
  flink: FlinkClient;
  savepoints: SavepointStore;
  deployments?: DeploymentStore;
  log: { warn(obj: object, msg: string): void };
}

/** Finds a job's newest savepoint or retained checkpoint. */
export class StateFinder {
  private checkpointDir: Promise<string | undefined> | undefined;

  constructor(private readonly o: StateFinderOptions) {}

  /** The newest state of `job` among its savepoints and the retained checkpoints of its copies. */
  async latest(job: string, skipJobIds: string[] = []): Promise<StateRecord | undefined> {
    const saved: StateRecord[] = (await this.o.savepoints.list(job)).map((s) => ({
      kind: 'savepoint',
      location: s.location,
      jobId: s.jobId,
      hash: s.hash,
      at: s.at,
    }));
    const retained = await this.checkpoints(job, skipJobIds);
    return [...saved, ...retained].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)).at(-1);
  }

  private async checkpoints(job: string, skipJobIds: string[]): Promise<StateRecord[]> {
    const dir = await this.localCheckpointDir();
    if (!dir || !this.o.deployments) return [];
    const out: StateRecord[] = [];
    for (const copy of await this.o.deployments.ofJob(job)) {
      if (skipJobIds.includes(copy.jobId)) continue;
      const jobDir = join(dir, copy.jobId);
      if (!existsSync(jobDir)) continue;
      for (const entry of readdirSync(jobDir)) {
        const metadata = join(jobDir, entry, '_metadata');
        if (!/^chk-\d+$/.test(entry) || !existsSync(metadata)) continue;
        out.push({
          kind: 'checkpoint',
          location: `file://${join(jobDir, entry)}`,
          jobId: copy.jobId,
          hash: copy.hash,
          at: statSync(metadata).mtime.toISOString(),
        });
      }
    }
    return out;
  }

  /** Flink's checkpoint folder when it is on this machine's file system (else none are found). */
  private localCheckpointDir(): Promise<string | undefined> {
    this.checkpointDir ??= this.o.flink
      .jobManagerConfig()
      .then((conf) => {
        const dir = conf['state.checkpoints.dir'];
        if (!dir?.startsWith('file:')) return undefined;
        return fileURLToPath(
          dir.startsWith('file:///') ? dir : dir.replace(/^file:\/*/, 'file:///'),
        );
      })
      .catch((err: unknown) => {
        this.checkpointDir = undefined;
        this.o.log.warn(
          { err },
          "could not read Flink's checkpoint folder; retained checkpoints are not considered",
        );
        return undefined;
      });
    return this.checkpointDir;
  }
}
