/**
 * The live feed: one WebSocket to the relay, subscribed to `pvuv` and `attendance`. It reconnects
 * with backoff, resumes each channel from its last sequence (the relay then sends only what was
 * missed), and falls back to a snapshot on a gap. The badge reads `status` and `lostAt`.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { WS_CHANNELS, WS_CLOSE, WS_PATH } from '@pulse/contracts';
import type {
  AttendanceRow,
  PvuvRow,
  ServerMessage,
  SnapshotMessage,
  UpdateMessage,
} from '@pulse/contracts';
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

type Row = Record<string, unknown>;

export const useStreamStore = defineStore('stream', () => {
  const status = ref<StreamStatus>('idle');
  /** When the connection was lost (epoch ms), while it is not live. */
  const lostAt = ref<number | null>(null);
  const windows = shallowRef<PvuvRow[]>([]);
  const attendance = shallowRef<AttendanceRow[]>([]);

  const channels = [WS_CHANNELS.pvuv, WS_CHANNELS.attendance];
  const tables = new Map<string, Map<string, Row>>(channels.map((c) => [c, new Map()]));
  const cursors = new Map<string, { epoch: string; seq: number }>();
  let retainMs = Number.POSITIVE_INFINITY;
  let options = { ...DEFAULTS, url: '' };
  let socket: WebSocket | null = null;
  let attempt = 0;
  let stopped = true;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  let staleTimer: ReturnType<typeof setTimeout> | undefined;
  let heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  let lastHeard = 0;

  const latest = computed<PvuvRow | undefined>(() => windows.value.at(-1));

  function publish(channel: string): void {
    const rows = [...(tables.get(channel)?.values() ?? [])];
    if (channel === WS_CHANNELS.pvuv) {
      const sorted = (rows as unknown as PvuvRow[]).sort((a, b) => a.window_end - b.window_end);
      const newest = sorted.at(-1)?.window_end ?? 0;
      const kept = sorted.filter((w) => w.window_end > newest - retainMs);
      if (kept.length !== sorted.length) {
        const table = tables.get(channel) as Map<string, Row>;
        for (const [key, row] of table)
          if ((row as unknown as PvuvRow).window_end <= newest - retainMs) table.delete(key);
      }
      windows.value = kept;
    } else if (channel === WS_CHANNELS.attendance) {
      attendance.value = rows as unknown as AttendanceRow[];
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
    const table = tables.get(m.channel);
    if (!table) return;
    table.clear();
    for (const { key, row } of m.rows) table.set(key, row as Row);
    if (m.channel === WS_CHANNELS.pvuv && m.retainMs) retainMs = m.retainMs;
    cursors.set(m.channel, { epoch: m.epoch, seq: m.seq });
    publish(m.channel);
  }

  function onUpdate(m: UpdateMessage): void {
    const table = tables.get(m.channel);
    const cursor = cursors.get(m.channel);
    if (!table || !cursor || m.seq <= cursor.seq) return;
    if (m.seq !== cursor.seq + 1) {
      // Something was lost in between: the only safe state is a fresh snapshot.
      cursors.delete(m.channel);
      subscribe(m.channel, false);
      return;
    }
    if (m.op === 'delete') table.delete(m.key);
    else table.set(m.key, m.row as Row);
    cursor.seq = m.seq;
    publish(m.channel);
  }

  function handle(data: string): void {
    lastHeard = Date.now();
    let m: ServerMessage;
    try {
      m = JSON.parse(data) as ServerMessage;
    } catch {
      return;
    }
    if (m.type === 'snapshot') onSnapshot(m);
    else if (m.type === 'update') onUpdate(m);
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
      for (const channel of channels) subscribe(channel, true);
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

  return { status, lostAt, windows, attendance, latest, start, stop };
});
