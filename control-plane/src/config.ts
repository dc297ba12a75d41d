/**
 * The control plane's settings, relay included: one TypeBox schema of environment variables, read
 * and checked once at boot (`loadConfig`), then read from the typed object only. The same schema
 * prints `--help` and the README's table. Defaults follow the local runtime's variables
 * (STACK_HOST, KAFKA_PORT, FLINK_REST_PORT, PG_PORT, STACK_HOME), so `npm run control-plane` works
 * against `npm run stack -- up` with nothing set, and moving a port moves every part.
 */
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type } from 'typebox';
import { ConfigError, readEnv, type Env } from '@pulse/kit';
import { parseDuration, relayConfigFrom, type RelayConfig } from './relay/config.js';

/** The checkout this control plane runs from: default places of the jobs, the runner and the UI. */
const CHECKOUT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const port = (description: string, fallback: number) =>
  Type.Integer({ minimum: 1, maximum: 65535, default: fallback, description });
const duration = (description: string, fallback: string) =>
  Type.String({
    default: fallback,
    description,
    pattern: '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h)?\\s*$',
    expect: 'a duration like 500ms, 30s, 15m or 1h (a bare number is milliseconds)',
  });

/** Every environment variable of the control plane, with its default and meaning. */
export const CONFIG_SCHEMA = Type.Object({
  HOST: Type.String({
    default: '127.0.0.1',
    description: 'address the API, relay and dashboard listen on',
  }),
  PORT: Type.Integer({
    minimum: 0,
    maximum: 65535,
    default: 8080,
    description: 'port of the API, relay and dashboard',
  }),
  ALLOWED_HOSTS: Type.Optional(
    Type.String({
      defaultText: 'localhost,127.0.0.1,::1 and HOST',
      description: 'host names requests may be addressed to (DNS rebinding guard); * allows any',
    }),
  ),
  AUDIT_MAX_BYTES: Type.Integer({
    minimum: 64 * 1024,
    default: 10 * 1024 * 1024,
    description: 'size at which the audit trail is rotated (one older file is kept)',
  }),
  STACK_HOST: Type.String({
    default: '127.0.0.1',
    description: 'host of the local runtime, for the defaults below',
  }),
  KAFKA_PORT: port('local Kafka port, for the KAFKA_BROKERS default', 9092),
  FLINK_REST_PORT: port('local Flink REST port, for the FLINK_REST_URL default', 8081),
  PG_PORT: port('local PostgreSQL port, for the DATABASE_URL default', 5432),
  PLANNER_PORT: port('local SQL planner port, for the PLANNER_URL default', 8093),
  STACK_HOME: Type.String({
    default: join(CHECKOUT, '.stack'),
    defaultText: '<checkout>/.stack',
    description: 'runtime folder of the local stack, for the CONTROL_PLANE_STATE default',
  }),
  FLINK_REST_URL: Type.Optional(
    Type.String({
      format: 'uri',
      expect: 'a URL such as http://127.0.0.1:8081',
      defaultText: 'http://STACK_HOST:FLINK_REST_PORT',
      description: "Flink's REST API",
    }),
  ),
  KAFKA_BROKERS: Type.Optional(
    Type.String({
      pattern: '^[^,\\s]+(,[^,\\s]+)*$',
      expect: 'host:port pairs separated by commas',
      defaultText: 'STACK_HOST:KAFKA_PORT',
      description: 'Kafka bootstrap servers, comma-separated',
    }),
  ),
  KAFKA_PARTITIONS: Type.Integer({
    minimum: 1,
    maximum: 1000,
    default: 3,
    description: 'partitions of the topics the control plane creates',
  }),
  DATABASE_URL: Type.Optional(
    Type.String({
      pattern: '^postgres(ql)?://',
      expect: 'a postgres:// URL',
      defaultText: 'postgresql://postgres:postgres@STACK_HOST:PG_PORT/pulse',
      description: 'PostgreSQL holding the history',
    }),
  ),
  CAMPUS_TIMEZONE: Type.String({
    default: 'Asia/Shanghai',
    description:
      "campus time zone (IANA): the history's campus-local dates, and the jobs' CAMPUS_TIMEZONE default",
  }),
  HISTORY_MINUTE_RETENTION_DAYS: Type.Integer({
    minimum: 1,
    maximum: 3650,
    default: 30,
    description: 'days minute-level history rows are kept (hourly and daily rows are kept)',
  }),
  JOBS_DIR: Type.String({
    default: join(CHECKOUT, 'jobs', 'sql'),
    defaultText: '<checkout>/jobs/sql',
    description: "folder of the analysts' job files",
  }),
  CONTROL_PLANE_STATE: Type.Optional(
    Type.String({
      defaultText: '<STACK_HOME>/control-plane',
      description: 'where the audit trail and known savepoints are kept',
    }),
  ),
  RUNTIME_EVENTS: Type.Optional(
    Type.String({
      defaultText: '<STACK_HOME>/run/events.jsonl',
      description: "the supervisor's record of crashes and restarts, shown on the operator page",
    }),
  ),
  RUNNER_JAR: Type.String({
    default: join(CHECKOUT, 'jobs', 'runner', 'target', 'sql-runner.jar'),
    defaultText: '<checkout>/jobs/runner/target/sql-runner.jar',
    description: 'the SQL runner jar uploaded to Flink',
  }),
  OPERATOR_TOKEN: Type.Optional(
    Type.String({
      minLength: 12,
      expect: 'at least 12 characters',
      defaultText: 'generated at start and logged',
      description: 'bearer token for mutating calls',
    }),
  ),
  STOP_TIMEOUT_MS: Type.Integer({
    minimum: 1000,
    maximum: 3_600_000,
    default: 90_000,
    description:
      'how long stop-with-savepoint may take before the call answers with a pending stop',
  }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info', description: 'log level' },
  ),
  UI_DIST: Type.String({
    default: join(CHECKOUT, 'ui', 'dist'),
    defaultText: '<checkout>/ui/dist',
    description: 'the built dashboard served at /',
  }),
  JOB_VARIABLES: Type.String({
    default: '',
    pattern: '^\\s*([A-Z][A-Z0-9_]*=[^;]*(;\\s*[A-Z][A-Z0-9_]*=[^;]*)*;?)?\\s*$',
    expect: 'NAME=value pairs separated by ";"',
    defaultText: 'BROKERS=<KAFKA_BROKERS>;JDBC_URL, JDBC_USER, JDBC_PASSWORD from DATABASE_URL',
    description:
      "defaults for the jobs' variables, e.g. BROKERS as Flink's TaskManagers reach Kafka",
  }),
  RELAY_CHANNELS: Type.String({
    default: 'pvuv=pvuv:window,attendance=attendance:table',
    description:
      'topics relayed from the start as name=topic:kind (window: rows age out; table: upserted by key); the outputs the running jobs declare panels for are added by themselves',
  }),
  RELAY_PVUV_SPAN: duration('history a window channel keeps and replays', '1h'),
  RELAY_ALLOWED_ORIGINS: Type.String({
    default: '',
    description: 'browser origins allowed to open the WebSocket (empty: same origin only; * any)',
  }),
  RELAY_CLIENT_BUFFER_BYTES: Type.Integer({
    minimum: 1,
    default: 1024 * 1024,
    description: 'bytes queued for one client before it is cut off as too slow',
  }),
  RELAY_HISTORY: Type.Integer({
    minimum: 1,
    default: 2000,
    description: 'updates kept per channel so a reconnecting client resumes without a snapshot',
  }),
  RELAY_HEARTBEAT_MS: duration('how often the relay sends a heartbeat', '15s'),
  RELAY_HEARTBEAT_TIMEOUT_MS: duration('silence after which a client counts as dead', '45s'),
  RELAY_READY_TIMEOUT_MS: duration(
    'longest wait for the start-up replay before serving snapshots anyway',
    '30s',
  ),
  RELAY_GROUP_PREFIX: Type.String({
    default: 'pulse-relay',
    minLength: 1,
    description: "prefix of the relay's private consumer group (a fresh one per start)",
  }),
  SQL_GATEWAY_PORT: Type.Integer({
    minimum: 0,
    maximum: 65535,
    default: 8083,
    description:
      "port of the SQL gateway (Flink's SQL Gateway REST protocol, on HOST); 0 picks a free port",
  }),
  PLANNER_URL: Type.Optional(
    Type.String({
      format: 'uri',
      expect: 'a URL such as http://127.0.0.1:8093',
      defaultText: 'http://STACK_HOST:PLANNER_PORT',
      description: "the SQL planner beside the cluster (the SQL gateway's sessions live there)",
    }),
  ),
  SQL_GATEWAY_MAX_SESSIONS: Type.Integer({
    minimum: 1,
    default: 20,
    description: 'SQL gateway sessions open at once; opening one more is refused',
  }),
  SQL_GATEWAY_MAX_PREVIEWS: Type.Integer({
    minimum: 0,
    default: 4,
    description:
      'query previews running at once on the cluster (each holds a task slot); one more is refused',
  }),
  SQL_GATEWAY_SESSION_IDLE: duration(
    'a SQL gateway session without a request or heartbeat for this long is closed, its previews cancelled',
    '10m',
  ),
  SQL_GATEWAY_PREVIEW_MAX_ROWS: Type.Integer({
    minimum: 1,
    default: 10_000,
    description:
      "changelog rows after which a preview ends (EOS); a session may SET 'sql-gateway.preview.max-rows' up to this",
  }),
  SQL_GATEWAY_PREVIEW_TIMEOUT: duration(
    "time after which a preview ends (EOS) and its job is cancelled; a session may SET 'sql-gateway.preview.timeout' up to this",
    '10m',
  ),
  SQL_GATEWAY_ALLOW_INSERT: Type.Boolean({
    default: false,
    description:
      'let INSERT through the SQL gateway start a lasting job (with the operator token, deployed and audited like the job API)',
  }),
  RELAY_PANEL_SYNC: duration(
    'how often the relay reads the panels the running jobs declare (deploys and stops read them at once)',
    '10s',
  ),
});

/** The control plane's settings, read once at start-up. */
export interface ControlPlaneConfig {
  host: string;
  /** Host names requests may be addressed to; '*' allows any. */
  allowedHosts: string[];
  auditMaxBytes: number;
  port: number;
  flinkRestUrl: string;
  kafkaBrokers: string;
  /** Partitions of topics the control plane creates (the relay's, when absent). */
  kafkaPartitions: number;
  /** PostgreSQL holding the history. */
  databaseUrl: string;
  /** IANA zone of the campus: campus-local dates in the history. */
  campusTimeZone: string;
  /** Days minute-level history rows are kept. */
  historyRetentionDays: number;
  /** Folder of the analysts' job files; job names are file names here. */
  jobsDir: string;
  /** Where the audit trail and known savepoints are kept. */
  stateDir: string;
  runnerJar: string;
  /** The supervisor's record of crashes and restarts under npm start. */
  runtimeEventsFile: string;
  operatorToken: string;
  /** True when the token was generated because OPERATOR_TOKEN was not set. */
  generatedToken: boolean;
  /** How long stop-with-savepoint may take before the call returns with a pending stop. */
  stopTimeoutMs: number;
  logLevel: string;
  /** Built dashboard served at /, when present. */
  uiDist: string;
  /** Defaults for the jobs' declared variables, e.g. BROKERS as Flink's TaskManagers reach Kafka. */
  jobVariables: Record<string, string>;
  relay: RelayConfig;
  sqlGateway: SqlGatewayConfig;
}

/** The SQL gateway's settings. */
export interface SqlGatewayConfig {
  port: number;
  plannerUrl: string;
  maxSessions: number;
  maxPreviews: number;
  sessionIdleMs: number;
  /** Default and ceiling of a preview's rows; a session may lower it. */
  previewMaxRows: number;
  /** Default and ceiling of a preview's time. */
  previewTimeoutMs: number;
  allowInsert: boolean;
}

/** JOB_VARIABLES: `NAME=value` pairs separated by `;`, e.g. `BROKERS=kafka:29092;CHECKPOINT_INTERVAL=30 s`. */
export function parseJobVariables(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of raw
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(pair);
    if (!m)
      throw new ConfigError(
        'JOB_VARIABLES',
        `JOB_VARIABLES must be NAME=value pairs separated by ";", got "${pair}"`,
      );
    out[m[1]!] = m[2]!;
  }
  return out;
}

/** The JDBC settings Flink's JDBC sinks take, from a postgres:// URL. */
export function jdbcVariables(databaseUrl: string): Record<string, string> {
  const url = new URL(databaseUrl);
  const database = url.pathname.replace(/^\//, '') || 'postgres';
  return {
    JDBC_URL: `jdbc:postgresql://${url.host}/${database}${url.search}`,
    JDBC_USER: decodeURIComponent(url.username || 'postgres'),
    JDBC_PASSWORD: decodeURIComponent(url.password),
  };
}

/** Reads and checks every setting; throws ConfigError naming the first variable that fails. */
export function loadConfig(env: Env = process.env): ControlPlaneConfig {
  const e = readEnv(CONFIG_SCHEMA, env);
  const kafkaBrokers = e.KAFKA_BROKERS ?? `${e.STACK_HOST}:${e.KAFKA_PORT}`;
  const databaseUrl =
    e.DATABASE_URL ?? `postgresql://postgres:postgres@${e.STACK_HOST}:${e.PG_PORT}/pulse`;
  const allowedHosts = (
    e.ALLOWED_HOSTS ??
    ['localhost', '127.0.0.1', '::1', ...(['0.0.0.0', '::'].includes(e.HOST) ? [] : [e.HOST])].join(
      ',',
    )
  )
    .split(',')
    .map((h) =>
      h
        .trim()
        .toLowerCase()
        .replace(/^\[|\]$/g, ''),
    )
    .filter(Boolean);
  return {
    host: e.HOST,
    allowedHosts,
    auditMaxBytes: e.AUDIT_MAX_BYTES,
    port: e.PORT,
    flinkRestUrl: (e.FLINK_REST_URL ?? `http://${e.STACK_HOST}:${e.FLINK_REST_PORT}`).replace(
      /\/$/,
      '',
    ),
    kafkaBrokers,
    kafkaPartitions: e.KAFKA_PARTITIONS,
    databaseUrl,
    campusTimeZone: e.CAMPUS_TIMEZONE,
    historyRetentionDays: e.HISTORY_MINUTE_RETENTION_DAYS,
    jobsDir: resolve(e.JOBS_DIR),
    stateDir: resolve(e.CONTROL_PLANE_STATE ?? join(e.STACK_HOME, 'control-plane')),
    runnerJar: resolve(e.RUNNER_JAR),
    runtimeEventsFile: resolve(e.RUNTIME_EVENTS ?? join(e.STACK_HOME, 'run', 'events.jsonl')),
    operatorToken: e.OPERATOR_TOKEN ?? randomBytes(18).toString('base64url'),
    generatedToken: e.OPERATOR_TOKEN === undefined,
    stopTimeoutMs: e.STOP_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
    uiDist: resolve(e.UI_DIST),
    // Jobs reach Kafka and PostgreSQL where the control plane does unless told otherwise (in
    // containers they differ).
    jobVariables: {
      BROKERS: kafkaBrokers,
      ...jdbcVariables(databaseUrl),
      CAMPUS_TIMEZONE: e.CAMPUS_TIMEZONE,
      ...parseJobVariables(e.JOB_VARIABLES),
    },
    relay: relayConfigFrom({ ...e, KAFKA_BROKERS: kafkaBrokers }),
    sqlGateway: {
      port: e.SQL_GATEWAY_PORT,
      plannerUrl: (e.PLANNER_URL ?? `http://${e.STACK_HOST}:${e.PLANNER_PORT}`).replace(/\/$/, ''),
      maxSessions: e.SQL_GATEWAY_MAX_SESSIONS,
      maxPreviews: e.SQL_GATEWAY_MAX_PREVIEWS,
      sessionIdleMs: parseDuration('SQL_GATEWAY_SESSION_IDLE', e.SQL_GATEWAY_SESSION_IDLE),
      previewMaxRows: e.SQL_GATEWAY_PREVIEW_MAX_ROWS,
      previewTimeoutMs: parseDuration('SQL_GATEWAY_PREVIEW_TIMEOUT', e.SQL_GATEWAY_PREVIEW_TIMEOUT),
      allowInsert: e.SQL_GATEWAY_ALLOW_INSERT,
    },
  };
}
