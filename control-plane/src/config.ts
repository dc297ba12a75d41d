import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { loadConfig as loadStackConfig, endpoints, REPO_ROOT } from '@pulse/stack';

/** The control plane's settings, read once at start-up. */
export interface ControlPlaneConfig {
  host: string;
  port: number;
  flinkRestUrl: string;
  kafkaBrokers: string;
  /** Folder of the analysts' job files; job names are file names here. */
  jobsDir: string;
  /** Where the audit trail and known savepoints are kept. */
  stateDir: string;
  runnerJar: string;
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
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return value;
}

function url(env: Env, name: string, fallback: string): string {
  const raw = env[name] || fallback;
  try {
    new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL such as http://127.0.0.1:8081, got "${raw}"`);
  }
  return raw.replace(/\/$/, '');
}

/**
 * Defaults follow the local stack (same environment variables), so `npm run control-plane` works
 * against `npm run stack -- up` with nothing set.
 */
export function loadConfig(env: Env = process.env): ControlPlaneConfig {
  const stack = loadStackConfig(env);
  const local = endpoints(stack);
  const token = env.OPERATOR_TOKEN ?? '';
  if (token !== '' && token.length < 12)
    throw new ConfigError('OPERATOR_TOKEN must be at least 12 characters');
  const kafkaBrokers = env.KAFKA_BROKERS || local.kafkaBrokers;
  return {
    host: env.HOST || '127.0.0.1',
    port: int(env, 'PORT', 8080, 0, 65535),
    flinkRestUrl: url(env, 'FLINK_REST_URL', local.flinkRestUrl),
    kafkaBrokers,
    jobsDir: resolve(env.JOBS_DIR || join(REPO_ROOT, 'jobs', 'sql')),
    stateDir: resolve(env.CONTROL_PLANE_STATE || join(stack.home, 'control-plane')),
    runnerJar: resolve(
      env.RUNNER_JAR || join(REPO_ROOT, 'jobs', 'runner', 'target', 'sql-runner.jar'),
    ),
    operatorToken: token || randomBytes(18).toString('base64url'),
    generatedToken: token === '',
    stopTimeoutMs: int(env, 'STOP_TIMEOUT_MS', 90_000, 1_000, 3_600_000),
    logLevel: env.LOG_LEVEL || 'info',
    uiDist: resolve(env.UI_DIST || join(REPO_ROOT, 'ui', 'dist')),
    // Jobs reach Kafka where the control plane does unless told otherwise (in containers they differ).
    jobVariables: { BROKERS: kafkaBrokers, ...parseJobVariables(env.JOB_VARIABLES ?? '') },
  };
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
        `JOB_VARIABLES must be NAME=value pairs separated by ";", got "${pair}"`,
      );
    out[m[1]!] = m[2]!;
  }
  return out;
}

/** The documented variables, for --help and the README. */
export const CONFIG_DOC: [string, string][] = [
  ['HOST', '127.0.0.1'],
  ['PORT', '8080'],
  ['FLINK_REST_URL', 'http://127.0.0.1:8081 (from FLINK_REST_PORT/STACK_HOST)'],
  ['KAFKA_BROKERS', '127.0.0.1:9092 (from KAFKA_PORT/STACK_HOST)'],
  ['JOBS_DIR', '<checkout>/jobs/sql'],
  ['CONTROL_PLANE_STATE', '<runtime folder>/control-plane'],
  ['RUNNER_JAR', '<checkout>/jobs/runner/target/sql-runner.jar'],
  ['OPERATOR_TOKEN', 'generated at start and printed'],
  ['STOP_TIMEOUT_MS', '90000'],
  ['LOG_LEVEL', 'info'],
  ['UI_DIST', '<checkout>/ui/dist'],
  ['JOB_VARIABLES', "BROKERS=<KAFKA_BROKERS> (NAME=value;... defaults for the jobs' variables)"],
];
