/**
 * What the benchmarks read from Flink's REST API: how far a job's source of a table has read, and
 * the size of a checkpoint operator by operator.
 */
import axios from 'axios';
import type { FlinkClient } from '../src/flink/index.js';

export interface Progress {
  /** Associations per second between the first and last metric refresh while reading. */
  sustained: number;
  refreshes: number;
  /** From the job's start to the first refresh showing every association read. */
  seconds: number;
  startedAt: number;
  doneAt: number;
}

/**
 * Records the job has read from `table`: its source's Kafka positions (the last offset passed on,
 * per partition). The vertex's write-records would count each record once per consumer inside
 * the job (and after any filter chained to the source), not once.
 */
async function sourceRead(
  flink: FlinkClient,
  restUrl: string,
  jobId: string,
  table: string,
  metrics: string[],
): Promise<{ read: number; startedAt: number }> {
  const job = await flink.job(jobId);
  const source = job.vertices.find(
    (v) =>
      v.name.startsWith('Source') &&
      new RegExp(`table=\\[\\[[^,]+, [^,]+, ${table}(_records)?[,\\]]`).test(v.name),
  );
  if (!source) return { read: 0, startedAt: job['start-time'] };
  if (metrics.length === 0) {
    const { data } = await axios.get<{ id: string }[]>(
      `${restUrl}/jobs/${jobId}/vertices/${source.id}/metrics`,
    );
    metrics.push(
      ...data
        .map((m) => m.id)
        .filter((m) => /KafkaConsumer\.topic\..*\.partition\.\d+\.currentOffsets$/.test(m)),
    );
  }
  if (metrics.length === 0) return { read: 0, startedAt: job['start-time'] };
  const values = await flink.jobMetrics(jobId, source.id, metrics);
  // Before its first record a partition's position is a negative sentinel.
  const read = values.reduce((sum, m) => sum + Math.max(0, Number(m.value) + 1), 0);
  return { read, startedAt: job['start-time'] };
}

/**
 * Follows the job's source of `table` until it has read `total` records. Flink refreshes the metrics its REST
 * API shows about every 10 s, so the sustained rate is taken between the first and the last
 * refresh seen while reading (startup and the tail left out).
 */
export async function readProgress(
  flink: FlinkClient,
  restUrl: string,
  jobId: string,
  total: number,
  log: (read: number) => void,
  table = 'wifi_log',
): Promise<Progress> {
  const metrics: string[] = [];
  const samples: { at: number; read: number }[] = [];
  let lastLog = Date.now();
  for (;;) {
    const now = Date.now();
    const { read, startedAt } = await sourceRead(flink, restUrl, jobId, table, metrics);
    if (read !== samples.at(-1)?.read) samples.push({ at: now, read });
    if (read >= total) {
      const steady = samples.filter((s) => s.read > 0 && s.read < total);
      const first = steady[0];
      const last = steady.at(-1);
      return {
        sustained:
          first && last && last.at > first.at
            ? (last.read - first.read) / ((last.at - first.at) / 1000)
            : Number.NaN,
        refreshes: steady.length,
        seconds: (now - startedAt) / 1000,
        startedAt,
        doneAt: now,
      };
    }
    if (now - lastLog > 30_000) {
      log(read);
      lastLog = now;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface StateSize {
  id: number;
  bytes: number;
  operators: { name: string; bytes: number }[];
}

/** The first checkpoint triggered after `after`, and each operator chain's share of it. */
export async function stateByOperator(
  flink: FlinkClient,
  restUrl: string,
  jobId: string,
  after: number,
): Promise<StateSize> {
  for (;;) {
    const { data: stats } = await axios.get<{
      latest: { completed: { id: number; trigger_timestamp: number; state_size: number } | null };
    }>(`${restUrl}/jobs/${jobId}/checkpoints`);
    const done = stats.latest.completed;
    if (done && done.trigger_timestamp > after) {
      const { data: details } = await axios.get<{ tasks: Record<string, { state_size: number }> }>(
        `${restUrl}/jobs/${jobId}/checkpoints/details/${done.id}`,
      );
      const names = new Map((await flink.job(jobId)).vertices.map((v) => [v.id, v.name]));
      return {
        id: done.id,
        bytes: done.state_size,
        operators: Object.entries(details.tasks)
          .map(([vertex, t]) => ({ name: names.get(vertex) ?? vertex, bytes: t.state_size }))
          .filter((t) => t.bytes > 0)
          .sort((a, b) => b.bytes - a.bytes),
      };
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
