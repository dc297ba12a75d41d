/**
 * Applies the pending migrations to a database, in order, each in its own transaction. Several
 * processes may start at once (the launcher after `up`, the control plane at boot): a session
 * advisory lock lets one apply while the others wait and then find nothing left to do.
 */
import pg from 'pg';
import { CodedError } from '@pulse/kit';
import {
  pendingMigrations,
  readMigrations,
  type AppliedMigration,
  type Migration,
} from './migrations.js';

/** Any number that no other code uses as an advisory lock key. */
const LOCK_KEY = 7_204_113_001;

/** What a migration run did. */
export interface MigrateResult {
  applied: { version: number; name: string }[];
  /** How many migrations the database has now. */
  total: number;
}

/** Applies pending migrations (from `migrations`, default this package's) to the database at `url`. */
export async function migrate(
  url: string,
  migrations: Migration[] = readMigrations(),
): Promise<MigrateResult> {
  const client = new pg.Client({
    connectionString: url,
    application_name: 'pulse-migrate',
    connectionTimeoutMillis: 10_000,
  });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const { rows } = await client.query<AppliedMigration>(
        'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
      );
      const applied: MigrateResult['applied'] = [];
      for (const m of pendingMigrations(migrations, rows)) {
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query(
            'INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)',
            [m.version, m.name, m.checksum],
          );
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => {});
          throw new MigrationError(m, err);
        }
        applied.push({ version: m.version, name: m.name });
      }
      return { applied, total: rows.length + applied.length };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => {});
    }
  } finally {
    await client.end().catch(() => {});
  }
}

/** A migration PostgreSQL refused; nothing of it was applied. */
export class MigrationError extends CodedError {
  constructor(migration: Migration, cause: unknown) {
    super(
      'DB_MIGRATION_FAILED',
      `migration ${migration.version} (${migration.name}) failed and was rolled back: ${(cause as Error).message}`,
      false,
      { cause },
    );
    this.name = 'MigrationError';
  }
}
