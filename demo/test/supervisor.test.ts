import { describe, expect, it } from 'vitest';
import { RestartCounter, restartDelay } from '../../scripts/start/supervisor.js';

describe('npm start supervisor', () => {
  it('waits longer after each crash in a row, up to a minute', () => {
    const mid = () => 0.5; // no jitter
    expect([1, 2, 3, 4, 7, 8, 20].map((n) => restartDelay(n, mid))).toEqual([
      1_000, 2_000, 4_000, 8_000, 60_000, 60_000, 60_000,
    ]);
    expect(restartDelay(1, () => 0)).toBe(800);
    expect(restartDelay(1, () => 1)).toBe(1200);
  });

  it('counts restarts in a row and starts over once a part stayed up a minute', () => {
    const c = new RestartCounter();
    c.started(0);
    expect(c.crashed(5_000)).toBe(1);
    c.started(6_000);
    expect(c.crashed(10_000)).toBe(2); // crashed again within a minute
    c.started(12_000);
    expect(c.crashed(12_000 + 61_000)).toBe(1); // it had been stable
  });
});
