/**
 * The diagnostics of a running job on the real cluster answer "why has my window not fired?":
 * while one partition of the input has sent nothing, the window vertex has no watermark and says
 * so; once all have, its watermark equals the one computed here from the events; a record older
 * than the watermark shows up as a late record dropped. Viewers get the figures, not the script,
 * the traces or the paths.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobDiagnostics } from '@pulse/contracts';
import { REPO_ROOT } from '@pulse/stack';
import { sleep } from '@pulse/kit';
import { accessRecord } from './history-events.js';
import { brokers, createTopics, deleteTopics, produce, uid } from './kafka-helpers.js';
import { privateControlPlane, privateJobsDir } from './private-jobs.js';

const TOKEN = 'test-operator-token-diagnostics';
const DELAY_S = 5;
const BASE = Date.now() - 3_600_000;

describe('job diagnostics', () => {
  const id = uid();
  const name = `pvuv_diag_${id}`;
  const topics = { access: `access-d-${id}`, pvuv: `pvuv-d-${id}` };
  const jobs = privateJobsDir(join(REPO_ROOT, 'jobs', 'sql'), 'pv_uv', name);
  let app: FastifyInstance;
  let jobId: string;

  beforeAll(async () => {
    await createTopics([{ topic: topics.access, partitions: 2 }, { topic: topics.pvuv }]);
    app = await privateControlPlane(jobs.dir, TOKEN);
  });

  afterAll(async () => {
    if (jobId) await app.flink.cancelJob(jobId).catch(() => {});
    await app?.close();
    await deleteTopics(Object.values(topics));
    jobs.remove();
  });

  const diagnose = async (operator: boolean) => {
    const res = await app.inject({
      url: `/api/jobs/pv_uv/diagnostics`,
      headers: operator ? { authorization: `Bearer ${TOKEN}` } : {},
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as JobDiagnostics;
  };
  /** The vertex holding the windows (its input watermark decides when they close). */
  const windows = (d: JobDiagnostics) => d.vertices.find((v) => /Window/i.test(v.name));

  /** Polls the diagnostics until `ok` holds (Flink refreshes what its REST API shows every ~10 s). */
  async function until(what: string, ok: (d: JobDiagnostics) => boolean): Promise<JobDiagnostics> {
    let last: JobDiagnostics | undefined;
    for (let i = 0; i < 60; i++) {
      last = await diagnose(true);
      if (ok(last)) return last;
      await sleep(2000);
    }
    throw new Error(`${what}: ${JSON.stringify(last, null, 1).slice(0, 3000)}`);
  }

  it('says a window cannot fire while a partition has sent nothing, then follows the watermark', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/jobs/pv_uv/deploy',
      headers: { authorization: `Bearer ${TOKEN}` },
      payload: {
        start: 'earliest',
        variables: {
          ACCESS_TOPIC: topics.access,
          PVUV_TOPIC: topics.pvuv,
          GROUP_PREFIX: `diag-${id}`,
          BROKERS: brokers,
          WATERMARK_DELAY: String(DELAY_S),
          WINDOW_SIZE: '20',
          WINDOW_SLIDE: '5',
          // Quiet partitions hold the watermark back for the length of this test.
          SOURCE_IDLE_TIMEOUT: '1 h',
        },
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    jobId = (res.json() as { jobId: string }).jobId;

    // Partition 0 only: partition 1 has sent nothing, so no watermark can pass.
    const first = Array.from({ length: 50 }, (_, i) => ({
      t: BASE + i * 1000,
      visitor: `v${i % 7}`,
      status: 200,
    }));
    await produce(
      topics.access,
      first.map((r, i) => accessRecord(r, i, 0)),
    );
    const waiting = await until(
      'the window vertex reading records without a watermark',
      (d) =>
        (d.vertices[0]?.partitions.some((p) => p.offset >= 49) ?? false) &&
        windows(d) !== undefined,
    );
    expect(waiting.state).toBe('RUNNING');
    expect(windows(waiting)?.watermark).toBeNull();
    expect(waiting.hints.join('\n')).toMatch(/no watermark yet, so no window of it can close/);
    // The source's Kafka positions: partition 0 read up to its 50th record, partition 1 nothing.
    const source = waiting.vertices.find((v) => v.name === 'Source: access_log_records');
    expect(source?.partitions.map((p) => [p.partition, p.offset])).toEqual([
      [0, 49],
      [1, -1],
    ]);

    // Both partitions send: the watermark is the smaller of their newest event times less the delay.
    const later = [
      { t: BASE + 80_000, visitor: 'a', status: 200, partition: 0 },
      { t: BASE + 70_000, visitor: 'b', status: 200, partition: 1 },
    ];
    await produce(
      topics.access,
      later.map((r, i) => accessRecord(r, 100 + i, r.partition)),
    );
    const expected = Math.min(BASE + 80_000, BASE + 70_000) - DELAY_S * 1000;
    const flowing = await until(
      'the watermark to pass',
      (d) => Math.abs((windows(d)?.watermark ?? 0) - expected) <= 1,
    );
    expect(windows(flowing)?.watermarkLagMs).toBeGreaterThanOrEqual(flowing.at - expected - 1000);

    // A record from before the watermark is late: dropped, counted, and explained.
    await produce(topics.access, [
      accessRecord({ t: BASE + 1_000, visitor: 'late', status: 200 }, 200, 1),
    ]);
    const late = await until(
      'the late record to be counted',
      (d) => (windows(d)?.lateRecordsDropped ?? 0) >= 1,
    );
    expect(windows(late)?.lateRecordsDropped).toBe(1);
    expect(late.hints.join('\n')).toMatch(/1 records arrived after their window had closed/);
    expect(late.checkpoints).not.toBeNull();
  });

  it('gives operators the script and traces, viewers only states and figures', async () => {
    const operator = await diagnose(true);
    expect(operator.script).toContain('CREATE TABLE');
    expect(operator.variables.JDBC_PASSWORD).toBe('••••••');
    expect(operator.script).not.toMatch(/'password' = 'postgres'/);
    expect(operator.exceptions).toBeDefined();

    const viewer = await diagnose(false);
    expect(viewer.script).toBeUndefined();
    expect(viewer.exceptions).toBeUndefined();
    expect(viewer.vertices.length).toBe(operator.vertices.length);

    const details = await app.inject({ url: '/api/jobs/pv_uv' });
    expect(details.statusCode).toBe(200);
    expect(details.body).not.toMatch(/external_path|"location"|file:\//);
  });
});
