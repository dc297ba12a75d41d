/**
 * The launcher against real processes: a private ZooKeeper + Kafka pair on spare ports in a
 * temporary runtime folder, so a running development stack is not touched.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, type StackConfig } from '../src/config.js';
import { silentReporter } from '../src/log.js';
import { down, status, up } from '../src/stack.js';
import { pidAlive as isAlive, sleep } from '@pulse/kit';
import { readPidFile } from '../src/process.js';
import { buildParts } from '../src/parts.js';
import { spareStackEnv } from '../src/health.js';

// A stopped child of this process may linger as a zombie for a moment: that is not alive.
const alive = isAlive;

describe('stack launcher', async () => {
  const home = mkdtempSync(join(tmpdir(), 'stack-test-'));
  const env = { ...process.env, ...(await spareStackEnv(home)) };
  const config: StackConfig = loadConfig(env);
  const parts = ['zookeeper', 'kafka'] as const;

  afterAll(async () => {
    await down(config, silentReporter, { purge: true });
  });

  it('starts ZooKeeper and a Kafka broker that serves metadata, creating topics with 3 partitions', async () => {
    const result = await up(config, silentReporter, { parts });
    expect(result.started).toEqual(['zookeeper', 'kafka']);
    const rows = await status(config);
    const kafkaRow = rows.find((r) => r.part === 'kafka')!;
    expect(kafkaRow).toMatchObject({ running: true, healthy: true, port: config.kafkaPort });
    expect(rows.find((r) => r.part === 'jobmanager')).toMatchObject({
      running: false,
      healthy: false,
    });

    const admin = new Kafka({
      clientId: 'launcher-test',
      brokers: [result.endpoints.kafkaBrokers],
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'launcher-check' }], waitForLeaders: true });
    const meta = await admin.fetchTopicMetadata({ topics: ['launcher-check'] });
    await admin.disconnect();
    expect(meta.topics[0]?.partitions).toHaveLength(3);
  });

  it('is idempotent: a second up starts nothing and keeps the same processes', async () => {
    const before = readPidFile(buildParts(config).kafka.pidFile)?.pid;
    const again = await up(config, silentReporter, { parts });
    expect(again.started).toEqual([]);
    expect(readPidFile(buildParts(config).kafka.pidFile)?.pid).toBe(before);
  });

  it('starts a SIGKILLed broker again at once, waiting out its stale ZooKeeper registration', async () => {
    const kafka = buildParts(config).kafka;
    const pid = readPidFile(kafka.pidFile)!.pid;
    process.kill(pid, 'SIGKILL');
    while (alive(pid)) await sleep(100);
    const log: string[] = [];
    const result = await up(config, { ...silentReporter, info: (m) => log.push(m) }, { parts });
    expect(result.started).toEqual(['kafka']);
    expect((await status(config)).find((r) => r.part === 'kafka')).toMatchObject({
      running: true,
      healthy: true,
    });
    // The broker's registration outlives it by the session timeout: the first start fails.
    expect(log.join('\n')).toMatch(/ZooKeeper session has not expired yet; trying again/);
  }, 120_000);

  it('refuses to start over a port another process holds, naming the part', async () => {
    const other = loadConfig({
      ...env,
      STACK_HOME: mkdtempSync(join(tmpdir(), 'stack-test-other-')),
    });
    await expect(up(other, silentReporter, { parts: ['zookeeper'] })).rejects.toThrow(
      /zookeeper: port 127\.0\.0\.1:\d+ is taken/,
    );
    await down(other, silentReporter, { purge: true });
  });

  it('down stops exactly the processes up started, and --purge removes the runtime folder', async () => {
    const pids = parts.map((p) => readPidFile(buildParts(config)[p].pidFile)!.pid);
    expect(pids.every(alive)).toBe(true);
    const stopped = await down(config, silentReporter, { purge: true });
    expect(stopped.sort()).toEqual(['kafka', 'zookeeper']);
    expect(pids.some(alive)).toBe(false);
    expect(existsSync(home)).toBe(false);
  });
});
