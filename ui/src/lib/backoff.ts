/** Reconnect delay for attempt `n` (0-based): doubling from `initialMs` up to `maxMs`, ±20 % jitter. */
export function reconnectDelay(
  n: number,
  initialMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(maxMs, initialMs * 2 ** n);
  return Math.round(base * (0.8 + 0.4 * random()));
}
