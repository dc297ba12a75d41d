/**
 * The history: the database plugin, the campus time zone the dates are read in, and the scheduled
 * pruning of minute-level rows. Routes live in routes/api/history.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import db from '../plugins/db.js';
import { HISTORY_DEFAULTS } from './constants.js';
import { schedulePruning } from './retention.js';
import { isTimeZone } from './time.js';

/** Settings of the history, each defaulting as documented in constants.ts. */
export interface HistorySettings {
  campusTimeZone: string;
  minuteRetentionDays: number;
  pruneEveryMs: number;
}

export interface HistoryPluginOptions extends Partial<HistorySettings> {
  /** Default: the configuration's databaseUrl. */
  databaseUrl?: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    history: HistorySettings;
  }
}

export default fp(
  async (fastify: FastifyInstance, options: HistoryPluginOptions) => {
    const settings: HistorySettings = {
      campusTimeZone: options.campusTimeZone ?? HISTORY_DEFAULTS.campusTimeZone,
      minuteRetentionDays: options.minuteRetentionDays ?? HISTORY_DEFAULTS.minuteRetentionDays,
      pruneEveryMs: options.pruneEveryMs ?? HISTORY_DEFAULTS.pruneEveryMs,
    };
    if (!isTimeZone(settings.campusTimeZone))
      throw new Error(`campus time zone "${settings.campusTimeZone}" is not an IANA zone`);
    await fastify.register(db, options.databaseUrl ? { databaseUrl: options.databaseUrl } : {});
    fastify.decorate('history', settings);
    const stop = schedulePruning(fastify.db, fastify.log, {
      days: settings.minuteRetentionDays,
      everyMs: settings.pruneEveryMs,
    });
    // Before the pool closes (onClose), so a pass in flight finishes first.
    fastify.addHook('preClose', stop);
  },
  { name: 'history', dependencies: ['config'] },
);
