/**
 * The live feed: one WebSocket to the relay. It subscribes to `$panels` (the panels the running
 * jobs declare) and to every channel those panels read, following the list as jobs are deployed
 * and stopped. It reconnects with backoff, resumes each channel from its last sequence (the relay
 * then sends only what was missed), and falls back to a snapshot on a gap. The badge reads
 * `status` and `lostAt`; a panel reads `rowsOf(channel)` and `readAtOf(channel)`.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, triggerRef } from 'vue';
import { PANELS_CHANNEL, WS_CLOSE, WS_PATH } from '@pulse/contracts';
import type { PanelSpec, ServerMessage, SnapshotMessage, UpdateMessage } from '@pulse/contracts';
import { jitteredDelay } from '@pulse/kit/backoff';

export type StreamStatus = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'stale';

export interface StreamOptions {
  /** Relay URL; default: `/ws` on the page's own host. */
  url?: string;
  /** First reconnect delay, doubling up to `maxBackoffMs`. Default 500 ms. */
  initialBackoffMs?: number;
  /** Default 15 s. */
  maxBackoffMs?: number;
  /** How often we send a heartbeat. Default 15 s (the relay's default too). */
  heartbeatMs?: number;
  /** Silence from the relay after which the socket counts as dead. Default 40 s. */
  silenceMs?: number;
  /** How long "reconnecting" may last before the data is called stale. Default 10 s. */
  staleAfterMs?: number;
}

const DEFAULTS = {
  initialBackoffMs: 500,
  maxBackoffMs: 15_000,
  heartbeatMs: 15_000,
  silenceMs: 40_000,
  staleAfterMs: 10_000,
};

function defaultUrl(): string {
  const { protocol, host } = globalThis.location;
  return `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}${WS_PATH}`;
}

export type Row = Record<string, unknown>;

/** A channel as the page holds it: rows by key, the time column they age by, and their span. */
interface Held {
  rows: Map<string, Row>;
  timeColumn?: string;
  retainMs: number;
  /** When the newest row arrived (epoch ms), for the stale marking. */
  readAt: number | null;
}

export const useStreamStore = defineStore('stream', () => {
  const status = ref<StreamStatus>('idle');
  /** When the connection was lost (epoch ms), while it is not live. */
  const lostAt = ref<number | null>(null);
  /** The relay says its Kafka consumer is not reading: the socket is up, the data is not live. */
  const feedDown = ref(false);
  /** The declared panels, in page order. */
  const panels = shallowRef<PanelSpec[]>([]);
  /** Rows per channel, ordered by time when the channel has one; replaced on every change. */
  const data = shallowRef(new Map<string, Row[]>());
  const arrivals = shallowRef(new Map<string, number | null>());

  const held = new Map<string, Held>([
    [PANELS_CHANNEL, { rows: new Map(), retainMs: Number.POSITIVE_INFINITY, readAt: null }],
  ]);
  const cursors = new Map<string, { epoch: string; seq: number }>();
  let options = { ...DEFAULTS, url: '' };
  let socket: WebSocket | null = null;
  let attempt = 0;
  let stopped = true;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  let staleTimer: ReturnType<typeof setTimeout> | undefined;
  let heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  let lastHeard = 0;

  const open = () => socket !== null && socket.readyState === 1;

  function publish(channel: string): void {
    const entry = held.get(channel);
    if (!entry) return;
    let rows = [...entry.rows.values()];
    const time = entry.timeColumn;
    if (time) {
      rows.sort((a, b) => Number(a[time]) - Number(b[time]));
      const newest = Number(rows.at(-1)?.[time] ?? 0);
      const cutoff = newest - entry.retainMs;
      if (rows.some((r) => Number(r[time]) <= cutoff)) {
        for (const [key, row] of entry.rows)
          if (Number(row[time]) <= cutoff) entry.rows.delete(key);
        rows = rows.filter((r) => Number(r[time]) > cutoff);
      }
    }
    if (channel === PANELS_CHANNEL) {
      panels.value = (rows as unknown as PanelSpec[])
        .slice()
        .sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
      follow();
      return;
    }
    data.value.set(channel, rows);
    arrivals.value.set(channel, entry.readAt);
    triggerRef(data);
    triggerRef(arrivals);
  }

  /** Subscribes to the channels the panels read and drops the ones no panel reads any more. */
  function follow(): void {
    const wanted = new Map<string, string | undefined>();
    for (const p of panels.value) wanted.set(p.channel, wanted.get(p.channel) ?? p.time);
    for (const [channel, time] of wanted) {
      const entry = held.get(channel);
      if (entry) {
        entry.timeColumn ??= time;
        continue;
      }
      held.set(channel, {
        rows: new Map(),
        retainMs: Number.POSITIVE_INFINITY,
        readAt: null,
        ...(time ? { timeColumn: time } : {}),
      });
      if (open()) subscribe(channel, false);
    }
    for (const channel of [...held.keys()]) {
      if (channel === PANELS_CHANNEL || wanted.has(channel)) continue;
      held.delete(channel);
      cursors.delete(channel);
      data.value.delete(channel);
      triggerRef(data);
      if (open()) socket?.send(JSON.stringify({ type: 'unsubscribe', channel }));
    }
  }

  function subscribe(channel: string, resume: boolean): void {
    const cursor = cursors.get(channel);
    socket?.send(
      JSON.stringify({
        type: 'subscribe',
        channel,
        ...(resume && cursor ? { resume: cursor } : {}),
      }),
    );
  }

  function onSnapshot(m: SnapshotMessage): void {
    const entry = held.get(m.channel);
    if (!entry) return;
    entry.rows.clear();
    for (const { key, row } of m.rows) entry.rows.set(key, row as Row);
    if (m.retainMs) entry.retainMs = m.retainMs;
    if (m.rows.length > 0) entry.readAt ??= Date.now();
    cursors.set(m.channel, { epoch: m.epoch, seq: m.seq });
    publish(m.channel);
  }

  function onUpdate(m: UpdateMessage): void {
    const entry = held.get(m.channel);
    const cursor = cursors.get(m.channel);
    if (!entry || !cursor || m.seq <= cursor.seq) return;
    if (m.seq !== cursor.seq + 1) {
      // Something was lost in between: the only safe state is a fresh snapshot.
      cursors.delete(m.channel);
      subscribe(m.channel, false);
      return;
    }
    if (m.op === 'delete') entry.rows.delete(m.key);
    else entry.rows.set(m.key, m.row as Row);
    entry.readAt = m.readAt || Date.now();
    cursor.seq = m.seq;
    publish(m.channel);
  }

  function handle(text: string): void {
    lastHeard = Date.now();
    let m: ServerMessage;
    try {
      m = JSON.parse(text) as ServerMessage;
    } catch {
      return;
    }
    if (m.type === 'snapshot') onSnapshot(m);
    else if (m.type === 'update') onUpdate(m);
    else if (m.type === 'hb' && m.feed) feedDown.value = m.feed === 'down';
  }

  function markLost(): void {
    if (lostAt.value === null) lostAt.value = Date.now();
    status.value = 'reconnecting';
    clearTimeout(staleTimer);
    staleTimer = setTimeout(() => {
      if (status.value === 'reconnecting') status.value = 'stale';
    }, options.staleAfterMs);
  }

  function connect(): void {
    if (stopped) return;
    if (status.value !== 'reconnecting' && status.value !== 'stale') status.value = 'connecting';
    const ws = new WebSocket(options.url);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      lastHeard = Date.now();
      status.value = 'live';
      lostAt.value = null;
      clearTimeout(staleTimer);
      // A copy: a snapshot answered at once may add the channels its panels read while we loop.
      for (const channel of [...held.keys()]) subscribe(channel, true);
    };
    ws.onmessage = (event: MessageEvent) => handle(String(event.data));
    ws.onclose = (event: CloseEvent) => {
      if (socket !== ws) return;
      socket = null;
      scheduleReconnect(event.code);
    };
  }

  function scheduleReconnect(code: number): void {
    if (stopped) return;
    markLost();
    // A relay that cut us off for being slow wants us back at once; anything else backs off.
    const delay =
      code === WS_CLOSE.slowConsumer
        ? options.initialBackoffMs
        : jitteredDelay(++attempt, {
            initialDelayMs: options.initialBackoffMs,
            maxDelayMs: options.maxBackoffMs,
          });
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(connect, delay);
  }

  function beat(): void {
    if (!socket || socket.readyState !== 1) return;
    if (Date.now() - lastHeard > options.silenceMs) {
      // The relay has gone quiet without closing: give up on this socket now, not after a
      // close handshake that will never complete.
      const dead = socket;
      socket = null;
      dead.close();
      scheduleReconnect(WS_CLOSE.heartbeatTimeout);
      return;
    }
    socket.send(JSON.stringify({ type: 'hb', t: Date.now() }));
  }

  /** Opens the feed (idempotent). */
  function start(opts: StreamOptions = {}): void {
    if (!stopped) return;
    options = { ...DEFAULTS, ...opts, url: opts.url ?? defaultUrl() };
    stopped = false;
    heartbeatTimer = setInterval(beat, options.heartbeatMs);
    connect();
  }

  /** Closes the feed and every timer. */
  function stop(): void {
    stopped = true;
    clearTimeout(reconnectTimer);
    clearTimeout(staleTimer);
    clearInterval(heartbeatTimer);
    socket?.close(1000);
    socket = null;
    status.value = 'idle';
  }

  /** The rows of a channel (empty until its snapshot arrives). */
  const rowsOf = (channel: string): Row[] => data.value.get(channel) ?? [];
  /** When the relay last read a row of the channel (epoch ms), or null. */
  const readAtOf = (channel: string): number | null => arrivals.value.get(channel) ?? null;
  const channels = computed(() => [...data.value.keys()]);

  /** What the badge shows: `degraded` while the socket is up but the relay's feed is not. */
  const shown = computed<StreamStatus | 'degraded'>(() =>
    status.value === 'live' && feedDown.value ? 'degraded' : status.value,
  );

  return { status, shown, feedDown, lostAt, panels, channels, rowsOf, readAtOf, start, stop };
});
