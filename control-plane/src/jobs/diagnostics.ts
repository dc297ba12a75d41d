/**
 * What an operator sees when a job does not do what they expect: per vertex the records in and
 * out, back pressure, the input watermark of every subtask (and how far it is behind the clock),
 * the records dropped as late, the Kafka positions of the sources; the checkpoints; and hints in
 * plain words, above all the answer to "why has my window not fired?". Read from Flink's REST API
 * at the moment of asking.
 */
import type { JobDiagnostics, VertexDiagnostics } from '@pulse/contracts';
import { TERMINAL_STATES } from '../constants.js';
import type { FlinkClient, JobVertex } from '../flink/index.js';
import { masked } from './listing.js';
import { copiesOf } from './naming.js';
import type { DeploymentStore } from './savepoints.js';

/** Flink writes "no watermark yet" as Long.MIN_VALUE. */
const NO_WATERMARK = -1e15;
const LATE = /\.numLateRecordsDropped$/;
const POSITION = /^(\d+)\..*KafkaConsumer\.topic\.(.+)\.partition\.(\d+)\.currentOffsets$/;

const num = (v: unknown): number => {
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
};

const at = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} days`;
}

/** A vertex's name without the long operator descriptions Flink gives it. */
export function shortName(name: string): string {
  const table = /table=\[\[[^,\]]+,\s*[^,\]]+,\s*([^,\]]+)/.exec(name)?.[1];
  if (name.startsWith('Source') && table) return `Source: ${table}`;
  const first = name.split(/\s*->\s*/)[0] ?? name;
  return first.replace(/\(.*$/s, '').trim() || name.slice(0, 60);
}

async function vertexDiagnostics(
  flink: FlinkClient,
  jobId: string,
  vertex: JobVertex,
  now: number,
): Promise<VertexDiagnostics> {
  const [watermarks, pressure, names] = await Promise.all([
    flink.vertexWatermarks(jobId, vertex.id).catch(() => []),
    flink.vertexBackPressure(jobId, vertex.id).catch(() => null),
    flink.vertexMetricNames(jobId, vertex.id).catch(() => [] as string[]),
  ]);
  const subtaskWatermarks: Array<number | null> = Array.from(
    { length: vertex.parallelism },
    () => null,
  );
  for (const w of watermarks) {
    const subtask = Number(w.id.split('.')[0]);
    const value = Number(w.value);
    if (Number.isInteger(subtask) && subtask < subtaskWatermarks.length)
      subtaskWatermarks[subtask] = Number.isFinite(value) && value > NO_WATERMARK ? value : null;
  }
  const isSource = vertex.name.startsWith('Source');
  const watermark =
    isSource || subtaskWatermarks.some((w) => w === null)
      ? null
      : Math.min(...(subtaskWatermarks as number[]));
  const wanted = names.filter((n) => LATE.test(n) || POSITION.test(n));
  const values = wanted.length
    ? await flink.jobMetrics(jobId, vertex.id, wanted).catch(() => [])
    : [];
  let lateRecordsDropped = 0;
  const partitions: VertexDiagnostics['partitions'] = [];
  for (const m of values) {
    if (LATE.test(m.id)) lateRecordsDropped += num(m.value);
    const p = POSITION.exec(m.id);
    if (p)
      partitions.push({
        subtask: Number(p[1]),
        topic: p[2]!,
        partition: Number(p[3]),
        // Before its first record a partition's position is a negative sentinel.
        offset: Math.max(-1, num(m.value)),
      });
  }
  partitions.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  const level = pressure?.['backpressure-level'];
  return {
    id: vertex.id,
    name: shortName(vertex.name),
    parallelism: vertex.parallelism,
    status: vertex.status,
    recordsIn: num(vertex.metrics?.['read-records']),
    recordsOut: num(vertex.metrics?.['write-records']),
    backPressure:
      level === 'ok' || level === 'low' || level === 'high' ? level : pressure ? 'sampling' : null,
    subtaskWatermarks: isSource ? [] : subtaskWatermarks,
    watermark,
    watermarkLagMs: watermark === null ? null : Math.max(0, now - watermark),
    lateRecordsDropped,
    partitions,
  };
}

/** The hints an operator reads first: what holds the job or its windows back. */
export function hintsFor(d: Pick<JobDiagnostics, 'state' | 'vertices' | 'checkpoints'>): string[] {
  const hints: string[] = [];
  if (d.state !== 'RUNNING')
    hints.push(
      d.state === 'NOT_DEPLOYED'
        ? 'The job is not running: deploy it.'
        : `The job is ${d.state}, not RUNNING: see the last failure.`,
    );
  for (const v of d.vertices) {
    const waiting = v.subtaskWatermarks.map((w, i) => (w === null ? i : -1)).filter((i) => i >= 0);
    if (waiting.length > 0)
      hints.push(
        `${v.name}: subtask${waiting.length > 1 ? 's' : ''} ${waiting.join(', ')} ha${waiting.length > 1 ? 've' : 's'} no watermark yet, so no window of it can close. Its source partitions have sent nothing since the job started; a partition quiet for longer than SOURCE_IDLE_TIMEOUT stops holding the others back.`,
      );
    else if (v.watermark !== null && v.watermarkLagMs !== null && v.watermarkLagMs > 60_000)
      hints.push(
        `${v.name}: its watermark is at ${at(v.watermark)}, ${duration(v.watermarkLagMs)} behind the clock. Windows ending after it have not closed: they close once events later than their end plus WATERMARK_DELAY arrive (input stopped, or it is replaying older data).`,
      );
    if (v.lateRecordsDropped > 0)
      hints.push(
        `${v.name}: ${v.lateRecordsDropped.toLocaleString('en')} records arrived after their window had closed and were dropped; raise WATERMARK_DELAY if the logs arrive that late.`,
      );
    if (v.backPressure === 'high')
      hints.push(`${v.name}: back-pressured; what follows it cannot keep up with its input.`);
  }
  if (d.checkpoints && d.checkpoints.failed > 0)
    hints.push(
      `${d.checkpoints.failed} checkpoint${d.checkpoints.failed > 1 ? 's' : ''} failed; a restart goes back to the last completed one.`,
    );
  return hints;
}

interface CheckpointCounts {
  counts?: { completed?: number; failed?: number; in_progress?: number };
  latest?: {
    completed?: {
      latest_ack_timestamp?: number;
      end_to_end_duration?: number;
      state_size?: number;
    } | null;
  };
}

/** The diagnostics of job `name` (its newest copy in Flink). */
export async function diagnose(
  o: { flink: FlinkClient; deployments?: DeploymentStore | undefined },
  name: string,
  operator: boolean,
): Promise<JobDiagnostics> {
  const now = Date.now();
  const copy = copiesOf(await o.flink.jobsOverview(), name)[0];
  if (!copy)
    return {
      job: name,
      jobId: null,
      state: 'NOT_DEPLOYED',
      variables: {},
      vertices: [],
      checkpoints: null,
      lastFailureAt: null,
      hints: hintsFor({ state: 'NOT_DEPLOYED', vertices: [], checkpoints: null }),
      at: now,
    };
  const running = !TERMINAL_STATES.has(copy.state);
  const [job, checkpoints, exceptions, record] = await Promise.all([
    o.flink.job(copy.jid),
    o.flink.jobCheckpoints(copy.jid).catch(() => null),
    o.flink.jobExceptions(copy.jid).catch(() => null),
    o.deployments?.byJobId(copy.jid),
  ]);
  const vertices = running
    ? await Promise.all(job.vertices.map((v) => vertexDiagnostics(o.flink, copy.jid, v, now)))
    : [];
  const stats = checkpoints as CheckpointCounts | null;
  const last = stats?.latest?.completed ?? null;
  const summary = {
    state: copy.state,
    vertices,
    checkpoints: stats
      ? {
          completed: stats.counts?.completed ?? 0,
          failed: stats.counts?.failed ?? 0,
          inProgress: stats.counts?.in_progress ?? 0,
          lastCompletedAt: last?.latest_ack_timestamp ?? null,
          lastDurationMs: last?.end_to_end_duration ?? null,
          lastSizeBytes: last?.state_size ?? null,
        }
      : null,
  };
  const failures = exceptions?.['all-exceptions'] ?? [];
  const lastFailureAt = exceptions?.timestamp ?? failures[0]?.timestamp ?? null;
  return {
    job: name,
    jobId: copy.jid,
    ...summary,
    variables: masked(record?.values ?? {}),
    ...(operator && record?.script ? { script: maskScript(record.script, record.values) } : {}),
    lastFailureAt,
    ...(operator
      ? {
          exceptions: [
            ...(exceptions?.['root-exception']
              ? [{ at: lastFailureAt ?? 0, message: exceptions['root-exception'] }]
              : []),
            ...failures.slice(0, 5).map((f) => ({ at: f.timestamp, message: f.exception })),
          ].slice(0, 5),
        }
      : {}),
    hints: hintsFor(summary),
    at: now,
  };
}

/** The script with the values of secret variables replaced by the mask. */
function maskScript(script: string, values: Record<string, string>): string {
  const hidden = masked(values);
  let out = script;
  for (const [k, v] of Object.entries(values))
    if (hidden[k] !== v && v.length >= 4) out = out.split(v).join(hidden[k] as string);
  return out;
}
