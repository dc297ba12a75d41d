/** Helpers of the history tests: a fresh migrated database per suite, CSV reading, seeded randomness. */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { dropDatabase, ensureDatabase, migrate, withDatabase } from '@pulse/db';
import { endpoints, loadConfig } from '@pulse/stack';

/**
 * The test run's PostgreSQL: the local stack's (PG_PORT, STACK_HOST), or DATABASE_URL's. Tests
 * only ever use databases of their own on it.
 */
export const baseDatabaseUrl = endpoints(loadConfig()).databaseUrl;

/** A new database with the history schema, so tests never touch the real history. */
export async function freshDatabase(
  prefix: string,
): Promise<{ url: string; pool: pg.Pool; drop: () => Promise<void> }> {
  const url = withDatabase(baseDatabaseUrl, `${prefix}_${randomUUID().slice(0, 8)}`);
  await ensureDatabase(url);
  await migrate(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: 4,
    // Counts (bigint) as numbers, as the API gives them.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === 20 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  return {
    url,
    pool,
    drop: async () => {
      await pool.end();
      await dropDatabase(url);
    },
  };
}

/** The JDBC URL and credentials Flink's sinks need for a postgres:// URL. */
export function jdbcOf(url: string): Record<'JDBC_URL' | 'JDBC_USER' | 'JDBC_PASSWORD', string> {
  const u = new URL(url);
  return {
    JDBC_URL: `jdbc:postgresql://${u.host}${u.pathname}`,
    JDBC_USER: decodeURIComponent(u.username),
    JDBC_PASSWORD: decodeURIComponent(u.password),
  };
}

/** RFC 4180 CSV into rows of strings (quoted fields, doubled quotes, CRLF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n') {
      field = field.replace(/\r$/, '');
      endField();
      rows.push(row);
      row = [];
    } else field += c;
  }
  if (field !== '' || row.length) {
    endField();
    rows.push(row);
  }
  return rows;
}

/** JSON rows written the way CSV writes them: every value a string, null empty. */
export function asCsvRows(columns: readonly string[], rows: Record<string, unknown>[]): string[][] {
  return [
    [...columns],
    ...rows.map((r) =>
      columns.map((c) => (r[c] === null || r[c] === undefined ? '' : String(r[c]))),
    ),
  ];
}

/** A small deterministic generator, so a failing case can be rerun as it was. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
