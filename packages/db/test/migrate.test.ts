/**
 * Migrations against the real PostgreSQL: a fresh database gets the history tables with their keys,
 * a second run (or two at once) applies nothing twice, and a failing migration leaves no trace.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import {
  dropDatabase,
  ensureDatabase,
  localDatabaseUrl,
  migrate,
  readMigrations,
  withClient,
  withDatabase,
} from '../src/index.js';

// The stack's PostgreSQL, as its launcher configures it (this package sits below the launcher).
const base =
  process.env.DATABASE_URL ||
  localDatabaseUrl(process.env.STACK_HOST || '127.0.0.1', Number(process.env.PG_PORT || 5432));
const url = withDatabase(base, `pulse_migrate_${randomUUID().slice(0, 8)}`);

describe('migrate', () => {
  afterAll(async () => {
    await dropDatabase(url);
  });

  it('creates the history tables with their primary keys on a fresh database', async () => {
    expect(await ensureDatabase(url)).toBe(true);
    const result = await migrate(url);
    expect(result.applied.map((m) => m.version)).toEqual(readMigrations().map((m) => m.version));
    const keys = await withClient(
      url,
      async (c) =>
        (
          await c.query<{ table: string; columns: string }>(`
          SELECT tc.table_name AS table, string_agg(kcu.column_name, ',' ORDER BY kcu.ordinal_position) AS columns
          FROM information_schema.table_constraints tc
          JOIN information_schema.key_column_usage kcu USING (constraint_name, table_name)
          WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = 'public'
          GROUP BY tc.table_name ORDER BY tc.table_name`)
        ).rows,
    );
    expect(keys).toEqual([
      { table: 'attendance', columns: 'course_id,section,class_date' },
      { table: 'pvuv_window', columns: 'window_start,window_end' },
      { table: 'schema_migrations', columns: 'version' },
      { table: 'traffic_day', columns: 'campus_day' },
      { table: 'traffic_hour', columns: 'bucket_start' },
      { table: 'traffic_minute', columns: 'bucket_start' },
    ]);
  });

  it('applies nothing twice, also when two processes migrate at once', async () => {
    const [a, b] = await Promise.all([migrate(url), migrate(url)]);
    expect([a.applied, b.applied]).toEqual([[], []]);
    const count = await withClient(url, async (c) =>
      Number((await c.query('SELECT count(*) AS n FROM schema_migrations')).rows[0].n),
    );
    expect(count).toBe(readMigrations().length);
  });

  it('rolls a failing migration back whole and names it', async () => {
    const own = readMigrations();
    const bad = {
      version: 9999,
      name: 'broken',
      sql: 'CREATE TABLE half_done (x int); SELECT no_such_column FROM half_done;',
      checksum: 'x',
    };
    await expect(migrate(url, [...own, bad])).rejects.toThrow(
      /migration 9999 \(broken\) failed and was rolled back: column "no_such_column" does not exist/,
    );
    const left = await withClient(url, async (c) => ({
      table: (await c.query("SELECT to_regclass('half_done') AS t")).rows[0].t,
      row: (await c.query('SELECT 1 FROM schema_migrations WHERE version = 9999')).rowCount,
    }));
    expect(left).toEqual({ table: null, row: 0 });
  });
});
