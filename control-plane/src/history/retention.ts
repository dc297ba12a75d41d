/**
 * Retention: minute-level rows (traffic_minute, pvuv_window) are deleted once older than the
 * configured number of days; hourly and daily traffic and attendance are kept. Pruning runs at
 * start and then on a timer, and logs what it removed.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { HistoryDb } from '../plugins/db.js';
import { MINUTE_TABLES } from './constants.js';

/** Rows removed per table by one pruning pass. */
export type PruneResult = Record<(typeof MINUTE_TABLES)[number]['table'], number>;

/** Deletes minute-level rows older than `days` before `now`. */
export async function pruneHistory(
  db: HistoryDb,
  days: number,
  now = Date.now(),
): Promise<PruneResult> {
  const cutoff = new Date(now - days * 86_400_000).toISOString().slice(0, 23).replace('T', ' ');
  const out = {} as PruneResult;
  for (const { table, column } of MINUTE_TABLES) {
    const rows = await db.query<{ n: number }>(
      `WITH gone AS (DELETE FROM ${table} WHERE ${column} < $1 RETURNING 1) SELECT count(*)::int AS n FROM gone`,
      [cutoff],
    );
    out[table] = rows[0]?.n ?? 0;
  }
  return out;
}

/** Runs pruning now and every `everyMs`; returns the function that stops it. */
export function schedulePruning(
  db: HistoryDb,
  log: FastifyBaseLogger,
  options: { days: number; everyMs: number },
): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  const pass = () => {
    running = running.then(async () => {
      const started = Date.now();
      try {
        const removed = await pruneHistory(db, options.days);
        log.info(
          { removed, retentionDays: options.days, ms: Date.now() - started },
          'history pruned: minute-level rows past retention removed',
        );
      } catch (err) {
        log.warn({ err }, 'history pruning failed; it runs again on the next tick');
      }
    });
  };
  pass();
  const timer = setInterval(pass, options.everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
