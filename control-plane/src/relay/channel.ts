/**
 * One channel's state: the current rows, the sequence number, and the recent updates kept for
 * clients that resume. Pure and synchronous, so snapshot and resume rules are unit-tested directly.
 */
import type { ChannelKind, SnapshotMessage, UpdateMessage } from '@pulse/contracts';
import type { Change } from './records.js';

/** An update both as an object (for tests, logs) and encoded once for every socket. */
export interface EncodedUpdate {
  seq: number;
  message: UpdateMessage;
  bytes: Buffer;
}

export interface ChannelOptions {
  name: string;
  kind: ChannelKind;
  epoch: string;
  historySize: number;
  /** Rows with a time are kept while it is within this span of the newest row's time. */
  retainMs: number;
  /** Rows carry a time and age out (always so for `window` channels). */
  timed?: boolean;
}

export class ChannelState {
  readonly name: string;
  readonly kind: ChannelKind;
  private readonly rows = new Map<string, { row: Record<string, unknown>; windowEnd?: number }>();
  private readonly history: EncodedUpdate[] = [];
  private seq = 0;
  private newestWindowEnd = Number.NEGATIVE_INFINITY;
  private malformedCount = 0;

  constructor(private readonly options: ChannelOptions) {
    this.name = options.name;
    this.kind = options.kind;
  }

  get lastSeq(): number {
    return this.seq;
  }

  get size(): number {
    return this.rows.size;
  }

  get malformed(): number {
    return this.malformedCount;
  }

  /** Counts a record that could not be decoded; it never changes the rows or the sequence. */
  countMalformed(): void {
    this.malformedCount++;
  }

  /** Applies a decoded change and returns the update to broadcast, or null if it changes nothing. */
  apply(change: Extract<Change, { ok: true }>, readAt: number): EncodedUpdate | null {
    if (change.op === 'delete') {
      // A tombstone for a row we never held still advances nothing: clients have nothing to drop.
      if (!this.rows.delete(change.key)) return null;
    } else if (change.windowEnd !== undefined) {
      // Rows with a time age out: those older than the span behind the newest are not kept.
      if (change.windowEnd <= this.newestWindowEnd - this.options.retainMs) return null;
      this.rows.set(change.key, { row: change.row, windowEnd: change.windowEnd });
      if (change.windowEnd > this.newestWindowEnd) {
        this.newestWindowEnd = change.windowEnd;
        this.prune();
      }
    } else {
      this.rows.set(change.key, { row: change.row });
    }
    this.seq++;
    const message: UpdateMessage = {
      type: 'update',
      channel: this.name,
      seq: this.seq,
      op: change.op,
      key: change.key,
      ...(change.op === 'upsert' ? { row: change.row } : {}),
      readAt,
    };
    const update = { seq: this.seq, message, bytes: Buffer.from(JSON.stringify(message)) };
    this.history.push(update);
    if (this.history.length > this.options.historySize) this.history.shift();
    return update;
  }

  private prune(): void {
    const cutoff = this.newestWindowEnd - this.options.retainMs;
    for (const [key, entry] of this.rows) {
      if (entry.windowEnd !== undefined && entry.windowEnd <= cutoff) this.rows.delete(key);
    }
  }

  /** The whole current state, as of the current sequence. */
  snapshot(): SnapshotMessage {
    const rows = [...this.rows.entries()]
      .sort(([, a], [, b]) => (a.windowEnd ?? 0) - (b.windowEnd ?? 0))
      .map(([key, entry]) => ({ key, row: entry.row }));
    return {
      type: 'snapshot',
      channel: this.name,
      epoch: this.options.epoch,
      seq: this.seq,
      kind: this.kind,
      ...(this.kind === 'window' || this.options.timed ? { retainMs: this.options.retainMs } : {}),
      rows,
    };
  }

  /**
   * The updates after `seq` of relay run `epoch`, or null when they are no longer all held (or the
   * client speaks of another run): the client then needs a snapshot.
   */
  since(epoch: string, seq: number): EncodedUpdate[] | null {
    if (epoch !== this.options.epoch || seq > this.seq) return null;
    if (seq === this.seq) return [];
    const oldest = this.history[0]?.seq;
    if (oldest === undefined || seq + 1 < oldest) return null;
    return this.history.slice(seq + 1 - oldest);
  }
}
