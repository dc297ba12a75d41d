import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type } from 'typebox';
import { ConfigError, readEnv, type Env } from '@pulse/kit';
import { localDatabaseUrl } from '@pulse/db';

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
  /** The SQL gateway's planner (a JVM beside the cluster holding the sessions' TableEnvironments). */
  plannerPort: number;
  /** PostgreSQL's port, when the launcher runs it. */
  pgPort: number;
  /** An existing PostgreSQL to use instead of starting one (DATABASE_URL). */
  databaseUrl?: string;
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

const memory = (description: string, fallback: string) =>
  Type.String({
    default: fallback,
    pattern: '^\\d+[mMgG]$',
    expect: 'a size such as 512m or 2g',
    description,
  });
const port = (description: string, fallback: number) =>
  Type.Integer({ minimum: 1, maximum: 65535, default: fallback, description });

/** Every environment variable of the launcher, with its default and meaning. */
export const STACK_CONFIG_SCHEMA = Type.Object({
  STACK_HOME: Type.String({
    default: join(REPO_ROOT, '.stack'),
    defaultText: '<checkout>/.stack',
    description: 'runtime folder: data, logs, pid files, generated configs',
  }),
  STACK_CACHE: Type.String({
    default: join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'campus-pulse'),
    defaultText: '~/.cache/campus-pulse',
    description: 'jar cache, outside git',
  }),
  STACK_HOST: Type.String({ default: '127.0.0.1', description: 'address every part binds to' }),
  ZK_PORT: port('ZooKeeper client port', 2181),
  KAFKA_PORT: port('Kafka listener', 9092),
  KAFKA_PARTITIONS: Type.Integer({
    minimum: 1,
    maximum: 1000,
    default: 3,
    description: 'partitions of the topics',
  }),
  FLINK_REST_PORT: port('Flink REST API and web UI', 8081),
  FLINK_RPC_PORT: port('JobManager RPC', 6123),
  PLANNER_PORT: port(
    "the SQL gateway's planner: Flink 1.12 sessions and previews, HTTP on loopback (part planner)",
    8093,
  ),
  PG_PORT: port('PostgreSQL', 5432),
  DATABASE_URL: Type.Optional(
    Type.String({
      pattern: '^postgres(ql)?://',
      expect: 'a postgres:// URL',
      defaultText: 'unset: the launcher runs PostgreSQL itself',
      description: 'an existing PostgreSQL for the history; when set, none is started',
    }),
  ),
  FLINK_TASK_SLOTS: Type.Integer({
    minimum: 1,
    maximum: 256,
    default: 8,
    description: 'slots of the TaskManager',
  }),
  FLINK_JM_MEMORY: memory('JobManager process size', '1024m'),
  FLINK_TM_MEMORY: memory('TaskManager process size', '3072m'),
  KAFKA_HEAP: memory('broker heap', '1g'),
  ZK_HEAP: memory('ZooKeeper heap', '256m'),
  STACK_START_TIMEOUT: Type.Integer({
    minimum: 5,
    maximum: 3600,
    default: 180,
    description: 'seconds each part may take to become healthy',
  }),
  JAVA_HOME: Type.Optional(
    Type.String({ defaultText: 'java on the PATH', description: 'the JDK that runs every part' }),
  ),
  MVN: Type.String({ default: 'mvn', description: 'Maven, which resolves the jars' }),
});

/** Reads and checks the launcher's configuration; throws ConfigError naming the bad variable. */
export function loadConfig(env: Env = process.env): StackConfig {
  const e = readEnv(STACK_CONFIG_SCHEMA, env);
  const config: StackConfig = {
    home: resolve(e.STACK_HOME),
    cache: resolve(e.STACK_CACHE),
    host: e.STACK_HOST,
    zkPort: e.ZK_PORT,
    kafkaPort: e.KAFKA_PORT,
    kafkaPartitions: e.KAFKA_PARTITIONS,
    flinkRestPort: e.FLINK_REST_PORT,
    flinkRpcPort: e.FLINK_RPC_PORT,
    plannerPort: e.PLANNER_PORT,
    pgPort: e.PG_PORT,
    ...(e.DATABASE_URL ? { databaseUrl: e.DATABASE_URL } : {}),
    flinkTaskSlots: e.FLINK_TASK_SLOTS,
    flinkJobManagerMemory: e.FLINK_JM_MEMORY.toLowerCase(),
    flinkTaskManagerMemory: e.FLINK_TM_MEMORY.toLowerCase(),
    kafkaHeap: e.KAFKA_HEAP.toLowerCase(),
    zkHeap: e.ZK_HEAP.toLowerCase(),
    java: e.JAVA_HOME ? join(e.JAVA_HOME, 'bin', 'java') : 'java',
    mvn: e.MVN,
    startTimeoutSec: e.STACK_START_TIMEOUT,
  };
  const ports = [
    config.zkPort,
    config.kafkaPort,
    config.flinkRestPort,
    config.flinkRpcPort,
    config.plannerPort,
    config.pgPort,
  ];
  if (new Set(ports).size !== ports.length) {
    throw new ConfigError(
      'ZK_PORT',
      `ZK_PORT, KAFKA_PORT, FLINK_REST_PORT, FLINK_RPC_PORT, PLANNER_PORT and PG_PORT must differ: ${ports.join(', ')}`,
    );
  }
  return config;
}

/** The addresses clients use, derived from the configuration. */
export function endpoints(config: StackConfig): {
  kafkaBrokers: string;
  flinkRestUrl: string;
  plannerUrl: string;
  zookeeper: string;
  databaseUrl: string;
} {
  return {
    kafkaBrokers: `${config.host}:${config.kafkaPort}`,
    flinkRestUrl: `http://${config.host}:${config.flinkRestPort}`,
    plannerUrl: `http://${config.host}:${config.plannerPort}`,
    zookeeper: `${config.host}:${config.zkPort}`,
    databaseUrl: config.databaseUrl ?? localDatabaseUrl(config.host, config.pgPort),
  };
}
