/**
 * The WebSocket contract between the relay (control-plane `/ws`) and the dashboard.
 *
 * One socket multiplexes channels. A client subscribes to a channel and gets a snapshot of its
 * rows, then updates, each numbered by a per-channel sequence. Sequences restart when the relay
 * restarts, so every snapshot names the relay's `epoch`; a client resuming with another epoch, or
 * with a sequence the relay no longer holds, gets a fresh snapshot instead of the missed updates.
 */
import { Type, type Static } from 'typebox';

/** Channel names the dashboard knows; the relay may serve more by configuration. */
export const WS_CHANNELS = { pvuv: 'pvuv', attendance: 'attendance' } as const;

/** The relay's WebSocket path, and close codes that tell a client what to do next. */
export const WS_PATH = '/ws';
export const WS_CLOSE = {
  /** The client fell behind its send buffer; reconnect and resume. */
  slowConsumer: 4008,
  /** No heartbeat or message arrived in time; reconnect. */
  heartbeatTimeout: 4009,
  /** The client sent something the relay does not understand; do not retry blindly. */
  badMessage: 4400,
  /** The relay is shutting down; reconnect later. */
  goingAway: 1001,
} as const;

// ---- Records of the output topics (see DESIGN.md, "Topics and records") ----

/** Flink writes timestamps as ISO-8601 UTC or "yyyy-MM-dd HH:mm:ss[.SSS]" meaning UTC. */
export const PvuvValue = Type.Object({
  window_start: Type.String(),
  window_end: Type.String(),
  pv: Type.Number(),
  uv: Type.Number(),
});
export type PvuvValue = Static<typeof PvuvValue>;

export const AttendanceKey = Type.Object({
  course_id: Type.String(),
  section: Type.Union([Type.String(), Type.Number()]),
  class_date: Type.String(),
});
export type AttendanceKey = Static<typeof AttendanceKey>;

/**
 * One attendance row (jobs/sql/attendance.sql; the columns agreed with the history table). The
 * fields after `rate` are optional so rows an older job version left in the topic still show.
 */
export const AttendanceValue = Type.Object({
  course_id: Type.String(),
  section: Type.Union([Type.String(), Type.Number()]),
  class_date: Type.String(),
  /** What `present` and `enrolled` count: enrolled students (registry and roster), or devices. */
  unit: Type.Optional(Type.Union([Type.Literal('students'), Type.Literal('devices')])),
  present: Type.Number(),
  enrolled: Type.Number(),
  rate: Type.Union([Type.Number(), Type.Null()]),
  /** Of the present, first seen after start + grace, and gone before end - grace. */
  late: Type.Optional(Type.Number()),
  left_early: Type.Optional(Type.Number()),
  /** Devices present that no enrolled student owns (unit students; 0 for unit devices). */
  other_devices: Type.Optional(Type.Number()),
  /** unit devices with more devices than enrolled: shown as a flag, never as a clipped bar. */
  over_capacity: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
});
export type AttendanceValue = Static<typeof AttendanceValue>;

/** A PV/UV window as the relay sends it: window bounds as epoch milliseconds (UTC instants). */
export interface PvuvRow {
  window_start: number;
  window_end: number;
  pv: number;
  uv: number;
}

/** An attendance row as the relay sends it (the upsert topic's value). */
export type AttendanceRow = AttendanceValue;

// ---- Messages ----

/** Client → relay. `resume` asks for the updates after `seq` of relay run `epoch`. */
export const SubscribeMessage = Type.Object({
  type: Type.Literal('subscribe'),
  channel: Type.String({ minLength: 1 }),
  resume: Type.Optional(Type.Object({ epoch: Type.String(), seq: Type.Integer({ minimum: 0 }) })),
});
export const UnsubscribeMessage = Type.Object({
  type: Type.Literal('unsubscribe'),
  channel: Type.String({ minLength: 1 }),
});
/**
 * Heartbeat, sent both ways; `t` is the sender's clock in ms, echoed for round-trip time. The
 * relay's own heartbeats also say whether its Kafka consumer is reading (`feed`): a socket that is
 * up in front of a consumer that is not is not a live dashboard.
 */
export const HeartbeatMessage = Type.Object({
  type: Type.Literal('hb'),
  t: Type.Number(),
  feed: Type.Optional(Type.Union([Type.Literal('up'), Type.Literal('down')])),
});

export const ClientMessage = Type.Union([SubscribeMessage, UnsubscribeMessage, HeartbeatMessage]);
export type ClientMessage = Static<typeof ClientMessage>;
export type SubscribeMessage = Static<typeof SubscribeMessage>;

/** Relay → client: the whole current state of a channel, as of sequence `seq`. */
export interface SnapshotMessage<Row = unknown> {
  type: 'snapshot';
  channel: string;
  epoch: string;
  seq: number;
  /** How the rows are keyed and kept: `window` rows age out after `retainMs`, `table` rows stay until deleted. */
  kind: ChannelKind;
  retainMs?: number;
  rows: Array<{ key: string; row: Row }>;
}

/** Relay → client: one change. `readAt` is when the relay read the record (epoch ms). */
export interface UpdateMessage<Row = unknown> {
  type: 'update';
  channel: string;
  seq: number;
  op: 'upsert' | 'delete';
  key: string;
  row?: Row;
  readAt: number;
}

/** Relay → client: the channel asked for does not exist, or similar refusals. */
export interface ErrorMessage {
  type: 'error';
  code: string;
  message: string;
  channel?: string;
}

export type ServerMessage =
  SnapshotMessage | UpdateMessage | ErrorMessage | Static<typeof HeartbeatMessage>;

export type ChannelKind = 'window' | 'table';
