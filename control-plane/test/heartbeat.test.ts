/**
 * When all input stops, the last windows still close (issue 14). Flink's watermark moves only with
 * records, so without help the windows holding the last lines of a quiet night never fire. A real
 * watcher with heartbeatMs writes a heartbeat to every partition of the quiet topic; pv_uv, on the
 * real cluster, then emits its last window holding real events within the documented bound after
 * the last line, and every window's PV and UV equal an independent computation over the lines
 * (heartbeats counted nowhere).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { freePort, REPO_ROOT } from '@pulse/stack';
import { sleep } from '@pulse/kit';
import { isHeartbeat } from '@pulse/contracts';
import { privateControlPlane, privateJobsDir } from './private-jobs.js';
import { hopWindows } from './history-events.js';
import {
  brokers,
  createTopics,
  deleteTopics,
  flinkUrl,
  kafka,
  readUntil,
  uid,
} from './kafka-helpers.js';

const TOKEN = 'test-operator-token-heartbeat';
const SIZE_S = 20;
const SLIDE_S = 5;
const DELAY_S = 5;
const HEARTBEAT_MS = 1_000;
const CHECKPOINT_MS = 2_000;
const PARTITIONS = 3;
/** Flink's own latency on two shared cores: reading, the periodic watermark, the sink. */
const SLACK_MS = 10_000;

interface Event {
  t: number;
  visitor: string;
}

const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');
const pad = (n: number) => String(n).padStart(2, '0');

/** A combined-format access log line at `t` (whole seconds, UTC) from the visitor's address. */
function line(e: Event, i: number): string {
  const d = new Date(e.t);
  const time = `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
  return `${e.visitor} - - [${time}] "GET /page/${i % 9} HTTP/1.1" 200 512 "-" "Mozilla/5.0"\n`;
}

/** Heartbeats committed on `topic`, per partition, with their keys. */
async function heartbeatsByPartition(topic: string, timeoutMs = 20_000) {
  const seen = new Map<number, (string | null)[]>();
  const consumer = kafka.consumer({ groupId: `heartbeat-reader-${uid()}`, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (!isHeartbeat(JSON.parse(message.value?.toString() ?? 'null'))) return;
        seen.set(partition, [...(seen.get(partition) ?? []), message.key?.toString() ?? null]);
        if (seen.size === PARTITIONS) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return seen;
}

/** Sums a counter of the watcher's /metrics over its labels. */
async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

describe('heartbeats close the last windows when all input stops', () => {
  let app: FastifyInstance;
  let watcher: ChildProcess | undefined;
  const id = uid();
  const vars = {
    ACCESS_TOPIC: `access-hb-${id}`,
    PVUV_TOPIC: `pvuv-hb-${id}`,
    GROUP_PREFIX: `hb-${id}`,
    BROKERS: brokers,
    WINDOW_SIZE: String(SIZE_S),
    WINDOW_SLIDE: String(SLIDE_S),
    WATERMARK_DELAY: String(DELAY_S),
    CHECKPOINT_INTERVAL: `${CHECKPOINT_MS / 1000} s`,
  };
  const stateId = `heartbeat-${id}`;
  const jobName = `pv_uv_heartbeat_${id}`;
  const jobs = privateJobsDir(join(REPO_ROOT, 'jobs', 'sql'), 'pv_uv', jobName);
  const dir = mkdtempSync(join(tmpdir(), 'heartbeat-'));

  beforeAll(async () => {
    app = await privateControlPlane(jobs.dir, TOKEN);
  });

  afterAll(async () => {
    if (watcher && watcher.exitCode === null && watcher.signalCode === null) {
      const exited = new Promise((r) => watcher!.once('exit', r));
      watcher.kill('SIGTERM');
      await exited;
    }
    await app.close();
    await deleteTopics([
      vars.ACCESS_TOPIC,
      `${vars.ACCESS_TOPIC}.dlq`,
      vars.PVUV_TOPIC,
      `_watcher_offsets.${stateId}`,
    ]);
    jobs.remove();
  });

  it("pv_uv's last window with real events appears within the bound, heartbeats uncounted", async () => {
    await createTopics([
      { topic: vars.ACCESS_TOPIC, partitions: PARTITIONS },
      { topic: vars.PVUV_TOPIC, partitions: 1 },
    ]);
    const res = await app.inject({
      method: 'POST',
      url: '/api/jobs/pv_uv/deploy',
      headers: { authorization: `Bearer ${TOKEN}` },
      payload: { variables: vars, start: 'earliest' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const { jobId } = res.json() as { jobId: string };
    try {
      // The job reads before the lines come, so the time measured below is the heartbeats' alone.
      for (let state = ''; state !== 'RUNNING'; await sleep(500)) {
        const job = (await (await fetch(`${flinkUrl}/jobs/${jobId}`)).json()) as {
          vertices: { status: string }[];
        };
        state = job.vertices.every((v) => v.status === 'RUNNING') ? 'RUNNING' : '';
      }

      // 40 s of recent traffic from 30 addresses, ending a second ago; then nothing at all.
      const lastT = Math.floor(Date.now() / 1000) * 1000 - 1000;
      const events: Event[] = [];
      for (let i = 0; i < 240; i++)
        events.push({
          t: lastT - 40_000 + Math.floor(i / 6) * 1000,
          visitor: `10.1.0.${(i * 7) % 30}`,
        });
      events.push({ t: lastT, visitor: '10.1.0.99' });
      writeFileSync(join(dir, 'access.log'), events.map(line).join(''));

      const port = await freePort();
      const configFile = join(dir, 'watcher.json');
      writeFileSync(
        configFile,
        JSON.stringify({
          kafka: { brokers: [brokers] },
          stateId,
          http: { port },
          pollIntervalMs: 100,
          sources: [
            {
              name: 'web',
              paths: ['access.log'],
              format: 'combined',
              topic: vars.ACCESS_TOPIC,
              heartbeatMs: HEARTBEAT_MS,
            },
          ],
        }),
      );
      watcher = spawn(
        process.execPath,
        ['--import', 'tsx', join(REPO_ROOT, 'watcher', 'src', 'cli.ts'), '--config', configFile],
        {
          cwd: REPO_ROOT,
          env: { ...process.env, KAFKA_BROKERS: brokers, LOG_LEVEL: 'warn' },
          stdio: 'ignore',
        },
      );
      let published = 0;
      for (let tries = 0; ; tries++) {
        expect(tries, 'the watcher never committed the lines').toBeLessThan(600);
        const sent = await metric(port, 'watcher_records_sent_total').catch(() => 0);
        if (sent >= events.length) {
          published = Date.now();
          break;
        }
        await sleep(100);
      }

      const expected = hopWindows(events, SIZE_S, SLIDE_S);
      const lastEnd = Math.max(...expected.keys());
      // Documented bound: a window ending at E closes (E - last event) + WATERMARK_DELAY +
      // heartbeatMs after the last line is published, plus the checkpoint that commits the output.
      const boundMs = lastEnd - lastT + DELAY_S * 1000 + HEARTBEAT_MS + CHECKPOINT_MS;
      const out = await readUntil(
        vars.PVUV_TOPIC,
        (r) =>
          r.some(
            (w) =>
              Date.parse((JSON.parse(w.value!) as { window_end: string }).window_end) === lastEnd,
          ),
        boundMs + SLACK_MS + 30_000,
      );
      const took = Date.now() - published;
      const got = new Map(
        out.map((r) => {
          const w = JSON.parse(r.value!) as { window_end: string; pv: number; uv: number };
          return [Date.parse(w.window_end), { pv: w.pv, uv: w.uv }];
        }),
      );
      expect(got.has(lastEnd), 'the last window never closed').toBe(true);
      expect(took, `the last window took ${took} ms after the last line`).toBeLessThan(
        boundMs + SLACK_MS,
      );
      expect(out.length).toBe(got.size); // no window twice
      expect(got).toEqual(expected); // every window, counted from the lines alone

      // The heartbeats are on the topic: on every partition, without a key.
      const beats = await heartbeatsByPartition(vars.ACCESS_TOPIC);
      expect([...beats.keys()].sort()).toEqual([0, 1, 2]);
      for (const keys of beats.values()) expect(keys.every((k) => k === null)).toBe(true);
      expect(await metric(port, 'watcher_heartbeats_sent_total')).toBeGreaterThanOrEqual(
        PARTITIONS,
      );
      // And they made no window of their own: nothing closes beyond the real events' windows.
      await sleep(CHECKPOINT_MS + HEARTBEAT_MS * 3);
      const later = await readUntil(vars.PVUV_TOPIC, () => false, 5_000);
      expect(later.length).toBe(expected.size);
    } finally {
      await app.flink.cancelJob(jobId).catch(() => {});
    }
  });
});
