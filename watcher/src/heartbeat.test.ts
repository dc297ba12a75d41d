import { describe, expect, it } from 'vitest';
import { isHeartbeat } from '@pulse/contracts';
import { Batch } from './batch.js';
import type { LineSourceConfig } from './config.js';
import { clockKey, Heartbeats, heartbeatTime, heartbeatValue } from './heartbeat.js';
import type { StoredState } from './offsets.js';
import { unpackStrings } from './packed.js';

const T0 = Date.UTC(2026, 2, 1, 22, 0, 0);
const PARTITIONS = new Map([
  ['access_log', 3],
  ['wifi_log', 2],
]);

const source = (over: Partial<LineSourceConfig>): LineSourceConfig => ({
  name: 'web',
  paths: ['/logs/access.log'],
  format: 'combined',
  topic: 'access_log',
  timezone: 'UTC',
  visitorId: 'ip',
  republishIntervalMs: 0,
  maxFutureSkewMs: null,
  maxAgeMs: null,
  heartbeatMs: 1_000,
  ...over,
});

/** A batch as filling leaves it: `records` lines of `topic`, the latest at event time `ts`. */
function batchWith(topic: string, ts: number, records = 1): Batch {
  const b = new Batch();
  for (let i = 0; i < records; i++) b.add(topic, `10.0.0.${i}`, `{"ts_ms":${ts - i}}`);
  b.noteEventTime(topic, ts);
  return b;
}

/** The heartbeats a batch carries for `topic`: partition and parsed value. */
function beats(b: Batch, topic = 'access_log') {
  const list = b.heartbeats.get(topic);
  if (!list) return [];
  return list.partitions.map((partition, i) => ({
    partition,
    value: JSON.parse(list.values[i]!) as { heartbeat: boolean; ts_ms: number; event_time: string },
  }));
}

/** Fills at `now` and commits, as the watcher's loop does. */
function step(hb: Heartbeats, now: number, b = new Batch()): Batch {
  hb.fill(b, now, PARTITIONS);
  hb.committed(b);
  return b;
}

describe('heartbeatTime', () => {
  it('carries the last event time on by the wall-clock time elapsed since it was published', () => {
    // The log runs 20 s behind the clock: the heartbeat keeps that lag, it does not jump to now.
    const clock = { eventMs: T0 - 20_000, atMs: T0 };
    expect(heartbeatTime(clock, T0 + 5_000)).toBe(T0 - 15_000);
  });

  it('is never later than now', () => {
    // The event time published and the clock then disagree (a clock step, a restart elsewhere).
    expect(heartbeatTime({ eventMs: T0 - 1_000, atMs: T0 - 60_000 }, T0)).toBe(T0);
  });

  it('is never earlier than the last event, even one ahead of the clock or a clock gone back', () => {
    expect(heartbeatTime({ eventMs: T0 + 5_000, atMs: T0 }, T0 + 1_000)).toBe(T0 + 5_000);
    expect(heartbeatTime({ eventMs: T0, atMs: T0 }, T0 - 3_000)).toBe(T0);
  });
});

describe('heartbeatValue', () => {
  it('is recognisable and carries the time in both forms the tables read', () => {
    const value = JSON.parse(heartbeatValue(T0 + 1)) as unknown;
    expect(value).toEqual({
      heartbeat: true,
      event_time: '2026-03-01 22:00:00.001',
      ts_ms: T0 + 1,
    });
    expect(isHeartbeat(value)).toBe(true);
  });
});

describe('Heartbeats', () => {
  it('sends nothing before the topic has published an event: there is no time to carry on', () => {
    const hb = new Heartbeats([source({})], T0);
    expect(step(hb, T0 + 60_000).empty).toBe(true);
  });

  it('once quiet for heartbeatMs: one heartbeat per partition, null key, then one per interval', () => {
    const hb = new Heartbeats([source({})], T0);
    const first = step(hb, T0, batchWith('access_log', T0 - 2_000, 5));
    expect(beats(first)).toEqual([]);
    // The clock goes in the same transaction as the records, for a restarted watcher.
    expect(JSON.parse(first.state.get(clockKey('access_log'))!)).toEqual({
      kind: 'clock',
      state: { topic: 'access_log', eventMs: T0 - 2_000, atMs: T0 },
    });

    expect(step(hb, T0 + 999).empty).toBe(true);
    const due = step(hb, T0 + 1_000);
    expect(beats(due)).toEqual(
      [0, 1, 2].map((partition) => ({
        partition,
        value: { heartbeat: true, event_time: '2026-03-01 21:59:59.000', ts_ms: T0 - 1_000 },
      })),
    );
    expect(due.counts().size).toBe(0); // not counted as records sent
    const [topic, packed] = due.messages('_offsets')[0]!;
    expect(topic).toBe('access_log');
    expect(packed.keys).toEqual([null, null, null]);
    expect(packed.partitions).toEqual([0, 1, 2]);
    expect(unpackStrings(packed.values).every((v) => isHeartbeat(JSON.parse(v!)))).toBe(true);

    expect(step(hb, T0 + 1_500).empty).toBe(true);
    expect(beats(step(hb, T0 + 2_000))[0]!.value.ts_ms).toBe(T0);
    expect(beats(step(hb, T0 + 3_100))[0]!.value.ts_ms).toBe(T0 + 1_100);
  });

  it('a record resets the quiet time, and an older event time does not take the clock back', () => {
    const hb = new Heartbeats([source({})], T0);
    step(hb, T0, batchWith('access_log', T0));
    const late = step(hb, T0 + 900, batchWith('access_log', T0 - 30_000));
    expect(late.state.has(clockKey('access_log'))).toBe(false);
    expect(beats(step(hb, T0 + 1_800))).toEqual([]); // 900 ms after the last record
    // Time follows the latest event (T0, published at T0), not the late line.
    expect(beats(step(hb, T0 + 1_900))[0]!.value.ts_ms).toBe(T0 + 1_900);
  });

  it('follows the clock of a batch still in flight, so a heartbeat is never behind it', () => {
    const hb = new Heartbeats([source({ heartbeatMs: 100 })], T0);
    step(hb, T0, batchWith('access_log', T0));
    const inflight = batchWith('access_log', T0 + 10_000);
    hb.fill(inflight, T0 + 50, PARTITIONS); // read, not committed yet
    const next = new Batch();
    hb.fill(next, T0 + 200, PARTITIONS);
    expect(beats(next)[0]!.value.ts_ms).toBe(T0 + 10_000);
  });

  it('leaves sources without heartbeatMs alone and takes the smallest interval of a shared topic', () => {
    const hb = new Heartbeats(
      [
        source({ name: 'web-a', heartbeatMs: 5_000 }),
        source({ name: 'web-b', heartbeatMs: 2_000 }),
        source({ name: 'wifi', topic: 'wifi_log', heartbeatMs: null }),
      ],
      T0,
    );
    expect(hb.topicNames).toEqual(['access_log']);
    const both = new Batch();
    both.add('access_log', 'k', '{}');
    both.noteEventTime('access_log', T0);
    both.add('wifi_log', 'm', '{}');
    both.noteEventTime('wifi_log', T0);
    step(hb, T0, both);
    const due = step(hb, T0 + 2_000);
    expect(beats(due)).toHaveLength(3);
    expect(beats(due, 'wifi_log')).toEqual([]);
  });

  it('a restarted watcher carries on from the clock the offsets topic holds', () => {
    const hb = new Heartbeats([source({})], T0 + 60_000);
    const stored = new Map<string, StoredState>([
      [
        clockKey('access_log'),
        { kind: 'clock', state: { topic: 'access_log', eventMs: T0, atMs: T0 } },
      ],
    ]);
    hb.restore(stored);
    expect(step(hb, T0 + 60_500).empty).toBe(true); // quiet since the start, not yet heartbeatMs
    expect(beats(step(hb, T0 + 61_000))[0]!.value.ts_ms).toBe(T0 + 61_000);
  });

  it('sends nothing to a topic whose partitions are unknown', () => {
    const hb = new Heartbeats([source({ topic: 'elsewhere' })], T0);
    step(hb, T0, batchWith('elsewhere', T0));
    expect(step(hb, T0 + 5_000).empty).toBe(true);
  });
});
