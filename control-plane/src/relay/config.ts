/**
 * The relay's settings, a part of the control plane's configuration (config.ts reads and checks
 * the environment once; this file turns the RELAY_* values into the relay's typed settings). A
 * typo in RELAY_CHANNELS stops the service at boot, not as an empty chart.
 */
import { ConfigError } from '@pulse/kit';
import type { ChannelKind } from '@pulse/contracts';

export interface ChannelSpec {
  name: string;
  topic: string;
  kind: ChannelKind;
  /** The column ordering rows in time (epoch ms once relayed); `window` channels: window_end. */
  timeColumn?: string;
  /** Columns that, with the time, name a row of an append-only output without a Kafka key. */
  keyColumns?: string[];
  /** How far back rows are kept by their time (default: the relay's span, RELAY_PVUV_SPAN). */
  retainMs?: number;
}

export interface RelayConfig {
  kafkaBrokers: string[];
  /** Partitions of a relayed topic the relay has to create. */
  kafkaPartitions: number;
  channels: ChannelSpec[];
  windowSpanMs: number;
  /** Empty: same-origin only. Contains '*': any origin. */
  allowedOrigins: string[];
  clientBufferBytes: number;
  historySize: number;
  heartbeatMs: number;
  heartbeatTimeoutMs: number;
  readyTimeoutMs: number;
  groupPrefix: string;
  /** How often the panels of the running jobs are read again (a deploy or stop reads them at once). */
  panelSyncMs: number;
}

/** Parses "90", "90ms", "30s", "15m", "1h" into milliseconds (a bare number means ms). */
export function parseDuration(name: string, text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m?.[1])
    throw new ConfigError(name, `${name}: "${text}" is not a duration like 500ms, 30s, 15m or 1h`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[
    (m[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h'
  ];
  const ms = Math.round(Number(m[1]) * unit);
  if (ms <= 0) throw new ConfigError(name, `${name} must be positive`);
  return ms;
}

/** Parses RELAY_CHANNELS: comma-separated `name=topic:kind` (kind `window` or `table`). */
export function parseChannels(text: string): ChannelSpec[] {
  const specs = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const m = /^([\w.-]+)=([\w.-]+):(window|table)$/.exec(entry);
      if (!m?.[1] || !m[2])
        throw new ConfigError(
          'RELAY_CHANNELS',
          `RELAY_CHANNELS: "${entry}" is not name=topic:window|table`,
        );
      return { name: m[1], topic: m[2], kind: m[3] as ChannelKind };
    });
  if (specs.length === 0)
    throw new ConfigError('RELAY_CHANNELS', 'RELAY_CHANNELS names no channel');
  const names = new Set(specs.map((s) => s.name));
  if (names.size !== specs.length)
    throw new ConfigError('RELAY_CHANNELS', 'RELAY_CHANNELS names a channel twice');
  return specs;
}

/** The RELAY_* values (and the brokers) as config.ts read them from the environment. */
export interface RelayEnv {
  KAFKA_BROKERS: string;
  KAFKA_PARTITIONS: number;
  RELAY_CHANNELS: string;
  RELAY_PVUV_SPAN: string;
  RELAY_ALLOWED_ORIGINS: string;
  RELAY_CLIENT_BUFFER_BYTES: number;
  RELAY_HISTORY: number;
  RELAY_HEARTBEAT_MS: string;
  RELAY_HEARTBEAT_TIMEOUT_MS: string;
  RELAY_READY_TIMEOUT_MS: string;
  RELAY_GROUP_PREFIX: string;
  RELAY_PANEL_SYNC: string;
}

/** Turns the checked RELAY_* values into the relay's settings; throws ConfigError naming the variable. */
export function relayConfigFrom(env: RelayEnv): RelayConfig {
  const heartbeatMs = parseDuration('RELAY_HEARTBEAT_MS', env.RELAY_HEARTBEAT_MS);
  const heartbeatTimeoutMs = parseDuration(
    'RELAY_HEARTBEAT_TIMEOUT_MS',
    env.RELAY_HEARTBEAT_TIMEOUT_MS,
  );
  if (heartbeatTimeoutMs <= heartbeatMs)
    throw new ConfigError(
      'RELAY_HEARTBEAT_TIMEOUT_MS',
      'RELAY_HEARTBEAT_TIMEOUT_MS must exceed RELAY_HEARTBEAT_MS',
    );
  return {
    kafkaBrokers: env.KAFKA_BROKERS.split(',').map((b) => b.trim()),
    kafkaPartitions: env.KAFKA_PARTITIONS,
    channels: parseChannels(env.RELAY_CHANNELS),
    windowSpanMs: parseDuration('RELAY_PVUV_SPAN', env.RELAY_PVUV_SPAN),
    allowedOrigins: env.RELAY_ALLOWED_ORIGINS.split(',')
      .map((o) => o.trim().replace(/\/$/, ''))
      .filter(Boolean),
    clientBufferBytes: env.RELAY_CLIENT_BUFFER_BYTES,
    historySize: env.RELAY_HISTORY,
    heartbeatMs,
    heartbeatTimeoutMs,
    readyTimeoutMs: parseDuration('RELAY_READY_TIMEOUT_MS', env.RELAY_READY_TIMEOUT_MS),
    groupPrefix: env.RELAY_GROUP_PREFIX.trim(),
    panelSyncMs: parseDuration('RELAY_PANEL_SYNC', env.RELAY_PANEL_SYNC),
  };
}

/**
 * Whether a browser page at `origin` may open the socket. Non-browser clients send no Origin and
 * pass; with an empty allow-list only pages served by this host (same origin) pass.
 */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: string[],
): boolean {
  if (!origin) return true;
  if (allowed.includes('*')) return true;
  const normalized = origin.replace(/\/$/, '');
  if (allowed.includes(normalized)) return true;
  try {
    return host !== undefined && new URL(normalized).host === host;
  } catch {
    return false;
  }
}
