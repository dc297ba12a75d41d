/**
 * The watcher's settings: its JSON config file (`config-file.ts`) and the environment variables
 * below, read and checked once at boot. This is the one module that reads `process.env`; the rest
 * of the watcher reads the typed `WatcherConfig`. The same schema prints `--help` and the README's
 * table of variables.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Type } from 'typebox';
import { ConfigError, readEnv, type Env } from '@pulse/kit';
import { ENGINES } from './producers/index.js';
import { parseConfigFile, type FileSettings } from './config-file.js';

export {
  isTableSource,
  type LineSourceConfig,
  type TableSourceConfig,
  type SourceConfig,
} from './config-file.js';

/** Every environment variable of the watcher, with its default and meaning. */
export const WATCHER_ENV_SCHEMA = Type.Object({
  KAFKA_BROKERS: Type.Optional(
    Type.String({
      pattern: '^[^,\\s]+(,[^,\\s]+)*$',
      expect: 'host:port pairs separated by commas',
      defaultText: 'kafka.brokers of the config file, else STACK_HOST:KAFKA_PORT',
      description: 'Kafka bootstrap servers, comma-separated; overrides kafka.brokers',
    }),
  ),
  STACK_HOST: Type.String({
    default: '127.0.0.1',
    description: 'host of the local runtime, for the brokers default',
  }),
  KAFKA_PORT: Type.Integer({
    minimum: 1,
    maximum: 65535,
    default: 9092,
    description: 'local Kafka port, for the brokers default',
  }),
  KAFKA_PARTITIONS: Type.Integer({
    minimum: 1,
    maximum: 1000,
    default: 3,
    description:
      'partitions of the topics the watcher creates (source and DLQ topics; the offsets topic has one)',
  }),
  WATCHER_PRODUCER: Type.Optional(
    Type.Union(
      ENGINES.map((e) => Type.Literal(e)),
      {
        defaultText: 'kafka.producer of the config file, else auto',
        description: 'the Kafka client carrying the transactions; overrides kafka.producer',
      },
    ),
  ),
  WATCHER_HTTP_PORT: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 65535,
      defaultText: 'http.port of the config file, else 9464',
      description: 'port of /health and /metrics; overrides http.port',
    }),
  ),
  WATCHER_STOP_TIMEOUT_MS: Type.Integer({
    minimum: 0,
    default: 15_000,
    description: 'how long SIGTERM/SIGINT waits for the final commit before leaving without it',
  }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info', description: 'log level (pino)' },
  ),
});

/** Everything the watcher runs on: the config file's settings with the environment's applied. */
export interface WatcherConfig extends FileSettings {
  brokers: string[];
  /** Partitions of topics the watcher creates whose catalog entry names no count. */
  kafkaPartitions: number;
  /** How long a stop waits for the final commit. */
  stopTimeoutMs: number;
  logLevel: string;
}

/** Checks a parsed config file against the environment; errors name the field or variable. */
export function parseConfig(raw: unknown, baseDir: string, env: Env): WatcherConfig {
  const e = readEnv(WATCHER_ENV_SCHEMA, env);
  const file = parseConfigFile(raw, baseDir, {
    ...(e.KAFKA_BROKERS ? { brokers: e.KAFKA_BROKERS.split(',') } : {}),
    ...(e.WATCHER_HTTP_PORT !== undefined ? { httpPort: e.WATCHER_HTTP_PORT } : {}),
    ...(e.WATCHER_PRODUCER ? { producer: e.WATCHER_PRODUCER } : {}),
  });
  return {
    ...file,
    brokers: file.brokers ?? [`${e.STACK_HOST}:${e.KAFKA_PORT}`],
    kafkaPartitions: e.KAFKA_PARTITIONS,
    stopTimeoutMs: e.WATCHER_STOP_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
  };
}

/** Reads and checks a config file and the environment; relative paths are relative to the file. */
export function loadConfig(path: string, env: Env = process.env): WatcherConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError('--config', `cannot read config ${path}: ${(err as Error).message}`);
  }
  return parseConfig(raw, dirname(resolve(path)), env);
}
