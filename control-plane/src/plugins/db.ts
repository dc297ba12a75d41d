/**
 * The history database (PostgreSQL): one connection pool, the schema's migrations applied at boot.
 * When the database cannot be reached the rest of the control plane still serves; the history
 * answers 503 and the next request tries again (migrating first if boot could not).
 */
import fp from 'fastify-plugin';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { CodedError } from '@pulse/kit';
import { migrate } from '@pulse/db';

/** The pool behind the history, with the reads the history makes. */
export interface HistoryDb {
  pool: pg.Pool;
  /** Resolves once the schema is migrated; rejects with HISTORY_UNAVAILABLE while it cannot be. */
  ready(): Promise<void>;
  /** Rows of a parameterised query; an unreachable database is HISTORY_UNAVAILABLE (503). */
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
}

declare module 'fastify' {
  interface FastifyInstance {
    db: HistoryDb;
  }
}

export interface DbPluginOptions {
  /** Default: the configuration's databaseUrl. */
  databaseUrl?: string;
}

const INT8 = 20;
const DATE = 1082;
const TIMESTAMP = 1114;

/** Counts as numbers, dates as written, UTC `timestamp`s as ISO instants. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8) return (v: string) => Number(v);
    if (oid === DATE) return (v: string) => v;
    if (oid === TIMESTAMP) return (v: string) => new Date(`${v.replace(' ', 'T')}Z`).toISOString();
    return pg.types.getTypeParser(oid, format);
  }) as typeof pg.types.getTypeParser,
};

/** SQLSTATE classes that mean "the database is not there right now", not "the query is wrong". */
const UNAVAILABLE = /^(08|53|57P)/;

function unavailable(err: unknown): CodedError {
  return new CodedError(
    'HISTORY_UNAVAILABLE',
    `the history database cannot be reached: ${(err as Error).message}`,
    true,
    { cause: err },
  );
}

export default fp(
  async (fastify: FastifyInstance, options: DbPluginOptions) => {
    const url = options.databaseUrl ?? fastify.config.databaseUrl;
    const pool = new pg.Pool({
      connectionString: url,
      max: 10,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30_000,
      application_name: 'pulse-control-plane',
      types,
    });
    pool.on('error', (err) => fastify.log.warn({ err }, 'an idle history connection failed'));

    let migrated: Promise<void> | undefined;
    const ready = (): Promise<void> =>
      (migrated ??= migrate(url).then(
        (result) => {
          fastify.log.info(
            { applied: result.applied, migrations: result.total },
            result.applied.length ? 'history schema migrated' : 'history schema up to date',
          );
        },
        (err: unknown) => {
          migrated = undefined;
          throw (err as { code?: string }).code?.startsWith('DB_MIGRATION')
            ? err
            : unavailable(err);
        },
      ));

    const query = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => {
      await ready();
      try {
        return (await pool.query(sql, params)).rows as T[];
      } catch (err) {
        const code = (err as { code?: string }).code ?? '';
        const sqlError = /^[0-9A-Z]{5}$/.test(code);
        throw sqlError && !UNAVAILABLE.test(code) ? err : unavailable(err);
      }
    };

    fastify.decorate('db', { pool, ready, query });
    try {
      await ready();
    } catch (err) {
      fastify.log.error(
        { err },
        'history database unavailable at start; /api/history answers 503 until it is reachable',
      );
    }
    fastify.addHook('onClose', async () => {
      await pool.end();
    });
  },
  { name: 'db', dependencies: ['config'] },
);
