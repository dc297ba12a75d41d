import { describe, expect, it } from 'vitest';
import { WS_CLOSE } from '@pulse/contracts';
import { Hub } from './hub.js';
import type { SocketLike } from './session.js';

class StubSocket implements SocketLike {
  bufferedAmount = 0;
  readyState = 1;
  sent: Array<Record<string, unknown>> = [];
  closedWith?: number;
  send(data: Buffer | string): void {
    this.sent.push(JSON.parse(data.toString()));
  }
  close(code?: number): void {
    this.closedWith = code;
    this.readyState = 3;
  }
  terminate(): void {
    this.readyState = 3;
  }
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const pvuv = (minute: number, pv: number) =>
  json({
    window_start: `2026-11-23 06:${String(minute - 1).padStart(2, '0')}:00`,
    window_end: `2026-11-23 06:${String(minute).padStart(2, '0')}:00`,
    pv,
    uv: 1,
  });

function makeHub(overrides: Partial<ConstructorParameters<typeof Hub>[0]> = {}) {
  let clock = 0;
  const hub = new Hub({
    channels: [
      { name: 'pvuv', topic: 'pvuv_t', kind: 'window' },
      { name: 'attendance', topic: 'att_t', kind: 'table' },
    ],
    epoch: 'run-1',
    historySize: 100,
    windowSpanMs: 3_600_000,
    clientBufferBytes: 1_000,
    heartbeatTimeoutMs: 30_000,
    now: () => clock,
    ...overrides,
  });
  return { hub, tick: (ms: number) => (clock += ms) };
}

function client(hub: Hub) {
  const socket = new StubSocket();
  const session = hub.connect(socket);
  return { socket, session, say: (m: unknown) => hub.receive(session, JSON.stringify(m)) };
}

describe('Hub', () => {
  it('holds snapshots until the start-up replay has caught up, then sends the full state', () => {
    const { hub } = makeHub();
    const c = client(hub);
    hub.ingest('pvuv_t', null, pvuv(10, 5), 0);
    c.say({ type: 'subscribe', channel: 'pvuv' });
    hub.ingest('pvuv_t', null, pvuv(11, 7), 0);
    expect(c.socket.sent).toEqual([]);
    hub.markReady();
    expect(c.socket.sent).toHaveLength(1);
    expect(c.socket.sent[0]).toMatchObject({
      type: 'snapshot',
      channel: 'pvuv',
      epoch: 'run-1',
      seq: 2,
    });
    expect((c.socket.sent[0]?.rows as Array<{ row: { pv: number } }>).map((r) => r.row.pv)).toEqual(
      [5, 7],
    );
  });

  it('sends updates only to subscribers, and resumes a reconnecting client with exactly what it missed', () => {
    const { hub } = makeHub();
    hub.markReady();
    const a = client(hub);
    const b = client(hub);
    a.say({ type: 'subscribe', channel: 'pvuv' });
    b.say({ type: 'subscribe', channel: 'attendance' });
    hub.ingest('pvuv_t', null, pvuv(1, 1), 0);
    hub.ingest('pvuv_t', null, pvuv(2, 2), 0);
    expect(a.socket.sent.map((m) => m.seq)).toEqual([0, 1, 2]);
    expect(b.socket.sent.map((m) => m.type)).toEqual(['snapshot']);

    hub.drop(a.session);
    hub.ingest('pvuv_t', null, pvuv(3, 3), 0);
    hub.ingest('pvuv_t', null, pvuv(4, 4), 0);
    const again = client(hub);
    again.say({ type: 'subscribe', channel: 'pvuv', resume: { epoch: 'run-1', seq: 2 } });
    expect(again.socket.sent.map((m) => [m.type, m.seq, (m.row as { pv: number }).pv])).toEqual([
      ['update', 3, 3],
      ['update', 4, 4],
    ]);
  });

  it('gives a fresh snapshot to a client resuming from another relay run', () => {
    const { hub } = makeHub();
    hub.markReady();
    hub.ingest('pvuv_t', null, pvuv(1, 1), 0);
    const c = client(hub);
    c.say({ type: 'subscribe', channel: 'pvuv', resume: { epoch: 'run-0', seq: 1 } });
    expect(c.socket.sent.map((m) => m.type)).toEqual(['snapshot']);
  });

  it('cuts off a client whose buffer is full while the others keep receiving', () => {
    const { hub } = makeHub();
    hub.markReady();
    const slow = client(hub);
    const fast = client(hub);
    slow.say({ type: 'subscribe', channel: 'pvuv' });
    fast.say({ type: 'subscribe', channel: 'pvuv' });
    slow.socket.bufferedAmount = 990; // the socket has not drained: the next update would not fit
    for (let m = 1; m <= 20; m++) hub.ingest('pvuv_t', null, pvuv(m, m), 0);
    expect(slow.socket.closedWith).toBe(WS_CLOSE.slowConsumer);
    expect(slow.socket.sent).toHaveLength(1);
    expect(fast.socket.sent.filter((m) => m.type === 'update')).toHaveLength(20);
    expect(hub.stats().slowConsumersCut).toBe(1);
  });

  it('counts and skips malformed records without touching the sequence', () => {
    const { hub } = makeHub();
    hub.markReady();
    hub.ingest('pvuv_t', null, Buffer.from('garbage'), 0);
    hub.ingest('att_t', null, json({ course_id: 'x' }), 0);
    hub.ingest('pvuv_t', null, pvuv(1, 1), 0);
    expect(hub.stats().channels.pvuv).toMatchObject({ seq: 1, rows: 1, malformed: 1 });
    expect(hub.stats().channels.attendance).toMatchObject({ seq: 0, malformed: 1 });
  });

  it('answers heartbeats, and closes clients that stay silent past the timeout', () => {
    const { hub, tick } = makeHub();
    const quiet = client(hub);
    const chatty = client(hub);
    chatty.say({ type: 'hb', t: 42 });
    expect(chatty.socket.sent).toEqual([{ type: 'hb', t: 42 }]);
    tick(20_000);
    chatty.say({ type: 'hb', t: 43 });
    tick(20_000);
    hub.heartbeat('down');
    expect(quiet.socket.closedWith).toBe(WS_CLOSE.heartbeatTimeout);
    expect(chatty.socket.closedWith).toBeUndefined();
    // The relay's beats say whether its Kafka feed reads, so a page can tell "connected" from "live".
    expect(chatty.socket.sent.at(-1)).toMatchObject({ type: 'hb', feed: 'down' });
  });

  it('refuses unknown channels and closes clients that send nonsense', () => {
    const { hub } = makeHub();
    hub.markReady();
    const c = client(hub);
    c.say({ type: 'subscribe', channel: 'nope' });
    expect(c.socket.sent[0]).toMatchObject({ type: 'error', code: 'RELAY_UNKNOWN_CHANNEL' });
    hub.receive(c.session, 'not json');
    expect(c.socket.closedWith).toBe(WS_CLOSE.badMessage);
  });

  it('lists the declared panels on $panels: added, changed and removed as the jobs change', () => {
    const { hub } = makeHub();
    const c = client(hub);
    c.say({ type: 'subscribe', channel: '$panels' });
    expect(c.socket.sent).toEqual([]);
    const panel = (id: string, order: number) =>
      ({ id, job: 'web', panel: id, kind: 'figure', channel: 'web_today', order }) as never;
    hub.setPanels([panel('web.today', 1), panel('web.top', 2)]);
    // The first listing is the snapshot the waiting client gets.
    expect(c.socket.sent).toHaveLength(1);
    expect(c.socket.sent[0]).toMatchObject({ type: 'snapshot', channel: '$panels' });
    expect((c.socket.sent[0]!.rows as { key: string }[]).map((r) => r.key)).toEqual([
      'web.today',
      'web.top',
    ]);
    c.socket.sent = [];
    hub.setPanels([panel('web.today', 1), panel('web.top', 3)]);
    hub.setPanels([panel('web.top', 3)]);
    expect(c.socket.sent.map((m) => [m.op, m.key])).toEqual([
      ['upsert', 'web.top'],
      ['delete', 'web.today'],
    ]);
    expect(hub.panels().map((p) => p.id)).toEqual(['web.top']);
  });

  it('serves a channel added later once its own replay is done, without waiting for others', () => {
    const { hub } = makeHub();
    hub.markReady();
    const added = hub.addChannels([
      { name: 'pvuv', topic: 'pvuv_t', kind: 'window' },
      { name: 'web_minute', topic: 'web_minute', kind: 'window', timeColumn: 'minute' },
    ]);
    expect(added.map((a) => a.name)).toEqual(['web_minute']);
    const c = client(hub);
    c.say({ type: 'subscribe', channel: 'web_minute' });
    c.say({ type: 'subscribe', channel: 'pvuv' });
    expect(c.socket.sent.map((m) => m.channel)).toEqual(['pvuv']);
    hub.ingest('web_minute', null, json({ minute: '2026-11-23 06:10:00', requests: 4 }), 0);
    hub.markReady(['web_minute']);
    expect(c.socket.sent[1]).toMatchObject({
      type: 'snapshot',
      channel: 'web_minute',
      rows: [{ row: { minute: Date.UTC(2026, 10, 23, 6, 10), requests: 4 } }],
    });
  });
});
