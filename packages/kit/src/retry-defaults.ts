/** Defaults for retry(): five attempts, 200 ms doubling to at most 5 s, with ±20 % jitter. */
export const RETRY_DEFAULTS = {
  retries: 5,
  initialDelayMs: 200,
  maxDelayMs: 5_000,
  factor: 2,
  jitter: 0.2,
} as const;
