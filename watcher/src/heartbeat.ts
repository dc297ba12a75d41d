/**
 * Heartbeats: Flink closes an event-time window when the watermark passes its end, and the
 * watermark moves only with records. When every log of a topic goes quiet (night, a server down)
 * the last windows would stay open for ever. So, for the sources that ask for it (`heartbeatMs`),
 * a topic that received nothing for that long gets one heartbeat record on every partition, then
 * one per `heartbeatMs` while it stays quiet. A heartbeat's time is the topic's last event time
 * plus the wall-clock time elapsed since it was published: the log's own clock, carried on.
 * Heartbeats go in the same transactions as everything else; they move no file position.
 */
import { HEARTBEAT_FIELD, type HeartbeatRecord } from '@pulse/contracts';
import type { Batch } from './batch.js';
import type { LineSourceConfig } from './config.js';
import type { StoredState } from './offsets.js';

/** A topic's latest event time and the watcher's clock when the batch carrying it was read. */
export interface TopicClock {
  eventMs: number;
  atMs: number;
}

/** What the offsets topic holds per heartbeat topic, so a restarted watcher carries on the clock. */
export interface ClockState extends TopicClock {
  topic: string;
}

/** The offsets-topic key of a topic's clock. */
export const clockKey = (topic: string): string => `clock:${topic}`;

/**
 * The time a heartbeat carries: the last event time plus the wall-clock time elapsed since it was
 * published, never later than now and never earlier than that last event.
 */
export function heartbeatTime(clock: TopicClock, now: number): number {
  const carried = clock.eventMs + Math.max(0, now - clock.atMs);
  return Math.max(clock.eventMs, Math.min(now, carried));
}

/** `yyyy-MM-dd HH:mm:ss.SSS` in UTC, the form Flink 1.12's JSON format reads (as every record's). */
const sqlTime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 23);

/** A heartbeat's value: recognisable by `"heartbeat": true`, with the time fields every record has. */
export function heartbeatValue(ts: number): string {
  const record: HeartbeatRecord = { [HEARTBEAT_FIELD]: true, event_time: sqlTime(ts), ts_ms: ts };
  return JSON.stringify(record);
}

interface TopicBeat {
  topic: string;
  everyMs: number;
  /** The clock committed to Kafka. */
  clock: TopicClock | undefined;
  /** The clock handed to the latest batch (committed or in flight). */
  pending: TopicClock | undefined;
  /** When a batch last took records of this topic. */
  lastWriteMs: number;
  /** When a batch last took heartbeats of this topic. */
  lastBeatMs: number;
}

/**
 * The heartbeat topics and their clocks. A topic gets heartbeats when any of its sources sets
 * `heartbeatMs` (the smallest wins), and only when none of its sources wrote for that long: a
 * heartbeat ahead of a source still writing would make its lines late.
 */
export class Heartbeats {
  private readonly topics = new Map<string, TopicBeat>();

  constructor(sources: readonly LineSourceConfig[], now: number = Date.now()) {
    for (const s of sources) {
      if (s.heartbeatMs === null) continue;
      const t = this.topics.get(s.topic);
      if (t) t.everyMs = Math.min(t.everyMs, s.heartbeatMs);
      else
        this.topics.set(s.topic, {
          topic: s.topic,
          everyMs: s.heartbeatMs,
          clock: undefined,
          pending: undefined,
          lastWriteMs: now,
          lastBeatMs: -Infinity,
        });
    }
  }

  /** The topics that get heartbeats. */
  get topicNames(): string[] {
    return [...this.topics.keys()];
  }

  /** Takes the clocks the offsets topic holds (the truth after a reconnect). */
  restore(stored: ReadonlyMap<string, StoredState>): void {
    for (const t of this.topics.values()) {
      const s = stored.get(clockKey(t.topic));
      t.clock = s?.kind === 'clock' ? { eventMs: s.state.eventMs, atMs: s.state.atMs } : undefined;
      t.pending = undefined;
    }
  }

  /**
   * For each heartbeat topic: when the batch has records of it, the clock they move (into the
   * batch's state, so it commits with them); when the topic has been quiet for its interval, one
   * heartbeat per partition. `partitions` gives each topic's partition count.
   */
  fill(batch: Batch, now: number, partitions: ReadonlyMap<string, number>): void {
    for (const t of this.topics.values()) {
      const base = t.pending ?? t.clock;
      const latest = batch.eventTimes.get(t.topic);
      if (latest !== undefined) {
        t.lastWriteMs = now;
        if (base && latest <= base.eventMs) continue;
        t.pending = { eventMs: latest, atMs: now };
        const state: ClockState = { topic: t.topic, ...t.pending };
        batch.setState(clockKey(t.topic), JSON.stringify({ kind: 'clock', state }));
        continue;
      }
      // Nothing published yet: there is no event time to carry on from.
      if (!base) continue;
      if (now - t.lastWriteMs < t.everyMs || now - t.lastBeatMs < t.everyMs) continue;
      const count = partitions.get(t.topic) ?? 0;
      if (count === 0) continue;
      const value = heartbeatValue(heartbeatTime(base, now));
      for (let p = 0; p < count; p++) batch.addHeartbeat(t.topic, p, value);
      t.lastBeatMs = now;
    }
  }

  /** A transaction landed: the clocks it carried are the committed ones. */
  committed(batch: Batch): void {
    for (const t of this.topics.values()) {
      const json = batch.state.get(clockKey(t.topic));
      if (json) t.clock = (JSON.parse(json) as { state: ClockState }).state;
    }
  }
}
