import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { FORMATS, isValidZone, type Format, type VisitorId } from './formats/index.js';
import { ENGINES, type EngineChoice } from './producers/index.js';

/** One watched source: files, how to read them, where their records go. */
export interface SourceConfig {
  name: string;
  /** Files or globs (wildcards in the file-name part: `*`, `?`, `[...]`). */
  paths: string[];
  format: Format;
  topic: string;
  /** IANA zone for naive timestamps (Wi-Fi `connecttime`, schedule times). */
  timezone: string;
  visitorId: VisitorId;
  /** schedule-csv only: publish the whole snapshot again this often, keeping Flink's join state alive. */
  republishIntervalMs: number;
}

export interface WatcherConfig {
  brokers: string[];
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

export class ConfigError extends Error {
  readonly code = 'WATCHER_CONFIG';
}

type Json = Record<string, unknown>;

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
    throw new ConfigError(
      `config field "${path}${key}" must be ${want}${value === undefined ? ' (missing)' : `, got ${JSON.stringify(value)}`}`,
    );
  return value;
}

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isStrings = (v: unknown): v is string[] =>
  Array.isArray(v) && v.length > 0 && v.every(isString);
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a parsed config and fills in documented defaults; errors name the field. */
export function parseConfig(
  raw: unknown,
  baseDir = process.cwd(),
  env: Record<string, string | undefined> = process.env,
): WatcherConfig {
  if (!isObject(raw)) throw new ConfigError('the config must be a JSON object');
  const kafka = field(raw, '', 'kafka', isObject, 'an object', {});
  const brokers = env.KAFKA_BROKERS
    ? env.KAFKA_BROKERS.split(',')
    : field(kafka, 'kafka.', 'brokers', isStrings, 'a non-empty list of host:port strings', [
        '127.0.0.1:9092',
      ]);
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
  const sources = sourcesRaw.map((s, i): SourceConfig => {
    const p = `sources[${i}].`;
    if (!isObject(s)) throw new ConfigError(`config field "sources[${i}]" must be an object`);
    const name = field(s, p, 'name', isString, 'a non-empty string');
    if (names.has(name))
      throw new ConfigError(`config field "${p}name" repeats the source name "${name}"`);
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
    return {
      name,
      paths: field(s, p, 'paths', isStrings, 'a non-empty list of file paths or globs').map((f) =>
        resolve(baseDir, f),
      ),
      format,
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
  });
  const maxLineBytes = field(
    raw,
    '',
    'maxLineBytes',
    isInt,
    'a whole number of bytes',
    1024 * 1024,
  );
  if (maxLineBytes < 64) throw new ConfigError('config field "maxLineBytes" must be at least 64');
  const maxRecordBytes = field(
    raw,
    '',
    'maxRecordBytes',
    isInt,
    'a whole number of bytes',
    1_000_000,
  );
  if (maxRecordBytes < 1024)
    throw new ConfigError('config field "maxRecordBytes" must be at least 1024');
  const producer = env.WATCHER_PRODUCER
    ? (ENGINES.find((e) => e === env.WATCHER_PRODUCER) ??
      (() => {
        throw new ConfigError(`WATCHER_PRODUCER must be one of ${ENGINES.join(', ')}`);
      })())
    : field(
        kafka,
        'kafka.',
        'producer',
        (v): v is EngineChoice => ENGINES.includes(v as EngineChoice),
        `one of ${ENGINES.join(', ')}`,
        'auto',
      );
  return {
    brokers,
    clientId: field(kafka, 'kafka.', 'clientId', isString, 'a string', `watcher-${stateId}`),
    producer,
    stateId,
    offsetsTopic: field(
      raw,
      '',
      'offsetsTopic',
      isString,
      'a topic name',
      `_watcher_offsets.${stateId}`,
    ),
    http: {
      host: field(http, 'http.', 'host', isString, 'a host', '127.0.0.1'),
      port: env.WATCHER_HTTP_PORT
        ? Number(env.WATCHER_HTTP_PORT)
        : field(http, 'http.', 'port', isInt, 'a port number', 9464),
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

/** Reads and checks a config file; relative paths in it are relative to the file. */
export function loadConfigFile(
  path: string,
  env: Record<string, string | undefined> = process.env,
): WatcherConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read config ${path}: ${(err as Error).message}`);
  }
  return parseConfig(raw, dirname(resolve(path)), env);
}
