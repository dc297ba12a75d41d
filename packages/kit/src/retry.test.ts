import { describe, expect, it } from 'vitest';
import { CodedError } from './errors.js';
import { retry } from './retry.js';
import { backoffDelay, jitteredDelay } from './backoff.js';

describe('retry', () => {
  it('retries retriable failures with growing delays until it succeeds', async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await retry(
      async () => {
        calls++;
        if (calls < 4) throw new CodedError('BUSY', 'try later', true);
        return 'done';
      },
      { sleep: async (ms) => void delays.push(ms), random: () => 0.5, initialDelayMs: 100 },
    );
    expect(result).toBe('done');
    expect(calls).toBe(4);
    expect(delays).toEqual([100, 200, 400]);
  });

  it('gives up at once on an error that is not retriable', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new CodedError('BAD_REQUEST', 'no', false);
        },
        { sleep: async () => {} },
      ),
    ).rejects.toThrow('no');
    expect(calls).toBe(1);
  });

  it('stops after the configured number of retries and keeps the last error', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new CodedError('DOWN', `attempt ${calls}`, true);
        },
        { retries: 2, sleep: async () => {} },
      ),
    ).rejects.toThrow('attempt 3');
    expect(calls).toBe(3);
  });

  it('caps the delay and spreads it with jitter', () => {
    expect(backoffDelay(20, { initialDelayMs: 200, maxDelayMs: 5000 })).toBe(5000);
    // ±20 %: the lowest and highest random draws bound the spread.
    expect(jitteredDelay(1, { initialDelayMs: 1000 }, () => 0)).toBe(800);
    expect(jitteredDelay(1, { initialDelayMs: 1000 }, () => 1)).toBe(1200);
    expect(jitteredDelay(3, { initialDelayMs: 1000, jitter: 0 })).toBe(4000);
  });
});
