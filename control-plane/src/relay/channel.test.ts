import { describe, expect, it } from 'vitest';
import { ChannelState } from './channel.js';

const minute = 60_000;
const win = (endMin: number, pv: number) => ({
  ok: true as const,
  op: 'upsert' as const,
  key: `w${endMin}`,
  row: { window_start: (endMin - 1) * minute, window_end: endMin * minute, pv, uv: pv },
  windowEnd: endMin * minute,
});

describe('ChannelState', () => {
  it('numbers every change and snapshots the current table with the last sequence', () => {
    const ch = new ChannelState({
      name: 'attendance',
      kind: 'table',
      epoch: 'e1',
      historySize: 10,
      retainMs: 0,
    });
    ch.apply({ ok: true, op: 'upsert', key: 'a', row: { rate: 0.5 } }, 1);
    ch.apply({ ok: true, op: 'upsert', key: 'b', row: { rate: 0.2 } }, 2);
    ch.apply({ ok: true, op: 'upsert', key: 'a', row: { rate: 0.6 } }, 3);
    const del = ch.apply({ ok: true, op: 'delete', key: 'b' }, 4);
    expect(del?.message).toMatchObject({ type: 'update', seq: 4, op: 'delete', key: 'b' });
    expect(ch.snapshot()).toEqual({
      type: 'snapshot',
      channel: 'attendance',
      epoch: 'e1',
      seq: 4,
      kind: 'table',
      rows: [{ key: 'a', row: { rate: 0.6 } }],
    });
  });

  it('ignores a tombstone for a row it never held', () => {
    const ch = new ChannelState({
      name: 't',
      kind: 'table',
      epoch: 'e1',
      historySize: 10,
      retainMs: 0,
    });
    expect(ch.apply({ ok: true, op: 'delete', key: 'ghost' }, 1)).toBeNull();
    expect(ch.lastSeq).toBe(0);
  });

  it('keeps only windows within the span of the newest window, sorted by end', () => {
    const ch = new ChannelState({
      name: 'pvuv',
      kind: 'window',
      epoch: 'e1',
      historySize: 10,
      retainMs: 60 * minute,
    });
    ch.apply(win(30, 2), 0);
    ch.apply(win(45, 3), 0);
    ch.apply(win(100, 1), 0); // pushes the 30-minute window out of the span
    expect(ch.apply(win(40, 4), 0)).toBeNull(); // exactly one span before the newest: too old
    expect(ch.snapshot().rows.map((r) => (r.row as { pv: number }).pv)).toEqual([3, 1]);
    expect(ch.snapshot().retainMs).toBe(60 * minute);
    expect(ch.lastSeq).toBe(3);
  });

  it('hands a resuming client exactly the updates after its sequence', () => {
    const ch = new ChannelState({
      name: 'pvuv',
      kind: 'window',
      epoch: 'e1',
      historySize: 3,
      retainMs: 600 * minute,
    });
    for (let i = 1; i <= 5; i++) ch.apply(win(i, i), 0);
    expect(ch.since('e1', 3)?.map((u) => u.seq)).toEqual([4, 5]);
    expect(ch.since('e1', 2)?.map((u) => u.seq)).toEqual([3, 4, 5]);
    expect(ch.since('e1', 5)).toEqual([]);
  });

  it('asks for a snapshot when the missed updates are no longer held or come from another run', () => {
    const ch = new ChannelState({
      name: 'pvuv',
      kind: 'window',
      epoch: 'e1',
      historySize: 3,
      retainMs: 600 * minute,
    });
    for (let i = 1; i <= 5; i++) ch.apply(win(i, i), 0);
    expect(ch.since('e1', 1)).toBeNull();
    expect(ch.since('e0', 4)).toBeNull();
    expect(ch.since('e1', 9)).toBeNull();
  });
});
