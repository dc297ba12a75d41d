/**
 * The watcher's JSON config file: what each field may hold and its documented default. Errors name
 * the field (`config field "sources[0].timezone" must be …`). The environment's overrides come in
 * already checked from `config.ts`, the one place that reads the environment.
 */
import { ConfigError } from '@pulse/kit';
import { DEFAULT_MAX_LINE_BYTES, topicSpec, watcherOffsetsTopic } from '@pulse/contracts';
import { resolve } from 'node:path';
import {
  FORMATS,
  isValidZone,
  type Format,
  TABLE_FORMATS,
  type LineFormat,
  type TableFormat,
  type VisitorId,
} from './formats/index.js';
import { ENGINES, type EngineChoice } from './producers/index.js';

interface SourceSettings {
  name: string;
  /** Files or globs (wildcards in the file-name part: `*`, `?`, `[...]`). */
  paths: string[];
  topic: string;
  /** IANA zone for naive timestamps (Wi-Fi `connecttime`, schedule times). */
  timezone: string;
  visitorId: VisitorId;
  /** Table sources only: publish the whole snapshot again this often, keeping Flink's join state alive. */
  republishIntervalMs: number;
}

/** How far ahead of the watcher's clock an event time may be, by default: 10 minutes. */
export const DEFAULT_MAX_FUTURE_SKEW_MS = 10 * 60_000;
/** How far behind the watcher's clock an event time may be, by default: 7 days. */
export const DEFAULT_MAX_AGE_MS = 7 * 86_400_000;

/** A source of log lines, tailed file by file. */
export interface LineSourceConfig extends SourceSettings {
  format: LineFormat;
  /**
   * A line whose event time is further ahead of the watcher's clock goes to the DLQ: one line
   * dated years ahead would move the jobs' watermark past every real window. null = no limit.
   */
  maxFutureSkewMs: number | null;
  /** A line whose event time is older than this goes to the DLQ (replays: null = no limit). */
  maxAgeMs: number | null;
  /** wifi-json only: count associations to these networks alone; the others are skipped. */
  ssids?: string[];
  /**
   * When the topic has had nothing for this long, a heartbeat to each of its partitions (then one
   * per interval while quiet), so the jobs' watermark moves on and the last windows close. null = off.
   */
  heartbeatMs: number | null;
}

/** The shortest heartbeat interval: each one is a transaction and a record per partition. */
export const MIN_HEARTBEAT_MS = 100;

/**
 * A table kept as files (schedule, device registry, rosters, term calendar), published whole as a
 * keyed snapshot whenever one of its files changes.
 */
export interface TableSourceConfig extends SourceSettings {
  format: TableFormat;
}

/** One watched source: files, how to read them, where their records go. */
export type SourceConfig = LineSourceConfig | TableSourceConfig;

/** True for the table sources; the others are tailed line by line. */
export function isTableSource(source: SourceConfig): source is TableSourceConfig {
  return TABLE_FORMATS.includes(source.format as TableFormat);
}

/** What the config file sets, defaults filled in. */
export interface FileSettings {
  brokers: string[] | undefined;
  clientId: string;
  /** The Kafka client that carries the transactions; `auto` prefers librdkafka. */
  producer: EngineChoice;
  /** Names this watcher's transactional id and its offsets topic; one running watcher per id. */
  stateId: string;
  offsetsTopic: string;
  http: { host: string; port: number };
  /** Largest line accepted; longer ones go to the DLQ cut at this size. */
  maxLineBytes: number;
  /** Largest record sent to a source topic; a line whose record is bigger goes to the DLQ. */
  maxRecordBytes: number;
  /** Per transaction; unset means the producer engine's default. */
  batch: { maxRecords: number | undefined; maxBytes: number | undefined };
  pollIntervalMs: number;
  sources: SourceConfig[];
}

/** Settings of the environment that win over the file's (KAFKA_BROKERS, WATCHER_HTTP_PORT, WATCHER_PRODUCER). */
export interface FileOverrides {
  brokers?: string[];
  httpPort?: number;
  producer?: EngineChoice;
}

type Json = Record<string, unknown>;

function invalid(path: string, message: string): ConfigError {
  return new ConfigError(path, `config field "${path}" ${message}`);
}

function field<T>(
  obj: Json,
  path: string,
  key: string,
  check: (v: unknown) => v is T,
  want: string,
  fallback?: T,
): T {
  const value = obj[key];
  if (value === undefined && fallback !== undefined) return fallback;
  if (!check(value))
    throw invalid(
      `${path}${key}`,
      `must be ${want}${value === undefined ? ' (missing)' : `, got ${JSON.stringify(value)}`}`,
    );
  return value;
}

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isStrings = (v: unknown): v is string[] =>
  Array.isArray(v) && v.length > 0 && v.every(isString);
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const isTableFormat = (f: Format): f is TableFormat => TABLE_FORMATS.includes(f as TableFormat);

function parseSource(s: unknown, i: number, baseDir: string, names: Set<string>): SourceConfig {
  const p = `sources[${i}].`;
  if (!isObject(s)) throw invalid(`sources[${i}]`, 'must be an object');
  const name = field(s, p, 'name', isString, 'a non-empty string');
  if (names.has(name)) throw invalid(`${p}name`, `repeats the source name "${name}"`);
  names.add(name);
  const format = field(
    s,
    p,
    'format',
    (v): v is Format => FORMATS.includes(v as Format),
    `one of ${FORMATS.join(', ')}`,
  );
  const timezone = field(
    s,
    p,
    'timezone',
    (v): v is string => isString(v) && isValidZone(v),
    'an IANA time zone such as Asia/Shanghai',
    'UTC',
  );
  const settings: SourceSettings = {
    name,
    paths: field(s, p, 'paths', isStrings, 'a non-empty list of file paths or globs').map((f) =>
      resolve(baseDir, f),
    ),
    topic: field(s, p, 'topic', isString, 'a topic name'),
    timezone,
    visitorId: field(
      s,
      p,
      'visitorId',
      (v): v is VisitorId => v === 'ip' || v === 'ip+ua',
      '"ip" or "ip+ua"',
      'ip',
    ),
    republishIntervalMs: field(
      s,
      p,
      'republishIntervalMs',
      isInt,
      'a whole number of milliseconds',
      12 * 3600_000,
    ),
  };
  if (isTableFormat(format)) return { ...settings, format };
  const limit = (key: string, fallback: number): number | null =>
    s[key] === null
      ? null
      : field(s, p, key, isInt, 'a whole number of milliseconds or null', fallback);
  let ssids: string[] | undefined;
  if (s.ssids !== undefined) {
    if (format !== 'wifi-json') throw invalid(`${p}ssids`, 'is for wifi-json sources only');
    ssids = field(s, p, 'ssids', isStrings, 'a non-empty list of network names');
  }
  const heartbeatMs =
    s.heartbeatMs === undefined || s.heartbeatMs === null
      ? null
      : field(s, p, 'heartbeatMs', isInt, 'a whole number of milliseconds or null');
  if (heartbeatMs !== null && heartbeatMs < MIN_HEARTBEAT_MS)
    throw invalid(`${p}heartbeatMs`, `must be at least ${MIN_HEARTBEAT_MS} ms, got ${heartbeatMs}`);
  // A heartbeat has no key, which a compacted topic refuses: the transaction would fail for ever.
  if (heartbeatMs !== null && topicSpec(settings.topic)?.compacted)
    throw invalid(`${p}heartbeatMs`, `is not for "${settings.topic}", a compacted topic`);
  return {
    ...settings,
    format,
    ...(ssids ? { ssids } : {}),
    maxFutureSkewMs: limit('maxFutureSkewMs', DEFAULT_MAX_FUTURE_SKEW_MS),
    maxAgeMs: limit('maxAgeMs', DEFAULT_MAX_AGE_MS),
    heartbeatMs,
  };
}

/** Checks a parsed config file and fills in documented defaults; errors name the field. */
export function parseConfigFile(
  raw: unknown,
  baseDir: string,
  overrides: FileOverrides = {},
): FileSettings {
  if (!isObject(raw)) throw new ConfigError('config', 'the config must be a JSON object');
  const kafka = field(raw, '', 'kafka', isObject, 'an object', {});
  const brokers =
    overrides.brokers ??
    (kafka.brokers === undefined
      ? undefined
      : field(kafka, 'kafka.', 'brokers', isStrings, 'a non-empty list of host:port strings'));
  const stateId = field(
    raw,
    '',
    'stateId',
    (v): v is string => isString(v) && /^[A-Za-z0-9._-]+$/.test(v),
    'a name of letters, digits, ".", "_" or "-"',
    'watcher',
  );
  const http = field(raw, '', 'http', isObject, 'an object', {});
  const batch = field(raw, '', 'batch', isObject, 'an object', {});
  const sourcesRaw = field(
    raw,
    '',
    'sources',
    (v): v is unknown[] => Array.isArray(v) && v.length > 0,
    'a non-empty list',
  );
  const names = new Set<string>();
  const sources = sourcesRaw.map((s, i) => parseSource(s, i, baseDir, names));
  const maxLineBytes = field(
    raw,
    '',
    'maxLineBytes',
    isInt,
    'a whole number of bytes',
    DEFAULT_MAX_LINE_BYTES,
  );
  if (maxLineBytes < 64) throw invalid('maxLineBytes', 'must be at least 64');
  const maxRecordBytes = field(
    raw,
    '',
    'maxRecordBytes',
    isInt,
    'a whole number of bytes',
    1_000_000,
  );
  if (maxRecordBytes < 1024) throw invalid('maxRecordBytes', 'must be at least 1024');
  return {
    brokers,
    clientId: field(kafka, 'kafka.', 'clientId', isString, 'a string', `watcher-${stateId}`),
    producer:
      overrides.producer ??
      field(
        kafka,
        'kafka.',
        'producer',
        (v): v is EngineChoice => ENGINES.includes(v as EngineChoice),
        `one of ${ENGINES.join(', ')}`,
        'auto',
      ),
    stateId,
    offsetsTopic: field(
      raw,
      '',
      'offsetsTopic',
      isString,
      'a topic name',
      watcherOffsetsTopic(stateId),
    ),
    http: {
      host: field(http, 'http.', 'host', isString, 'a host', '127.0.0.1'),
      port: overrides.httpPort ?? field(http, 'http.', 'port', isInt, 'a port number', 9464),
    },
    maxLineBytes,
    maxRecordBytes,
    batch: {
      maxRecords:
        batch.maxRecords === undefined
          ? undefined
          : field(batch, 'batch.', 'maxRecords', isInt, 'a whole number'),
      maxBytes:
        batch.maxBytes === undefined
          ? undefined
          : field(batch, 'batch.', 'maxBytes', isInt, 'a whole number of bytes'),
    },
    pollIntervalMs: field(raw, '', 'pollIntervalMs', isInt, 'a whole number of milliseconds', 250),
    sources,
  };
}
