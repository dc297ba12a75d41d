/**
 * `npm start`: the whole system on this machine. Brings up the runtime, creates the topics, builds
 * the dashboard, starts the control plane (API, relay, dashboard), deploys every job that is not
 * running (resuming from its last savepoint), and feeds demo traffic through the watcher. Ctrl-C
 * stops what it started, in order: demo, watcher, jobs (with savepoints), control plane, runtime.
 * Running it again resumes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import {
  consoleReporter,
  down,
  endpoints,
  loadConfig,
  REPO_ROOT,
  up,
  type PartName,
} from '@pulse/stack';
import { startDemo, type DemoHandle } from '@pulse/demo';
import { TOPICS, dlqTopic } from '@pulse/contracts';

const HELP = `Starts the whole system on this machine and keeps it running until Ctrl-C.

Usage: npm start [-- --no-demo] [-- --watcher-config <file>]

  --no-demo                 do not generate demo traffic (watch your own files instead)
  --watcher-config <file>   run the watcher with this config instead of the demo one
  -h, --help                this help

Environment: CONTROL_PLANE_PORT (8080), OPERATOR_TOKEN (generated once and kept in the runtime
folder), DEMO_RATE (web requests/s at peak, 50), plus the stack's variables (npm run stack -- --help).
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
const config = loadConfig();
const runDir = join(config.home, 'run');
const logDir = join(config.home, 'logs');
const lockFile = join(runDir, 'start.lock');
const port = Number(process.env.CONTROL_PLANE_PORT ?? 8080);
const baseUrl = `http://127.0.0.1:${port}`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One `npm start` per runtime folder: a second one would fight the first over the same processes. */
function takeStartLock(): void {
  mkdirSync(runDir, { recursive: true });
  try {
    const fd = openSync(lockFile, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const pid = Number(readFileSync(lockFile, 'utf8'));
    if (alive(pid)) {
      process.stderr.write(
        `start: the system is already running from ${config.home} (npm start, pid ${pid}). Open ${baseUrl}, or stop it with Ctrl-C in its terminal (kill -INT ${pid}).\n`,
      );
      process.exit(3);
    }
    rmSync(lockFile, { force: true });
    takeStartLock();
  }
}

/** The operator token, generated on the first run and kept, so bookmarks and scripts keep working. */
function operatorToken(): string {
  if (process.env.OPERATOR_TOKEN) return process.env.OPERATOR_TOKEN;
  const file = join(config.home, 'operator-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = randomBytes(18).toString('base64url');
  writeFileSync(file, token + '\n', { mode: 0o600 });
  return token;
}

/** Starts a service in its own process group (Ctrl-C reaches only this script, which stops it in order). */
const servicesFile = join(runDir, 'services.json');
/** A marker in each service's environment, so a later run can recognise the services of this folder. */
const SERVICE_MARKER = `PULSE_START_HOME=${config.home}`;

/**
 * Services left behind by a run that died without its Ctrl-C handler (kill -9, a crash) still hold
 * their ports: stop them before starting anew. Only processes carrying this folder's marker are touched.
 */
async function stopLeftovers(): Promise<void> {
  if (!existsSync(servicesFile)) return;
  let left: { pids: number[]; parts: PartName[] } = { pids: [], parts: [] };
  try {
    left = { ...left, ...(JSON.parse(readFileSync(servicesFile, 'utf8')) as Partial<typeof left>) };
  } catch {
    // unreadable: nothing to adopt
  }
  const ours = left.pids.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(SERVICE_MARKER);
    } catch {
      return false; // gone already
    }
  });
  for (const pid of ours) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 15_000;
  while (ours.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  for (const pid of ours.filter(alive)) process.kill(pid, 'SIGKILL');
  if (ours.length)
    report.info(
      `stopped ${ours.length} service(s) left by an earlier run that did not stop cleanly`,
    );
  // The runtime parts that run started are this run's to stop now.
  startedParts.push(...left.parts);
  rmSync(servicesFile, { force: true });
}

function recordServices(): void {
  writeFileSync(servicesFile, JSON.stringify({ pids: servicePids, parts: startedParts }));
}

const servicePids: number[] = [];

/** Starts a part as its own process: TypeScript through tsx, or a bundled .mjs as it is. */
function service(name: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const log = openSync(join(logDir, `${name}.log`), 'a');
  // The watcher's bundle runs with a larger young generation: its parsing makes many short-lived strings.
  const node = args[0]!.endsWith('.mjs')
    ? ['--enable-source-maps', '--max-semi-space-size=64']
    : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...node, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, PULSE_START_HOME: config.home },
    stdio: ['ignore', log, log],
    detached: true,
  });
  closeSync(log);
  if (child.pid) {
    servicePids.push(child.pid);
    recordServices();
  }
  child.on('exit', (code, signal) => {
    if (!stopping)
      report.warn(
        `${name} exited (${signal ?? `code ${code}`}); see ${join(logDir, `${name}.log`)}`,
      );
  });
  return child;
}

async function stopService(child: ChildProcess | undefined, name: string): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
  report.info(`${name} stopped`);
}

async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what} did not come up within ${timeoutMs / 1000}s`);
}

async function api<T>(
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as T };
}

let stopping = false;
const startedParts: PartName[] = [];
const deployed: string[] = [];
let demo: DemoHandle | undefined;
let watcher: ChildProcess | undefined;
let controlPlane: ChildProcess | undefined;
let token = '';

async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  report.step(`${signal}: stopping what this run started`);
  if (demo) {
    await demo.stop();
    report.info('demo traffic stopped');
  }
  await stopService(watcher, 'watcher');
  // Jobs die with the cluster: when this run stops the JobManager, every running job is stopped with
  // a savepoint first (also those an earlier run started), so the next run resumes them.
  let toStop = deployed;
  if (startedParts.includes('jobmanager')) {
    const listed = await api<{ jobs: { file: string; state: string }[] }>(
      'GET',
      '/api/jobs',
      token,
    ).catch(() => undefined);
    toStop = listed
      ? listed.body.jobs
          .filter((j) => j.state === 'RUNNING')
          .map((j) => j.file.replace(/\.sql$/, ''))
      : deployed;
  }
  for (const name of toStop) {
    // A savepoint now lets the next run resume the job where it stopped.
    const res = await api<{ state?: string; savepoint?: string; message?: string }>(
      'POST',
      `/api/jobs/${name}/stop`,
      token,
    ).catch(() => undefined);
    report.info(
      `job ${name}: ${res ? (res.body.savepoint ? `stopped with savepoint ${res.body.savepoint}` : (res.body.message ?? res.body.state)) : 'control plane unreachable'}`,
    );
  }
  await stopService(controlPlane, 'control plane');
  if (startedParts.length) await down(config, consoleReporter('start'), { parts: startedParts });
  rmSync(servicesFile, { force: true });
  rmSync(lockFile, { force: true });
  report.step('stopped');
  process.exit(0);
}

async function main(): Promise<void> {
  takeStartLock();
  await stopLeftovers();
  mkdirSync(logDir, { recursive: true });
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  token = operatorToken();

  report.step('step 1/6: the runtime (ZooKeeper, Kafka, Flink 1.12.7)');
  const stack = await up(config, report);
  startedParts.push(...stack.started.filter((p) => !startedParts.includes(p)));
  recordServices();
  const { kafkaBrokers, flinkRestUrl } = endpoints(config);

  report.step('step 2/6: topics');
  const admin = new Kafka({
    clientId: 'start',
    brokers: [kafkaBrokers],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  const compacted = new Set<string>([TOPICS.courseSchedule, TOPICS.attendance]);
  const wanted = [
    ...Object.values(TOPICS),
    dlqTopic(TOPICS.accessLog),
    dlqTopic(TOPICS.wifiLog),
    dlqTopic(TOPICS.courseSchedule),
  ].filter((t) => !existing.has(t));
  if (wanted.length) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: wanted.map((topic) => ({
        topic,
        numPartitions: config.kafkaPartitions,
        ...(compacted.has(topic)
          ? { configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }
          : {}),
      })),
    });
  }
  await admin.disconnect();
  report.info(wanted.length ? `created ${wanted.join(', ')}` : 'all topics exist');

  report.step('step 3/6: the dashboard');
  if (!existsSync(join(REPO_ROOT, 'ui', 'dist', 'index.html'))) {
    await new Promise<void>((resolve, reject) => {
      const build = spawn('npx', ['vite', 'build'], {
        cwd: join(REPO_ROOT, 'ui'),
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      build.on('exit', (code) =>
        code === 0
          ? resolve()
          : reject(new Error(`building the dashboard failed (vite build exit ${code})`)),
      );
    });
    report.info('built ui/dist');
  } else report.info('ui/dist is built');

  report.step(`step 4/6: the control plane on ${baseUrl}`);
  controlPlane = service('control-plane', ['control-plane/src/server.ts'], {
    PORT: String(port),
    OPERATOR_TOKEN: token,
    KAFKA_BROKERS: kafkaBrokers,
    FLINK_REST_URL: flinkRestUrl,
    RELAY_ALLOWED_ORIGINS:
      process.env.RELAY_ALLOWED_ORIGINS ?? `http://127.0.0.1:${port},http://localhost:${port}`,
  });
  await waitFor('the control plane', async () => (await fetch(`${baseUrl}/health`)).ok, 60_000);
  report.info(`control plane ready (log: ${join(logDir, 'control-plane.log')})`);

  report.step('step 5/6: jobs');
  const { body } = await api<{
    jobs: { name: string; file: string; state: string; drift: boolean }[];
  }>('GET', '/api/jobs', token);
  for (const job of body.jobs) {
    const file = job.file.replace(/\.sql$/, '');
    if (job.state === 'RUNNING') {
      report.info(
        `${job.name}: already running${job.drift ? ' (its file changed since: deploy it from the operator page to upgrade)' : ''}`,
      );
      continue;
    }
    let res = await api<{
      action?: string;
      jobId?: string;
      savepoint?: string | null;
      message?: string;
      error?: string;
    }>('POST', `/api/jobs/${file}/deploy`, token, { restoreLatestSavepoint: true });
    if (
      res.status === 409 &&
      (res.body.error === 'NO_SAVEPOINT' || res.body.error === 'SCRIPT_CHANGED')
    ) {
      res = await api('POST', `/api/jobs/${file}/deploy`, token, {});
    }
    if (res.status !== 200)
      throw new Error(`deploying ${job.name} failed (${res.status}): ${res.body.message}`);
    deployed.push(file);
    report.info(
      `${job.name}: started ${res.body.jobId}${res.body.savepoint ? ` from ${res.body.savepoint}` : ''}`,
    );
  }

  report.step('step 6/6: traffic');
  const demoDir = join(config.home, 'demo');
  let watcherConfig = args['watcher-config'];
  if (!watcherConfig) {
    watcherConfig = join(config.home, 'watcher.json');
    writeFileSync(
      watcherConfig,
      JSON.stringify(
        {
          kafka: { brokers: [kafkaBrokers] },
          stateId: 'demo',
          http: { port: Number(process.env.WATCHER_HTTP_PORT ?? 9464) },
          sources: [
            {
              name: 'web',
              paths: [join(demoDir, 'web', 'access.log*')],
              format: 'combined',
              topic: TOPICS.accessLog,
              timezone: 'UTC',
            },
            {
              name: 'wifi',
              paths: [join(demoDir, 'wifi', 'associations.log*')],
              format: 'wifi-json',
              topic: TOPICS.wifiLog,
              timezone: 'Asia/Shanghai',
            },
            {
              name: 'schedule',
              paths: [join(demoDir, 'schedule', 'schedule.csv')],
              format: 'schedule-csv',
              topic: TOPICS.courseSchedule,
              timezone: 'Asia/Shanghai',
            },
          ],
        },
        null,
        2,
      ),
    );
  }
  if (!args['no-demo']) {
    demo = await startDemo({ dir: demoDir, webRate: Number(process.env.DEMO_RATE ?? 50) });
    report.info(`demo traffic into ${demoDir} (${demo.sections.length} course sections)`);
  }
  watcher = service('watcher', ['watcher/dist/watcher.mjs', '--config', watcherConfig], {
    KAFKA_BROKERS: kafkaBrokers,
  });
  report.info(`watcher running with ${watcherConfig} (log: ${join(logDir, 'watcher.log')})`);

  process.stdout.write(`
  Dashboard        ${baseUrl}/
  Operator token   ${token}
  Job API docs     ${baseUrl}/docs
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
