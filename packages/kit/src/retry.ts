import { isRetriable } from './errors.js';
import { RETRY_DEFAULTS } from './retry-defaults.js';
import { jitteredDelay, type BackoffOptions } from './backoff.js';
import { sleep as defaultSleep } from './time.js';

export interface RetryOptions extends BackoffOptions {
  retries?: number;
  /** Decides whether an error is worth another attempt; default: its `retriable` flag. */
  shouldRetry?: (err: unknown) => boolean;
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** Runs fn, retrying with exponential backoff and jitter while the error is retriable. */
export async function retry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const retries = options.retries ?? RETRY_DEFAULTS.retries;
  const shouldRetry = options.shouldRetry ?? isRetriable;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= retries || !shouldRetry(error)) throw error;
      const delayMs = jitteredDelay(attempt + 1, options, random);
      options.onRetry?.({ attempt: attempt + 1, delayMs, error });
      await sleep(delayMs);
    }
  }
}
