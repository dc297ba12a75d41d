/**
 * The stack part `planner` (the SQL gateway's planner) in a private runtime folder on a spare port:
 * it starts from a copy of the runner jar, answers /health, shows in status, and down stops it.
 * It needs no broker or cluster to start (it reaches Flink only when a preview is submitted).
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pidAlive } from '@pulse/kit';
import { loadConfig } from '../src/config.js';
import { spareStackEnv } from '../src/health.js';
import { silentReporter } from '../src/log.js';
import { buildParts, paths, RUNNER_JAR } from '../src/parts.js';
import { readPidFile } from '../src/process.js';
import { down, status, up } from '../src/stack.js';

describe.skipIf(!existsSync(RUNNER_JAR))('stack part planner', async () => {
  const home = mkdtempSync(join(tmpdir(), 'stack-planner-'));
  const config = loadConfig({ ...process.env, ...(await spareStackEnv(home)) });

  afterAll(async () => {
    await down(config, silentReporter, { purge: true });
  });

  it('starts on PLANNER_PORT from its own copy of the runner jar and answers /health', async () => {
    const result = await up(config, silentReporter, { parts: ['planner'] });
    expect(result.started).toEqual(['planner']);
    expect(result.endpoints.plannerUrl).toBe(`http://127.0.0.1:${config.plannerPort}`);
    const health = (await (await fetch(`${result.endpoints.plannerUrl}/health`)).json()) as unknown;
    expect(health).toEqual({ flinkVersion: '1.12.7', sessions: 0 });
    expect(readdirSync(paths(config).planner)).toEqual([
      expect.stringMatching(/^sql-runner-\d+\.jar$/),
    ]);
    const row = (await status(config)).find((r) => r.part === 'planner');
    expect(row).toMatchObject({
      running: true,
      healthy: true,
      port: config.plannerPort,
      health: 'answering, Flink 1.12.7, 0 sessions',
      log: join(home, 'logs', 'planner.log'),
    });
  });

  it('is stopped by down', async () => {
    const pid = readPidFile(buildParts(config).planner.pidFile)!.pid;
    expect(await down(config, silentReporter, { parts: ['planner'] })).toEqual(['planner']);
    expect(pidAlive(pid)).toBe(false);
    expect((await status(config)).find((r) => r.part === 'planner')).toMatchObject({
      running: false,
      healthy: false,
    });
  });
});
