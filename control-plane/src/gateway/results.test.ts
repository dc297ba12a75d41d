import { describe, expect, it } from 'vitest';
import { ResultBuffer } from './results.js';
import { row } from './testing.js';

describe('result paging', () => {
  it('pages rows in order, gives a retried token the same page, and ends with EOS', () => {
    const buffer = new ResultBuffer(2);
    buffer.append([row('a'), row('b'), row('c')]);
    const first = buffer.fetch(0);
    expect(first).toEqual({ type: 'PAYLOAD', rows: [row('a'), row('b')], nextToken: 1 });
    expect(buffer.fetch(0)).toEqual(first); // the answer was lost: same page again
    expect(buffer.fetch(1)).toEqual({ type: 'PAYLOAD', rows: [row('c')], nextToken: 2 });
    expect(buffer.fetch(2)).toEqual({ type: 'PAYLOAD', rows: [], nextToken: 3 }); // nothing yet
    buffer.append([row('d')]);
    buffer.end();
    buffer.append([row('after the end')]);
    expect(buffer.fetch(3)).toEqual({ type: 'PAYLOAD', rows: [row('d')], nextToken: 4 });
    expect(buffer.fetch(4)).toEqual({ type: 'EOS', rows: [], nextToken: null });
    expect(buffer.fetch(4).type).toBe('EOS');
    expect(buffer.total).toBe(4);
  });

  it('refuses a token that is neither the current nor the previous one, as Flink does', () => {
    const buffer = new ResultBuffer(10);
    expect(() => buffer.fetch(3)).toThrow('Expecting token to be 0, but found 3.');
    buffer.fetch(0);
    buffer.fetch(1);
    expect(() => buffer.fetch(0)).toThrow('Expecting token to be 2 or 1, but found 0.');
  });

  it('keeps a changelog as it came: updates and deletes stay rows of their own', () => {
    const buffer = new ResultBuffer(10);
    const changes = [
      row('/a', 1),
      { kind: 'UPDATE_BEFORE' as const, fields: ['/a', 1] },
      { kind: 'UPDATE_AFTER' as const, fields: ['/a', 2] },
      { kind: 'DELETE' as const, fields: ['/a', 2] },
    ];
    buffer.append(changes);
    expect(buffer.fetch(0).rows.map((r) => r.kind)).toEqual([
      'INSERT',
      'UPDATE_BEFORE',
      'UPDATE_AFTER',
      'DELETE',
    ]);
  });

  it('wakes a waiting fetch as soon as rows arrive, and gives up after the wait', async () => {
    const buffer = new ResultBuffer(10);
    const t0 = Date.now();
    await buffer.waitForRows(50);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
    setTimeout(() => buffer.append([row('x')]), 10);
    const t1 = Date.now();
    await buffer.waitForRows(5000);
    expect(Date.now() - t1).toBeLessThan(1000);
    expect(buffer.wouldWait(0)).toBe(false);
  });
});
