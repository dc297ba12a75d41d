import type { JobPanels } from './panels.js';
import { join } from 'node:path';
import { DEPLOYMENTS_FILE, SAVEPOINTS_FILE } from '../constants.js';
import type { VertexPrint } from './compatibility.js';
import { JsonLog } from './json-log.js';

export interface SavepointRecord {
  job: string;
  jobId: string;
  hash: string;
  location: string;
  at: string;
  reason: 'stop' | 'upgrade';
}

/** The savepoints this control plane took, newest last, kept in a small JSON file. */
export class SavepointStore {
  private readonly log: JsonLog<SavepointRecord>;

  constructor(dir: string) {
    this.log = new JsonLog(join(dir, SAVEPOINTS_FILE));
  }

  async list(job?: string): Promise<SavepointRecord[]> {
    const all = await this.log.list();
    return job ? all.filter((r) => r.job === job) : all;
  }

  async latest(job: string): Promise<SavepointRecord | undefined> {
    return (await this.list(job)).at(-1);
  }

  /** Appends atomically; a corrupt file is set aside, never overwritten. */
  add(record: SavepointRecord): Promise<void> {
    return this.log.add(record);
  }
}

export interface DeploymentRecord {
  job: string;
  jobId: string;
  /** The identity of what was started: sources and substituted values. */
  hash: string;
  /** The values substituted into the script. */
  values: Record<string, string>;
  at: string;
  /** How many copies of the job were started before this one (part of its Flink job id). */
  generation?: number;
  /** What ran, so a failed upgrade can start this version again. */
  script?: string;
  parallelism?: number;
  /** What its state means, vertex by vertex (see compatibility.ts). */
  prints?: VertexPrint[];
  /** The dashboard panels it declares and the outputs they read (see panels.ts). */
  panels?: JobPanels;
}

/** What the control plane started, so the listing shows the values a running copy was given. */
export class DeploymentStore {
  private readonly log: JsonLog<DeploymentRecord>;

  constructor(dir: string) {
    this.log = new JsonLog(join(dir, DEPLOYMENTS_FILE));
  }

  /** The record of the Flink job `jobId`. */
  async byJobId(jobId: string): Promise<DeploymentRecord | undefined> {
    return (await this.log.list()).filter((r) => r.jobId === jobId).at(-1);
  }

  /** Every record of a job, oldest first. */
  async ofJob(job: string): Promise<DeploymentRecord[]> {
    return (await this.log.list()).filter((r) => r.job === job);
  }

  /** The newest record of a job started with this identity. */
  async find(job: string, hash: string): Promise<DeploymentRecord | undefined> {
    return (await this.log.list()).filter((r) => r.job === job && r.hash === hash).at(-1);
  }

  add(record: DeploymentRecord): Promise<void> {
    return this.log.add(record);
  }
}
