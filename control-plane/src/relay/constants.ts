/** Relay defaults, each overridable by the environment variable named beside it (see config.ts). */
export const RELAY_DEFAULTS = {
  /** RELAY_CHANNELS: `name=topic:kind` pairs; `window` rows age out, `table` rows are upserted by key. */
  channels: 'pvuv=pvuv:window,attendance=attendance:table',
  /** RELAY_PVUV_SPAN: how much recent history a `window` channel keeps and replays (1 hour). */
  windowSpanMs: 60 * 60 * 1000,
  /** RELAY_ALLOWED_ORIGINS: empty means same-origin browsers only (clients without Origin pass). */
  allowedOrigins: '',
  /** RELAY_CLIENT_BUFFER_BYTES: bytes queued for one client before it is cut off as too slow. */
  clientBufferBytes: 1024 * 1024,
  /** RELAY_HISTORY: updates kept per channel so a reconnecting client can resume without a snapshot. */
  historySize: 2000,
  /** RELAY_HEARTBEAT_MS: how often the relay sends a heartbeat. */
  heartbeatMs: 15_000,
  /** RELAY_HEARTBEAT_TIMEOUT_MS: silence after which a client counts as dead. */
  heartbeatTimeoutMs: 45_000,
  /** RELAY_READY_TIMEOUT_MS: longest wait for the start-up replay before serving snapshots anyway. */
  readyTimeoutMs: 30_000,
  /** RELAY_GROUP_PREFIX: prefix of the relay's private consumer group (a fresh one per start). */
  groupPrefix: 'pulse-relay',
  /** KAFKA_BROKERS: comma-separated broker list. */
  kafkaBrokers: '127.0.0.1:9092',
} as const;

/** Error codes the relay sends to clients or throws at start-up. */
export const RELAY_ERRORS = {
  config: 'RELAY_CONFIG_INVALID',
  unknownChannel: 'RELAY_UNKNOWN_CHANNEL',
  badMessage: 'RELAY_BAD_MESSAGE',
  kafka: 'RELAY_KAFKA_UNAVAILABLE',
} as const;
