import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the repository lives: the launcher's own files are found relative to it. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Everything the launcher needs to know, read once from the environment. */
export interface StackConfig {
  /** Runtime folder: data, logs, pid files, generated configs. `down --purge` removes it. */
  home: string;
  /** Jar cache outside git, reused across runs and clones. */
  cache: string;
  host: string;
  zkPort: number;
  kafkaPort: number;
  kafkaPartitions: number;
  flinkRestPort: number;
  flinkRpcPort: number;
  flinkTaskSlots: number;
  flinkJobManagerMemory: string;
  flinkTaskManagerMemory: string;
  kafkaHeap: string;
  zkHeap: string;
  /** `java` executable; JAVA_HOME wins over PATH. */
  java: string;
  mvn: string;
  /** Seconds to wait for each part to become healthy. */
  startTimeoutSec: number;
}

export class ConfigError extends Error {
  readonly code = 'STACK_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Documented defaults; each may be overridden by the environment variable of the same name. */
export const DEFAULTS = {
  STACK_HOME: join(REPO_ROOT, '.stack'),
  STACK_CACHE: join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'campus-pulse'),
  STACK_HOST: '127.0.0.1',
  ZK_PORT: '2181',
  KAFKA_PORT: '9092',
  KAFKA_PARTITIONS: '3',
  FLINK_REST_PORT: '8081',
  FLINK_RPC_PORT: '6123',
  FLINK_TASK_SLOTS: '8',
  FLINK_JM_MEMORY: '1024m',
  FLINK_TM_MEMORY: '3072m',
  KAFKA_HEAP: '1g',
  ZK_HEAP: '256m',
  STACK_START_TIMEOUT: '180',
} as const;

type Env = Record<string, string | undefined>;

function read(env: Env, name: keyof typeof DEFAULTS): string {
  const value = env[name];
  return value === undefined || value === '' ? DEFAULTS[name] : value;
}

function int(env: Env, name: keyof typeof DEFAULTS, min: number, max: number): number {
  const raw = read(env, name);
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function memory(env: Env, name: keyof typeof DEFAULTS): string {
  const raw = read(env, name);
  if (!/^\d+[mMgG]$/.test(raw)) {
    throw new ConfigError(`${name} must be a size such as 512m or 2g, got "${raw}"`);
  }
  return raw.toLowerCase();
}

/** Reads and checks the launcher's configuration; throws ConfigError naming the bad variable. */
export function loadConfig(env: Env = process.env): StackConfig {
  const config: StackConfig = {
    home: resolve(read(env, 'STACK_HOME')),
    cache: resolve(read(env, 'STACK_CACHE')),
    host: read(env, 'STACK_HOST'),
    zkPort: int(env, 'ZK_PORT', 1, 65535),
    kafkaPort: int(env, 'KAFKA_PORT', 1, 65535),
    kafkaPartitions: int(env, 'KAFKA_PARTITIONS', 1, 1000),
    flinkRestPort: int(env, 'FLINK_REST_PORT', 1, 65535),
    flinkRpcPort: int(env, 'FLINK_RPC_PORT', 1, 65535),
    flinkTaskSlots: int(env, 'FLINK_TASK_SLOTS', 1, 256),
    flinkJobManagerMemory: memory(env, 'FLINK_JM_MEMORY'),
    flinkTaskManagerMemory: memory(env, 'FLINK_TM_MEMORY'),
    kafkaHeap: memory(env, 'KAFKA_HEAP'),
    zkHeap: memory(env, 'ZK_HEAP'),
    java: env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : 'java',
    mvn: env.MVN ?? 'mvn',
    startTimeoutSec: int(env, 'STACK_START_TIMEOUT', 5, 3600),
  };
  const ports = [config.zkPort, config.kafkaPort, config.flinkRestPort, config.flinkRpcPort];
  if (new Set(ports).size !== ports.length) {
    throw new ConfigError(
      `ZK_PORT, KAFKA_PORT, FLINK_REST_PORT and FLINK_RPC_PORT must differ: ${ports.join(', ')}`,
    );
  }
  return config;
}

/** The addresses clients use, derived from the configuration. */
export function endpoints(config: StackConfig): {
  kafkaBrokers: string;
  flinkRestUrl: string;
  zookeeper: string;
} {
  return {
    kafkaBrokers: `${config.host}:${config.kafkaPort}`,
    flinkRestUrl: `http://${config.host}:${config.flinkRestPort}`,
    zookeeper: `${config.host}:${config.zkPort}`,
  };
}
