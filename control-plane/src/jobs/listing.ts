/**
 * What the listing and the job page show: the job file, what Flink runs of it (state, id, the
 * hash and values of the running copy, drift), and for one job Flink's details and its savepoints.
 */
import type { JobSummary } from '@pulse/contracts';
import { SCRIPT_JOB_PREFIX, TERMINAL_STATES } from '../constants.js';
import type { JobOverview } from '../flink/index.js';
import { copiesOf, parseFlinkName } from './naming.js';
import type { JobPanels } from './panels.js';
import { JobScriptError, renderJob, type RenderedJob } from './script.js';
import type { JobServiceOptions } from './service.js';

type Sources = Pick<
  JobServiceOptions,
  'flink' | 'jobsDir' | 'jobVariables' | 'deployments' | 'savepoints'
>;

/** Variables whose values are secrets: shown as set, never as written. */
export const SECRET_VARIABLE = /PASSWORD|SECRET|TOKEN|KEY|CREDENTIAL/i;
const MASK = '••••••';

/** The variables with every secret's value replaced by a mask (an empty value stays empty). */
export function masked(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, SECRET_VARIABLE.test(k) && v !== '' ? MASK : v]),
  );
}

/** One job file as the listing shows it, judged against Flink's job list `all`. */
export async function jobSummary(
  o: Sources,
  name: string,
  all: JobOverview[],
  pendingStop: (job: string) => string | undefined,
): Promise<JobSummary> {
  let rendered: RenderedJob | undefined;
  let error: string | undefined;
  try {
    rendered = await renderJob(o.jobsDir, name, {}, o.jobVariables);
  } catch (err) {
    if (err instanceof JobScriptError && err.code === 'JOB_NOT_FOUND') throw err;
    error = err instanceof Error ? err.message : String(err);
  }
  const jobName = rendered?.name ?? name;
  const newest = copiesOf(all, jobName)[0];
  const runningHash =
    newest && !TERMINAL_STATES.has(newest.state) ? parseFlinkName(newest.name).hash : null;
  const runningVariables =
    runningHash && newest ? (await o.deployments?.find(jobName, runningHash))?.values : undefined;
  const pendingJobId = pendingStop(jobName);
  const state =
    pendingJobId && newest?.jid === pendingJobId && !TERMINAL_STATES.has(newest.state)
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
    variables: masked(rendered?.variables ?? {}),
    ...(runningVariables ? { runningVariables: masked(runningVariables) } : {}),
    ...(error ? { error } : {}),
  };
}

/** The jobs started from a script that is no file (INSERTs through the SQL gateway) that run. */
export function scriptJobNames(all: JobOverview[]): string[] {
  const names = all
    .filter((j) => !TERMINAL_STATES.has(j.state))
    .map((j) => parseFlinkName(j.name))
    .filter((n) => n.hash !== null && n.job.startsWith(SCRIPT_JOB_PREFIX))
    .map((n) => n.job);
  return [...new Set(names)].sort();
}

/** A job started from a script (no file): what Flink runs of it, acted on by its name. */
export function scriptJobSummary(name: string, all: JobOverview[]): JobSummary {
  const newest = copiesOf(all, name)[0];
  const runningHash =
    newest && !TERMINAL_STATES.has(newest.state) ? parseFlinkName(newest.name).hash : null;
  return {
    name,
    file: name,
    description: 'started by an INSERT through the SQL gateway (no job file)',
    hash: runningHash,
    state: newest?.state ?? 'NOT_DEPLOYED',
    jobId: newest?.jid ?? null,
    runningHash,
    drift: false,
    startTime: newest?.['start-time'] ?? null,
    variables: {},
  };
}

/** A job's summary with Flink's details (vertices, checkpoints, exceptions) and its savepoints. */
export async function jobDetails(o: Sources, summary: JobSummary) {
  const savepoints = await o.savepoints.list(summary.name);
  if (!summary.jobId) return { job: summary, flink: null, savepoints };
  const [job, checkpoints, exceptions] = await Promise.all([
    o.flink.job(summary.jobId),
    o.flink.jobCheckpoints(summary.jobId).catch(() => null),
    o.flink.jobExceptions(summary.jobId).catch(() => null),
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

/**
 * The panels of every job Flink runs (or is restarting): as recorded when the copy was started, or,
 * for a copy started before panels were recorded, as its job file declares them when the file still
 * renders to what runs. Jobs that ended show no panels.
 */
export async function runningPanels(o: Sources): Promise<JobPanels[]> {
  const all = await o.flink.jobsOverview();
  const found: JobPanels[] = [];
  for (const copy of all) {
    if (TERMINAL_STATES.has(copy.state)) continue;
    const { job, hash } = parseFlinkName(copy.name);
    if (!hash) continue;
    const record = await o.deployments?.byJobId(copy.jid);
    if (record?.panels) {
      found.push(record.panels);
      continue;
    }
    try {
      const rendered = await renderJob(o.jobsDir, job, {}, o.jobVariables);
      if (rendered.hash === hash && rendered.panels.panels.length > 0) found.push(rendered.panels);
    } catch {
      // A file that is gone or no longer renders declares nothing we could trust.
    }
  }
  return found;
}

/**
 * A job's details as a viewer may read them: states and figures, without exception traces,
 * savepoint and checkpoint paths (they tell an attacker about the host) or the failing code.
 */
export function viewerDetails(details: Awaited<ReturnType<typeof jobDetails>>) {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !['external_path', 'location', 'path'].includes(k))
        .map(([k, v]) => [k, strip(v)]),
    );
  };
  const exceptions = details.flink?.exceptions as
    { timestamp?: number; 'all-exceptions'?: unknown[] } | null | undefined;
  return {
    job: details.job,
    flink: details.flink
      ? {
          ...details.flink,
          checkpoints: strip(details.flink.checkpoints),
          exceptions: exceptions
            ? {
                timestamp: exceptions.timestamp ?? null,
                count: exceptions['all-exceptions']?.length ?? 0,
              }
            : null,
        }
      : null,
    savepoints: details.savepoints.map((s) => strip(s)),
  };
}
