/**
 * The README's start command, end to end, on a fresh runtime folder and spare ports: the dashboard
 * comes up, every job runs in Flink, the relay delivers PV/UV windows and attendance rows made from
 * the demo traffic; a second start refuses; Ctrl-C leaves no process behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { freePort, loadConfig, REPO_ROOT, spareStackEnv, status } from '@pulse/stack';

/** Processes whose environment or command line mention the runtime folder: what this run started. */
function processesOf(home: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter(
    (p) => /^\d+$/.test(p) && Number(p) !== process.pid,
  )) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (cmdline.includes(home) || environ.includes(`STACK_HOME=${home}`))
        found.push(`${pid} ${cmdline.slice(0, 120)}`);
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** Distinct live keys per compacted topic (read_committed), once they reach `want` or after 60 s. */
async function tableKeys(
  kafka: Kafka,
  topics: string[],
  want: Record<string, number>,
): Promise<Record<string, number>> {
  const keys = new Map(topics.map((t) => [t, new Set<string>()]));
  const consumer = kafka.consumer({ groupId: `start-test-tables-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const key = message.key!.toString();
      if (message.value) keys.get(topic)!.add(key);
      else keys.get(topic)!.delete(key);
    },
  });
  const count = () => Object.fromEntries([...keys].map(([t, k]) => [t, k.size]));
  const deadline = Date.now() + 60_000;
  while (JSON.stringify(count()) !== JSON.stringify(want) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 500));
  await consumer.disconnect();
  return count();
}

describe('npm start', async () => {
  const home = mkdtempSync(join(tmpdir(), 'pulse-start-'));
  const cpPort = await freePort();
  const env = {
    ...process.env,
    ...(await spareStackEnv(home)),
    CONTROL_PLANE_PORT: String(cpPort),
    WATCHER_HTTP_PORT: String(await freePort()),
    // Short windows so closed PV/UV windows arrive within the test.
    JOB_VARIABLES: 'WINDOW_SIZE=10;WINDOW_SLIDE=5;WATERMARK_DELAY=3;CHECKPOINT_INTERVAL=2 s',
    DEMO_RATE: '40',
    STACK_EXTERNAL: '',
  };
  const base = `http://127.0.0.1:${cpPort}`;
  let start: ChildProcess | undefined;
  let output = '';

  afterAll(async () => {
    if (start && processesOf(home).length > 0) {
      try {
        process.kill(-start.pid!, 'SIGINT');
      } catch {
        // the group is gone already
      }
      await new Promise((r) => setTimeout(r, 30_000));
    }
  });

  it('starts everything, shows live numbers through the relay, refuses a second copy, and stops cleanly on Ctrl-C', async () => {
    // Its own process group, as in a terminal: Ctrl-C goes to the group.
    start = spawn('npm', ['start'], {
      cwd: REPO_ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    start.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    start.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 300_000;
    while (!output.includes('Ready.') && Date.now() < deadline && start.exitCode === null)
      await new Promise((r) => setTimeout(r, 1000));
    expect(output, output).toContain('Ready.');
    expect(output).toContain(`Dashboard        ${base}/`);
    const token = /Operator token\s+(\S+)/.exec(output)?.[1];
    expect(token).toBeTruthy();

    // The topics npm start provisioned have the catalog's settings: a DLQ takes a refused line
    // of 1 MiB with its context, and the attendance table is compacted.
    const kafka = new Kafka({
      clientId: 'start-test',
      brokers: [`127.0.0.1:${env.KAFKA_PORT}`],
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'access_log.dlq',
      messages: [
        {
          key: 'big.log:0',
          value: JSON.stringify({ raw: 'x'.repeat(1024 * 1024), reason: 'line too long' }),
        },
      ],
    });
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'attendance' }],
    });
    await admin.disconnect();
    expect(
      resources[0]?.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue,
    ).toBe('compact');

    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app"');

    const jobs = (await (await fetch(`${base}/api/jobs`)).json()) as {
      jobs: { name: string; state: string }[];
    };
    // Every job file of the checkout is deployed.
    const files = readdirSync(join(REPO_ROOT, 'jobs', 'sql'))
      .filter((f) => f.endsWith('.sql'))
      .map((f) => f.replace(/\.sql$/, ''))
      .sort();
    expect(jobs.jobs.map((j) => j.name).sort()).toEqual(files);
    expect(jobs.jobs.every((j) => j.state === 'RUNNING')).toBe(true);

    // The relay: PV/UV windows and attendance rows produced from the demo traffic.
    const ws = new WebSocket(`ws://127.0.0.1:${cpPort}/ws`, { origin: base });
    const rows = {
      pvuv: new Map<string, { pv: number; uv: number }>(),
      attendance: new Map<string, { present: number; enrolled: number; rate: number }>(),
    };
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `relay delivered ${rows.pvuv.size} windows and ${rows.attendance.size} attendance rows`,
            ),
          ),
        180_000,
      );
      ws.on('open', () => {
        ws.send(JSON.stringify({ type: 'subscribe', channel: 'pvuv' }));
        ws.send(JSON.stringify({ type: 'subscribe', channel: 'attendance' }));
      });
      ws.on('message', (data) => {
        const msg = JSON.parse(data.toString()) as {
          type: string;
          channel: string;
          rows?: { key: string; row: never }[];
          key?: string;
          row?: never;
          op?: string;
        };
        const target =
          msg.channel === 'pvuv'
            ? rows.pvuv
            : msg.channel === 'attendance'
              ? rows.attendance
              : undefined;
        if (!target) return;
        if (msg.type === 'snapshot') for (const r of msg.rows ?? []) target.set(r.key, r.row);
        if (msg.type === 'update' && msg.op === 'upsert' && msg.key) target.set(msg.key, msg.row!);
        if (rows.pvuv.size > 0 && [...rows.attendance.values()].some((r) => r.present > 0)) {
          clearTimeout(timer);
          resolve();
        }
      });
      ws.on('error', reject);
    });
    ws.close();
    const window = [...rows.pvuv.values()][0]!;
    expect(window.pv).toBeGreaterThan(0);
    expect(window.uv).toBeGreaterThan(0);
    expect(window.uv).toBeLessThanOrEqual(window.pv);
    // A class just begun can have a row with nobody present yet; one with people present arrives.
    const attendance = [...rows.attendance.values()].find((r) => r.present > 0)!;
    expect(attendance.present).toBeGreaterThan(0);
    expect(attendance.rate).toBeCloseTo(attendance.present / attendance.enrolled, 10);

    // The demo's registry, rosters and calendar reach their topics through the watcher alone
    // (its npm start config lists them): one record per row of each file, keyed as the job reads.
    const tables = {
      device_registry: 'registry.csv',
      class_roster: 'rosters.csv',
      term_calendar: 'calendar.csv',
    };
    const expected = Object.fromEntries(
      Object.entries(tables).map(([topic, file]) => [
        topic,
        readFileSync(join(home, 'demo', 'campus', file), 'utf8')
          .trim()
          .split('\n').length - 1,
      ]),
    );
    expect(await tableKeys(kafka, Object.keys(tables), expected)).toEqual(expected);

    // A second start on the same runtime folder refuses, and says why.
    const second = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'start.ts')],
      { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let secondOut = '';
    second.stderr!.on('data', (d: Buffer) => (secondOut += d.toString()));
    const secondCode = await new Promise<number | null>((r) =>
      second.on('exit', (code) => r(code)),
    );
    expect(secondCode).toBe(3);
    expect(secondOut).toContain('already running');

    // Self-healing: kill -9 of the TaskManager. The supervisor starts it again, says so on the
    // operator page's feed, and the jobs come back RUNNING from their checkpoints, with every PV/UV
    // window still in the output exactly once.
    const stackConfig = loadConfig(env);
    const tm = (await status(stackConfig)).find((p) => p.part === 'taskmanager');
    expect(tm?.pid).toBeGreaterThan(0);
    const killedAt = Date.now();
    process.kill(tm!.pid!, 'SIGKILL');
    const healDeadline = Date.now() + 90_000;
    let healed = false;
    let events: { part: string; event: string }[] = [];
    while (!healed && Date.now() < healDeadline) {
      await new Promise((r) => setTimeout(r, 2000));
      events = (
        (await (await fetch(`${base}/api/runtime/events`)).json()) as { events: typeof events }
      ).events;
      const listed = (await (await fetch(`${base}/api/jobs`)).json()) as {
        jobs: { state: string }[];
      };
      healed =
        events.some((e) => e.part === 'taskmanager' && e.event === 'restarted') &&
        listed.jobs.every((j) => j.state === 'RUNNING');
    }
    expect(events.map((e) => `${e.part} ${e.event}`)).toContain('taskmanager crashed');
    expect(healed, JSON.stringify(events)).toBe(true);
    // Windows closed after the recovery arrive, and none is written twice (read committed).
    const consumer = kafka.consumer({
      groupId: `start-test-${Date.now()}`,
      readUncommitted: false,
    });
    await consumer.connect();
    await consumer.subscribe({ topic: 'pvuv', fromBeginning: true });
    const seen = new Map<string, number>();
    let newest = 0;
    await consumer.run({
      eachMessage: async ({ message }) => {
        const row = JSON.parse(message.value!.toString()) as {
          window_start: string;
          window_end: string;
        };
        const key = `${row.window_start}/${row.window_end}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
        newest = Math.max(newest, Date.parse(row.window_end));
      },
    });
    const windowsDeadline = Date.now() + 90_000;
    while (newest <= killedAt && Date.now() < windowsDeadline)
      await new Promise((r) => setTimeout(r, 1000));
    await consumer.disconnect();
    expect(newest).toBeGreaterThan(killedAt);
    expect([...seen].filter(([, n]) => n > 1)).toEqual([]);

    // Ctrl-C: everything it started stops, in order, and nothing is left.
    // (npm itself exits on the signal at once; the start script goes on stopping things in order.)
    process.kill(-start.pid!, 'SIGINT');
    const stopDeadline = Date.now() + 120_000;
    while (!/\] stopped\n/.test(output) && Date.now() < stopDeadline)
      await new Promise((r) => setTimeout(r, 500));
    expect(output).toMatch(/SIGINT: stopping what this run started/);
    const order = [
      'demo traffic stopped',
      'watcher stopped',
      'job attendance:',
      'control plane stopped',
      'taskmanager: stopped',
      'zookeeper: stopped',
      '] stopped',
    ];
    const positions = order.map((line) => output.indexOf(line));
    expect(
      positions.every((p) => p >= 0),
      output.slice(-2000),
    ).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    await new Promise((r) => setTimeout(r, 1000));
    expect(processesOf(home)).toEqual([]);
  });
});
