/**
 * The relay's settings, read from the environment once when the plugin registers and checked
 * there: a typo in RELAY_CHANNELS should stop the service at boot, not surface as an empty chart.
 */
import { CodedError } from '@pulse/kit';
import type { ChannelKind } from '@pulse/contracts';
import { RELAY_DEFAULTS, RELAY_ERRORS } from './constants.js';

export interface ChannelSpec {
  name: string;
  topic: string;
  kind: ChannelKind;
}

export interface RelayConfig {
  kafkaBrokers: string[];
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
}

type Env = Record<string, string | undefined>;

function invalid(message: string): CodedError {
  return new CodedError(RELAY_ERRORS.config, message, false);
}

/** Parses "90", "90ms", "30s", "15m", "1h" into milliseconds (a bare number means ms). */
export function parseDuration(name: string, text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m?.[1]) throw invalid(`${name}: "${text}" is not a duration like 500ms, 30s, 15m or 1h`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[
    (m[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h'
  ];
  const ms = Math.round(Number(m[1]) * unit);
  if (ms <= 0) throw invalid(`${name} must be positive`);
  return ms;
}

function positiveInt(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text.trim() === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw invalid(`${name}: "${text}" is not a positive integer`);
  return n;
}

function duration(env: Env, name: string, fallback: number): number {
  const text = env[name];
  return text === undefined || text.trim() === '' ? fallback : parseDuration(name, text);
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
        throw invalid(`RELAY_CHANNELS: "${entry}" is not name=topic:window|table`);
      return { name: m[1], topic: m[2], kind: m[3] as ChannelKind };
    });
  if (specs.length === 0) throw invalid('RELAY_CHANNELS names no channel');
  const names = new Set(specs.map((s) => s.name));
  if (names.size !== specs.length) throw invalid('RELAY_CHANNELS names a channel twice');
  return specs;
}

/** Reads and checks every relay setting; throws a RELAY_CONFIG_INVALID error naming the variable. */
export function loadRelayConfig(env: Env = process.env): RelayConfig {
  const heartbeatMs = duration(env, 'RELAY_HEARTBEAT_MS', RELAY_DEFAULTS.heartbeatMs);
  const heartbeatTimeoutMs = duration(
    env,
    'RELAY_HEARTBEAT_TIMEOUT_MS',
    RELAY_DEFAULTS.heartbeatTimeoutMs,
  );
  if (heartbeatTimeoutMs <= heartbeatMs)
    throw invalid('RELAY_HEARTBEAT_TIMEOUT_MS must exceed RELAY_HEARTBEAT_MS');
  const brokers = (env.KAFKA_BROKERS ?? RELAY_DEFAULTS.kafkaBrokers)
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (brokers.length === 0) throw invalid('KAFKA_BROKERS is empty');
  return {
    kafkaBrokers: brokers,
    channels: parseChannels(env.RELAY_CHANNELS ?? RELAY_DEFAULTS.channels),
    windowSpanMs: duration(env, 'RELAY_PVUV_SPAN', RELAY_DEFAULTS.windowSpanMs),
    allowedOrigins: (env.RELAY_ALLOWED_ORIGINS ?? RELAY_DEFAULTS.allowedOrigins)
      .split(',')
      .map((o) => o.trim().replace(/\/$/, ''))
      .filter(Boolean),
    clientBufferBytes: positiveInt(
      'RELAY_CLIENT_BUFFER_BYTES',
      env.RELAY_CLIENT_BUFFER_BYTES,
      RELAY_DEFAULTS.clientBufferBytes,
    ),
    historySize: positiveInt('RELAY_HISTORY', env.RELAY_HISTORY, RELAY_DEFAULTS.historySize),
    heartbeatMs,
    heartbeatTimeoutMs,
    readyTimeoutMs: duration(env, 'RELAY_READY_TIMEOUT_MS', RELAY_DEFAULTS.readyTimeoutMs),
    groupPrefix: env.RELAY_GROUP_PREFIX?.trim() || RELAY_DEFAULTS.groupPrefix,
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
