/** Connection helpers shared by the launcher, the control plane and the tests. */
import pg from 'pg';

/** The database the local stack serves: user and password `postgres`, database `pulse`. */
export function localDatabaseUrl(host: string, port: number): string {
  return `postgresql://postgres:postgres@${host}:${port}/pulse`;
}

/** The same server with another database (e.g. `postgres`, which always exists). */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/**
 * The database tests use beside a URL's (`pulse` → `pulse_test`): jobs deployed by tests write
 * their history there, never into the history a developer's running system keeps.
 */
export function testDatabaseUrl(url: string): string {
  return withDatabase(url, `${databaseName(url)}_test`);
}

/** The database a URL names. */
export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
}

/** Runs `fn` with one short-lived client; connection failures reject. */
export async function withClient<T>(
  url: string,
  fn: (client: pg.Client) => Promise<T>,
  timeoutMs = 5000,
): Promise<T> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    application_name: 'pulse',
  });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** The server's version when it accepts the URL's credentials, else undefined. */
export async function serverVersion(url: string, timeoutMs = 3000): Promise<string | undefined> {
  try {
    return await withClient(
      url,
      async (c) =>
        (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v,
      timeoutMs,
    );
  } catch {
    return undefined;
  }
}

/** Creates the URL's database when it does not exist yet (needs the right to create databases). */
export async function ensureDatabase(url: string): Promise<boolean> {
  const name = databaseName(url);
  return withClient(withDatabase(url, 'postgres'), async (c) => {
    const found = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    await c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    return true;
  });
}

/** Drops a database (tests create one per run); connections to it are ended first. */
export async function dropDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  await withClient(withDatabase(url, 'postgres'), async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  });
}
