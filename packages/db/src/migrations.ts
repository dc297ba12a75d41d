/**
 * The schema's history as plain numbered SQL files (`migrations/NNNN_name.sql`), read in order.
 * Pure file handling, kept apart from the database so it is tested without one.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CodedError } from '@pulse/kit';

/** The folder of this package's migrations. */
export const MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'migrations');

/** One migration file: its number orders it, its checksum tells whether it was edited later. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

const FILE = /^(\d+)_([a-z0-9_]+)\.sql$/;

/** Reads every `NNNN_name.sql` in `dir`, sorted by number; other files are an error, not ignored. */
export function readMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const out: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    const m = FILE.exec(file);
    if (!m) {
      throw new CodedError(
        'DB_MIGRATION_NAME',
        `${join(dir, file)}: migration files are named NNNN_lower_case_name.sql`,
      );
    }
    const sql = readFileSync(join(dir, file), 'utf8');
    out.push({
      version: Number(m[1]),
      name: m[2]!,
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    });
  }
  out.sort((a, b) => a.version - b.version);
  for (let i = 1; i < out.length; i++) {
    if (out[i]!.version === out[i - 1]!.version) {
      throw new CodedError(
        'DB_MIGRATION_DUPLICATE',
        `two migrations share number ${out[i]!.version}: ${out[i - 1]!.name} and ${out[i]!.name}`,
      );
    }
  }
  return out;
}

/** A row of the migrations table. */
export interface AppliedMigration {
  version: number;
  name: string;
  checksum: string;
}

/**
 * The migrations still to apply. An applied migration whose file changed (or disappeared) is an
 * error: the database no longer matches what the files say, and only a new migration may fix it.
 */
export function pendingMigrations(all: Migration[], applied: AppliedMigration[]): Migration[] {
  const byVersion = new Map(all.map((m) => [m.version, m]));
  for (const a of applied) {
    const file = byVersion.get(a.version);
    if (!file) {
      throw new CodedError(
        'DB_MIGRATION_MISSING',
        `the database has migration ${a.version} (${a.name}) but no file for it exists; is this checkout older than the database?`,
      );
    }
    if (file.checksum !== a.checksum) {
      throw new CodedError(
        'DB_MIGRATION_CHANGED',
        `migration ${a.version} (${a.name}) was edited after it was applied; add a new migration instead`,
      );
    }
  }
  const done = new Set(applied.map((a) => a.version));
  return all.filter((m) => !done.has(m.version));
}
