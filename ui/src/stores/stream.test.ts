import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { useStreamStore } from './stream.js';

/** A WebSocket stand-in the test drives by hand: open it, push frames, close it. */
class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: Array<Record<string, unknown>> = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  push(m: unknown) {
    this.onmessage?.({ data: JSON.stringify(m) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}
const latestSocket = () => FakeSocket.all.at(-1) as FakeSocket;
const win = (endMin: number, pv: number) => ({
  key: `k${endMin}`,
  row: { window_start: (endMin - 1) * 60_000, window_end: endMin * 60_000, pv, uv: pv - 1 },
});

beforeEach(() => {
  FakeSocket.all = [];
  vi.useFakeTimers();
  vi.stubGlobal('WebSocket', FakeSocket);
  setActivePinia(createPinia());
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const panel = (id: string, channel: string, kind = 'timeseries', time?: string) => ({
  key: id,
  row: {
    id,
    job: id.split('.')[0],
    panel: id.split('.')[1],
    kind,
    channel,
    title: { en: id, zh: id },
    ...(time ? { time } : {}),
    key: [],
    values: ['pv'],
    labels: {},
    order: 1,
    format: 'number',
    limit: 10,
    stack: false,
    staleAfterMs: 60_000,
  },
});
const panelsSnapshot = (rows: unknown[], seq = 1) => ({
  type: 'snapshot',
  channel: '$panels',
  epoch: 'e1',
  seq,
  kind: 'table',
  rows,
});

describe('stream store', () => {
  it('follows the declared panels: subscribes to what they read, shows snapshots and updates in order', () => {
    const stream = useStreamStore();
    stream.start({ url: 'ws://relay/ws' });
    latestSocket().open();
    expect(latestSocket().sent).toEqual([{ type: 'subscribe', channel: '$panels' }]);
    expect(stream.status).toBe('live');
    latestSocket().push(panelsSnapshot([panel('pv_uv.trend', 'pvuv', 'timeseries', 'window_end')]));
    expect(stream.panels.map((p) => p.id)).toEqual(['pv_uv.trend']);
    expect(latestSocket().sent.at(-1)).toEqual({ type: 'subscribe', channel: 'pvuv' });
    latestSocket().push({
      type: 'snapshot',
      channel: 'pvuv',
      epoch: 'e1',
      seq: 7,
      kind: 'window',
      retainMs: 3_600_000,
      rows: [win(2, 20), win(1, 10)],
    });
    expect(stream.rowsOf('pvuv').map((w) => w.pv)).toEqual([10, 20]);
    latestSocket().push({
      type: 'update',
      channel: 'pvuv',
      seq: 8,
      op: 'upsert',
      key: 'k3',
      row: win(3, 30).row,
      readAt: 5,
    });
    expect(stream.rowsOf('pvuv').at(-1)).toEqual({
      window_start: 120_000,
      window_end: 180_000,
      pv: 30,
      uv: 29,
    });
    expect(stream.readAtOf('pvuv')).toBe(5);
  });

  it('keeps an upsert channel as a table where tombstones delete rows', () => {
    const stream = useStreamStore();
    stream.start({ url: 'ws://relay/ws' });
    latestSocket().open();
    latestSocket().push(panelsSnapshot([panel('attendance.rates', 'attendance', 'attendance')]));
    const row = (c: string, present: number) => ({
      course_id: c,
      section: 'L01',
      class_date: '2026-11-23',
      present,
      enrolled: 40,
      rate: present / 40,
    });
    latestSocket().push({
      type: 'snapshot',
      channel: 'attendance',
      epoch: 'e1',
      seq: 2,
      kind: 'table',
      rows: [
        { key: 'a', row: row('A', 10) },
        { key: 'b', row: row('B', 20) },
      ],
    });
    latestSocket().push({
      type: 'update',
      channel: 'attendance',
      seq: 3,
      op: 'upsert',
      key: 'a',
      row: row('A', 12),
      readAt: 0,
    });
    latestSocket().push({
      type: 'update',
      channel: 'attendance',
      seq: 4,
      op: 'delete',
      key: 'b',
      readAt: 0,
    });
    expect(stream.rowsOf('attendance')).toEqual([row('A', 12)]);
  });

  it('unsubscribes from a channel when the last panel reading it goes (its job was stopped)', () => {
    const stream = useStreamStore();
    stream.start({ url: 'ws://relay/ws' });
    latestSocket().open();
    latestSocket().push(
      panelsSnapshot([
        panel('web.minute', 'web_minute', 'timeseries', 'window_end'),
        panel('pv_uv.trend', 'pvuv', 'timeseries', 'window_end'),
      ]),
    );
    latestSocket().push({
      type: 'update',
      channel: '$panels',
      seq: 2,
      op: 'delete',
      key: 'web.minute',
      readAt: 0,
    });
    expect(stream.panels.map((p) => p.id)).toEqual(['pv_uv.trend']);
    expect(latestSocket().sent.at(-1)).toEqual({ type: 'unsubscribe', channel: 'web_minute' });
  });

  it('reconnects with growing delays and resumes each channel from its last sequence', () => {
    const stream = useStreamStore();
    stream.start({ url: 'ws://relay/ws', initialBackoffMs: 1_000, maxBackoffMs: 8_000 });
    latestSocket().open();
    latestSocket().push(panelsSnapshot([panel('pv_uv.trend', 'pvuv', 'timeseries', 'window_end')]));
    latestSocket().push({
      type: 'snapshot',
      channel: 'pvuv',
      epoch: 'e1',
      seq: 5,
      kind: 'window',
      rows: [],
    });
    latestSocket().drop();
    expect(stream.status).toBe('reconnecting');

    // First retry after about 1 s (±20 % jitter), then about 2 s while the relay stays away.
    vi.advanceTimersByTime(1_200);
    expect(FakeSocket.all).toHaveLength(2);
    latestSocket().drop();
    vi.advanceTimersByTime(1_500);
    expect(FakeSocket.all).toHaveLength(2);
    vi.advanceTimersByTime(1_000);
    expect(FakeSocket.all).toHaveLength(3);

    latestSocket().open();
    expect(latestSocket().sent).toEqual([
      { type: 'subscribe', channel: '$panels', resume: { epoch: 'e1', seq: 1 } },
      { type: 'subscribe', channel: 'pvuv', resume: { epoch: 'e1', seq: 5 } },
    ]);
    latestSocket().push({
      type: 'update',
      channel: 'pvuv',
      seq: 6,
      op: 'upsert',
      key: 'k1',
      row: win(1, 11).row,
      readAt: 0,
    });
    expect(stream.rowsOf('pvuv').map((w) => w.pv)).toEqual([11]);
    expect(stream.status).toBe('live');
  });

  it('asks for a fresh snapshot when an update skips a sequence number', () => {
    const stream = useStreamStore();
    stream.start({ url: 'ws://relay/ws' });
    latestSocket().open();
    latestSocket().push(panelsSnapshot([panel('pv_uv.trend', 'pvuv', 'timeseries', 'window_end')]));
    latestSocket().push({
      type: 'snapshot',
      channel: 'pvuv',
      epoch: 'e1',
      seq: 5,
      kind: 'window',
      rows: [win(1, 1)],
    });
    latestSocket().push({
      type: 'update',
      channel: 'pvuv',
      seq: 7,
      op: 'upsert',
      key: 'k2',
      row: win(2, 2).row,
      readAt: 0,
    });
    expect(stream.rowsOf('pvuv').map((w) => w.pv)).toEqual([1]);
    expect(latestSocket().sent.at(-1)).toEqual({ type: 'subscribe', channel: 'pvuv' });
  });

  it('calls the data stale when reconnecting takes longer than allowed, remembering since when', () => {
    vi.setSystemTime(new Date('2026-11-23T06:00:00Z'));
    const stream = useStreamStore();
    stream.start({
      url: 'ws://relay/ws',
      staleAfterMs: 10_000,
      initialBackoffMs: 60_000,
      maxBackoffMs: 60_000,
    });
    latestSocket().open();
    latestSocket().drop();
    vi.advanceTimersByTime(9_000);
    expect(stream.status).toBe('reconnecting');
    vi.advanceTimersByTime(2_000);
    expect(stream.status).toBe('stale');
    expect(stream.lostAt).toBe(Date.parse('2026-11-23T06:00:00Z'));
  });

  it('sends heartbeats and drops a relay that has gone silent', () => {
    const stream = useStreamStore();
    stream.start({
      url: 'ws://relay/ws',
      heartbeatMs: 1_000,
      silenceMs: 3_500,
      initialBackoffMs: 100,
      maxBackoffMs: 100,
    });
    const first = latestSocket();
    first.open();
    vi.advanceTimersByTime(1_000);
    expect(first.sent.at(-1)).toMatchObject({ type: 'hb' });
    vi.advanceTimersByTime(3_000);
    expect(stream.status).toBe('reconnecting');
    vi.advanceTimersByTime(200);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it('comes back at once after being cut off as a slow consumer', () => {
    const stream = useStreamStore();
    stream.start({ url: 'ws://relay/ws', initialBackoffMs: 300, maxBackoffMs: 30_000 });
    latestSocket().open();
    for (let i = 0; i < 4; i++) {
      latestSocket().drop(4008);
      vi.advanceTimersByTime(400);
    }
    expect(FakeSocket.all).toHaveLength(5);
  });

  it('is not live while the relay says its Kafka feed is down, and is again when it is back', () => {
    const stream = useStreamStore();
    stream.start({ url: 'ws://relay/ws' });
    latestSocket().open();
    expect(stream.shown).toBe('live');
    latestSocket().push({ type: 'hb', t: 1, feed: 'down' });
    expect(stream.shown).toBe('degraded');
    latestSocket().push({ type: 'hb', t: 2, feed: 'up' });
    expect(stream.shown).toBe('live');
  });
});
