/**
 * Stops and upgrades written down before they start, so a control plane that dies in the middle
 * (crash, kill, Ctrl-C) finishes or settles them when it starts again: the savepoint a stop took
 * is recorded, and an upgrade whose old copy already stopped starts its new version from that
 * savepoint. Nothing is left half done without a line in the log saying what happened.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { INTENTS_FILE, TERMINAL_STATES } from '../constants.js';
import { FlinkError, type FlinkClient } from '../flink/index.js';
import type { JobPanels } from './panels.js';
import type { VertexPrint } from './compatibility.js';
import { JsonLog } from './json-log.js';
import { activeCopiesOf } from './naming.js';
import type { SavepointStore } from './savepoints.js';

/** The version an upgrade or replace starts once the old copy has stopped. */
export interface NextVersion {
  name: string;
  hash: string;
  script: string;
  parallelism?: number;
  values: Record<string, string>;
  prints?: VertexPrint[];
  panels?: JobPanels;
  /** Restore the old copy's savepoint (upgrade) or start fresh (replace). */
  restore: boolean;
  allowNonRestoredState: boolean;
}

export interface Intent {
  id: string;
  op: 'stop' | 'upgrade' | 'replace';
  job: string;
  /** The Flink job being stopped. */
  jobId: string;
  hash: string;
  at: string;
  next?: NextVersion;
}

interface Ending {
  id: string;
  end: 'done' | 'failed' | 'reconciled' | 'abandoned';
  note: string;
  at: string;
}

type Line = Intent | Ending;
const isEnding = (line: Line): line is Ending => 'end' in line;

/** The intent log in the control plane's state folder. */
export class IntentLog {
  private readonly log: JsonLog<Line>;

  constructor(dir: string) {
    this.log = new JsonLog(join(dir, INTENTS_FILE), 1000);
  }

  /** Writes an operation down before it starts; returns its id. */
  async begin(intent: Omit<Intent, 'id' | 'at'>): Promise<string> {
    const id = randomUUID();
    await this.log.add({ ...intent, id, at: new Date().toISOString() });
    return id;
  }

  /** Writes down how an operation ended. */
  end(id: string, end: Ending['end'], note = ''): Promise<void> {
    return this.log.add({ id, end, note, at: new Date().toISOString() });
  }

  /** Operations begun and never ended. */
  async open(): Promise<Intent[]> {
    const lines = await this.log.list();
    const ended = new Set(lines.filter(isEnding).map((l) => l.id));
    return lines.filter((l): l is Intent => !isEnding(l) && !ended.has(l.id));
  }

  /** Every line, oldest first (for the operator page). */
  all(): Promise<Line[]> {
    return this.log.list();
  }
}

export interface ReconcileOptions {
  flink: FlinkClient;
  intents: IntentLog;
  savepoints: SavepointStore;
  /** How long a stop that is still under way may take before it is given up on. */
  stopTimeoutMs: number;
  /** Starts a version (from `savepoint` when given); returns the new Flink job id. */
  startVersion(next: NextVersion, savepoint: string | null): Promise<string>;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

/** Finishes or settles every operation a previous run of the control plane left open. */
export async function reconcile(o: ReconcileOptions): Promise<{ id: string; note: string }[]> {
  const outcomes: { id: string; note: string }[] = [];
  for (const intent of await o.intents.open()) {
    const settled = await settle(o, intent).catch((err: unknown) => {
      if (err instanceof FlinkError && err.code === 'FLINK_UNREACHABLE') throw err;
      return ['failed', `reconciling failed: ${(err as Error).message}`] as const;
    });
    const [end, note] = settled;
    await o.intents.end(intent.id, end, note);
    o.log.warn(
      { job: intent.job, op: intent.op, jobId: intent.jobId, end, note },
      'reconciled an unfinished operation',
    );
    outcomes.push({ id: intent.id, note });
  }
  return outcomes;
}

async function settle(o: ReconcileOptions, intent: Intent): Promise<[Ending['end'], string]> {
  // Flink unreachable: the error leaves the intent open for the next attempt.
  let job = await o.flink.job(intent.jobId).catch((err: unknown) => {
    if (err instanceof FlinkError && err.code === 'FLINK_NOT_FOUND') return undefined;
    throw err;
  });
  if (!job)
    return [
      'abandoned',
      `Flink no longer knows ${intent.jobId} (the cluster restarted); the ${intent.op} did not finish and the job's retained checkpoints are its latest state`,
    ];
  // A stop that was triggered may still be completing.
  const deadline = Date.now() + o.stopTimeoutMs;
  while (!TERMINAL_STATES.has(job.state) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    job = (await o.flink.job(intent.jobId).catch(() => undefined)) ?? job;
  }
  if (!TERMINAL_STATES.has(job.state))
    return [
      'abandoned',
      `the ${intent.op} never took effect: ${intent.jobId} is still ${job.state}`,
    ];
  if (job.state !== 'FINISHED')
    return [
      'abandoned',
      `${intent.jobId} ended ${job.state}, without a savepoint; nothing was started`,
    ];

  const location = (await o.flink.jobCheckpoints(intent.jobId)).latest.savepoint?.external_path;
  if (!location) return ['abandoned', `${intent.jobId} finished but Flink reports no savepoint`];
  const known = (await o.savepoints.list(intent.job)).some((s) => s.location === location);
  if (!known)
    await o.savepoints.add({
      job: intent.job,
      jobId: intent.jobId,
      hash: intent.hash,
      location,
      at: new Date(
        job['end-time'] && job['end-time'] > 0 ? job['end-time'] : Date.now(),
      ).toISOString(),
      reason: intent.op === 'stop' ? 'stop' : 'upgrade',
    });
  if (intent.op === 'stop' || !intent.next)
    return [
      'reconciled',
      `${intent.jobId} stopped with savepoint ${location}${known ? '' : ' (recorded now)'}`,
    ];

  const active = activeCopiesOf(await o.flink.jobsOverview(), intent.job);
  if (active.length > 0)
    return [
      'reconciled',
      `${intent.jobId} stopped with savepoint ${location}; ${active[0]!.jid} already runs`,
    ];
  const jobId = await o.startVersion(intent.next, intent.next.restore ? location : null);
  return [
    'reconciled',
    `${intent.jobId} stopped with savepoint ${location}; the new version ${intent.next.hash} was started as ${jobId}${intent.next.restore ? ' from it' : ' fresh'}`,
  ];
}
