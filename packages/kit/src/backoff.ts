/**
 * Exponential backoff with jitter, the one way every part waits between attempts (the retry
 * helper, the watcher's reconnects, the dashboard's WebSocket reconnects). No Node APIs: the
 * browser imports it as `@pulse/kit/backoff`.
 */
import { RETRY_DEFAULTS } from './retry-defaults.js';

export interface BackoffOptions {
  initialDelayMs?: number;
  maxDelayMs?: number;
  factor?: number;
  /** Fraction of the delay randomised either way, so clients do not retry in lockstep. */
  jitter?: number;
}

/** The delay before retry number `attempt` (1-based), before jitter. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const initial = options.initialDelayMs ?? RETRY_DEFAULTS.initialDelayMs;
  const factor = options.factor ?? RETRY_DEFAULTS.factor;
  const max = options.maxDelayMs ?? RETRY_DEFAULTS.maxDelayMs;
  return Math.min(max, initial * factor ** (attempt - 1));
}

/** The delay before retry number `attempt` (1-based), spread by the jitter. */
export function jitteredDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const jitter = options.jitter ?? RETRY_DEFAULTS.jitter;
  const base = backoffDelay(attempt, options);
  return Math.max(0, Math.round(base * (1 + jitter * (2 * random() - 1))));
}
