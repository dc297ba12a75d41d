/**
 * Heartbeats on the real broker, through both producer engines: once the log is quiet, every
 * partition of its topic gets keyless heartbeats whose time carries the last event time on with
 * the clock, the lines stay exactly as they were, and a restarted watcher carries the clock on
 * from what it committed. (That they close pv_uv's last windows on the real cluster is
 * control-plane/test/heartbeat.test.ts.)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { isHeartbeat } from '@pulse/contracts';
import {
  RECENT_MS,
  readTopics,
  setup,
  sleep,
  startWatcher,
  stopWatcher,
  webLine,
  type Rec,
} from './helpers.js';

const HEARTBEAT_MS = 500;
const LINES = 10;
const LAST_EVENT = RECENT_MS + (LINES - 1) * 10;

const beatsOf = (records: Rec[], topic: string) =>
  records.filter((r) => r.topic === topic && isHeartbeat(r.value));
/** At least `n` heartbeats on each of the three partitions. */
const onEveryPartition = (beats: Rec[], n: number) =>
  [0, 1, 2].every((p) => beats.filter((b) => b.partition === p).length >= n);

describe.each(['librdkafka', 'kafkajs'] as const)('heartbeats through %s', (engine) => {
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (child) await stopWatcher(child);
    child = undefined;
  });

  it('reach every partition of a quiet topic, keyless, carrying the log clock on across a restart', async () => {
    const s = await setup({ lineSource: { heartbeatMs: HEARTBEAT_MS } }, undefined, engine);
    writeFileSync(
      join(s.logs, 'access.log'),
      Array.from({ length: LINES }, (_, n) => `${webLine(n)}\n`).join(''),
    );
    const started = Date.now();
    child = startWatcher(s);
    const first = await readTopics(s.brokers, [s.topics.access, s.topics.wifi], (r) =>
      onEveryPartition(beatsOf(r, s.topics.access), 2),
    );
    const beats = beatsOf(first, s.topics.access);
    expect(onEveryPartition(beats, 2), `${beats.length} heartbeats`).toBe(true);
    for (const b of beats) {
      expect(b.key).toBeNull();
      expect(Object.keys(b.value!).sort()).toEqual(['event_time', 'heartbeat', 'ts_ms']);
      const ts = b.value!.ts_ms as number;
      // The log ran an hour behind the clock: the heartbeats carry its time on, they do not jump.
      expect(ts).toBeGreaterThanOrEqual(LAST_EVENT);
      expect(ts - LAST_EVENT).toBeLessThanOrEqual(Date.now() - started);
    }
    // The lines are there once each, untouched; the Wi-Fi topic never had an event, so no time
    // to carry on and no heartbeat.
    const lines = first.filter((r) => r.topic === s.topics.access && !isHeartbeat(r.value));
    expect(lines.map((r) => r.value!.path).sort()).toEqual(
      Array.from({ length: LINES }, (_, n) => `/n/${n}`).sort(),
    );
    expect(first.filter((r) => r.topic === s.topics.wifi)).toEqual([]);

    const before = Math.max(...beats.map((b) => b.value!.ts_ms as number));
    await stopWatcher(child);
    await sleep(2_000);
    child = startWatcher(s);
    const after = await readTopics(
      s.brokers,
      [s.topics.access],
      (r) => beatsOf(r, s.topics.access).length >= beats.length + 6,
    );
    const later = beatsOf(after, s.topics.access)
      .map((b) => b.value!.ts_ms as number)
      .filter((ts) => ts > before);
    expect(later.length).toBeGreaterThanOrEqual(3);
    // Carried on from the committed clock: the pause while the watcher was down counts too.
    expect(Math.max(...later) - before).toBeGreaterThanOrEqual(2_000);
    expect(after.filter((r) => !isHeartbeat(r.value))).toHaveLength(LINES);
  });
});
