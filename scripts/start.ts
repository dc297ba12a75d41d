/**
 * `npm start`: the whole system on this machine. Brings up the runtime, provisions the topics from
 * the catalog, builds the dashboard, starts the control plane (API, relay, dashboard), deploys
 * every job that is not running (resuming from its last savepoint), and feeds demo traffic through
 * the watcher. Ctrl-C stops what it started, in order: demo, watcher, jobs (with savepoints),
 * control plane, runtime. Running it again resumes.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { configHelp, loadOrExit, sleep } from '@pulse/kit';
import {
  consoleReporter,
  down,
  endpoints,
  loadConfig,
  PART_ORDER,
  releaseLock,
  REPO_ROOT,
  STACK_CONFIG_SCHEMA,
  tryLock,
  up,
} from '@pulse/stack';
import { startDemo, type DemoHandle } from '@pulse/demo';
import { TOPIC_CATALOG } from '@pulse/contracts';
import { provisionTopics } from '@pulse/contracts/kafka';
import { loadStartConfig, START_CONFIG_SCHEMA } from './start/config.js';
import { Services } from './start/services.js';
import { JobApi } from './start/jobs.js';
import { buildDashboard, writeDemoWatcherConfig } from './start/demo-files.js';
import { Supervisor } from './start/supervisor.js';

const HELP = `Starts the whole system on this machine and keeps it running until Ctrl-C.

Usage: npm start [-- --no-demo] [-- --watcher-config <file>]

  --no-demo                 do not generate demo traffic (watch your own files instead)
  --watcher-config <file>   run the watcher with this config instead of the demo one
  -h, --help                this help

Environment:
${configHelp(START_CONFIG_SCHEMA)}
${configHelp(STACK_CONFIG_SCHEMA)}
  (the control plane's own variables: npm run control-plane -- --help)
`;

const { values: args } = parseArgs({
  options: {
    'no-demo': { type: 'boolean' },
    'watcher-config': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

const report = consoleReporter('start');
const config = loadOrExit('start', () => loadConfig());
const settings = loadOrExit('start', () => loadStartConfig());
const logDir = join(config.home, 'logs');
const lockFile = join(config.home, 'run', 'start.lock');
const baseUrl = `http://127.0.0.1:${settings.controlPlanePort}`;
const services = new Services(config.home, REPO_ROOT, report);

/** The operator token, generated on the first run and kept, so bookmarks and scripts keep working. */
function operatorToken(): string {
  if (settings.operatorToken) return settings.operatorToken;
  const file = join(config.home, 'operator-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = randomBytes(18).toString('base64url');
  writeFileSync(file, token + '\n', { mode: 0o600 });
  return token;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(500);
  }
  throw new Error(`${what} did not come up within ${timeoutMs / 1000}s`);
}

let demo: DemoHandle | undefined;
let watcher: (() => ChildProcess) | undefined;
let controlPlane: (() => ChildProcess) | undefined;
let jobs: JobApi | undefined;
const supervisor = new Supervisor(
  config,
  report,
  join(config.home, 'run', 'events.jsonl'),
  async () => {
    // A JobManager without high availability forgets its jobs: deploy them again.
    if (jobs) deployed.push(...(await jobs.deployAll(report).catch(() => [])));
  },
);
const deployed: string[] = [];

async function shutdown(signal: string): Promise<void> {
  if (services.stopping) return;
  services.stopping = true;
  supervisor.stop();
  report.step(`${signal}: stopping what this run started`);
  if (demo) {
    await demo.stop();
    report.info('demo traffic stopped');
  }
  await services.stop(watcher?.(), 'watcher');
  if (jobs) {
    // Jobs die with the cluster: when this run stops the JobManager, every running job is stopped
    // with a savepoint first (also those an earlier run started), so the next run resumes them.
    const toStop = services.parts.includes('jobmanager')
      ? await jobs.running().catch(() => deployed)
      : deployed;
    await jobs.stopAll(toStop, report);
  }
  await services.stop(controlPlane?.(), 'control plane');
  if (services.parts.length)
    await down(config, consoleReporter('start'), { parts: services.parts });
  services.clear();
  releaseLock(lockFile);
  report.step('stopped');
  process.exit(0);
}

async function main(): Promise<void> {
  const lock = tryLock(lockFile);
  if (!lock.taken) {
    process.stderr.write(
      `start: the system is already running from ${config.home} (npm start, pid ${lock.holder}). Open ${baseUrl}, or stop it with Ctrl-C in its terminal (kill -INT ${lock.holder}).\n`,
    );
    process.exit(3);
  }
  await services.stopLeftovers();
  mkdirSync(logDir, { recursive: true });
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  const token = operatorToken();

  report.step('step 1/6: the runtime (ZooKeeper, Kafka, Flink 1.12.7, PostgreSQL)');
  const stack = await up(config, report);
  services.own(stack.started);
  const { kafkaBrokers, flinkRestUrl, plannerUrl } = endpoints(config);

  report.step('step 2/6: topics');
  const admin = new Kafka({
    clientId: 'start',
    brokers: [kafkaBrokers],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  const topics = await provisionTopics(admin, TOPIC_CATALOG, {
    defaultPartitions: config.kafkaPartitions,
  }).finally(() => admin.disconnect());
  if (topics.created.length) report.info(`created ${topics.created.join(', ')}`);
  for (const change of topics.changed) report.info(`changed ${change}`);
  if (!topics.created.length && !topics.changed.length)
    report.info('every topic is as the catalog says');

  report.step('step 3/6: the dashboard');
  report.info((await buildDashboard(REPO_ROOT)) ? 'built ui/dist' : 'ui/dist is built');

  report.step(`step 4/6: the control plane on ${baseUrl}`);
  controlPlane = supervisor.keep('control-plane', (onExit) =>
    services.start(
      'control-plane',
      ['control-plane/src/server.ts'],
      {
        PORT: String(settings.controlPlanePort),
        OPERATOR_TOKEN: token,
        KAFKA_BROKERS: kafkaBrokers,
        FLINK_REST_URL: flinkRestUrl,
        PLANNER_URL: plannerUrl,
        RELAY_ALLOWED_ORIGINS: settings.allowedOrigins,
      },
      logDir,
      onExit,
    ),
  );
  await waitFor('the control plane', async () => (await fetch(`${baseUrl}/health`)).ok, 60_000);
  report.info(`control plane ready (log: ${join(logDir, 'control-plane.log')})`);
  jobs = new JobApi(baseUrl, token);

  report.step('step 5/6: jobs');
  deployed.push(...(await jobs.deployAll(report)));

  report.step('step 6/6: traffic');
  const demoDir = join(config.home, 'demo');
  const watcherConfig =
    args['watcher-config'] ??
    writeDemoWatcherConfig(config.home, demoDir, kafkaBrokers, settings.watcherHttpPort);
  if (!args['no-demo']) {
    demo = await startDemo({ dir: demoDir, webRate: settings.demoRate });
    report.info(`demo traffic into ${demoDir} (${demo.sections.length} course sections)`);
  }
  watcher = supervisor.keep('watcher', (onExit) =>
    services.start(
      'watcher',
      ['watcher/dist/watcher.mjs', '--config', watcherConfig],
      { KAFKA_BROKERS: kafkaBrokers },
      logDir,
      onExit,
    ),
  );
  // From here on a runtime part whose process is gone is started again, whoever started it first.
  supervisor.watchRuntime(PART_ORDER);
  report.info(`watcher running with ${watcherConfig} (log: ${join(logDir, 'watcher.log')})`);

  process.stdout.write(`
  Dashboard        ${baseUrl}/
  Operator token   ${token}
  Job API docs     ${baseUrl}/docs
  SQL gateway      http://${new URL(baseUrl).hostname}:${process.env.SQL_GATEWAY_PORT ?? 8083} (Flink's SQL Gateway REST API; SQL page ${baseUrl}/#/sql)
  Flink web UI     ${flinkRestUrl}
  Kafka            ${kafkaBrokers}
  Logs             ${logDir}

Ready. Press Ctrl-C to stop.
`);
}

main().catch(async (err: unknown) => {
  process.stderr.write(`start: ${err instanceof Error ? err.message : String(err)}\n`);
  await shutdown('error');
});
