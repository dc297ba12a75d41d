import { isRetriable } from './errors.js';
import { RETRY_DEFAULTS } from './retry-defaults.js';
import { sleep as defaultSleep } from './time.js';

export interface RetryOptions {
  retries?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  factor?: number;
  /** Fraction of the delay randomised either way, so clients do not retry in lockstep. */
  jitter?: number;
  /** Decides whether an error is worth another attempt; default: its `retriable` flag. */
  shouldRetry?: (err: unknown) => boolean;
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** The delay before retry number `attempt` (1-based), before jitter. */
export function backoffDelay(attempt: number, options: RetryOptions = {}): number {
  const initial = options.initialDelayMs ?? RETRY_DEFAULTS.initialDelayMs;
  const factor = options.factor ?? RETRY_DEFAULTS.factor;
  const max = options.maxDelayMs ?? RETRY_DEFAULTS.maxDelayMs;
  return Math.min(max, initial * factor ** (attempt - 1));
}

/** Runs fn, retrying with exponential backoff and jitter while the error is retriable. */
export async function retry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const retries = options.retries ?? RETRY_DEFAULTS.retries;
  const jitter = options.jitter ?? RETRY_DEFAULTS.jitter;
  const shouldRetry = options.shouldRetry ?? isRetriable;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= retries || !shouldRetry(error)) throw error;
      const base = backoffDelay(attempt + 1, options);
      const delayMs = Math.max(0, Math.round(base * (1 + jitter * (2 * random() - 1))));
      options.onRetry?.({ attempt: attempt + 1, delayMs, error });
      await sleep(delayMs);
    }
  }
}
