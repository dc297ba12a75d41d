import { mkdtempSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLines } from './lines.js';

async function read(content: Buffer | string, from = 0, maxBytes = 1 << 20, limit = 1 << 20) {
  const file = join(mkdtempSync(join(tmpdir(), 'lines-')), 'f.log');
  writeFileSync(file, content);
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const r = await readLines(fh, from, size, maxBytes, limit);
    return {
      next: r.next,
      lines: r.lines.map((l) => [l.offset, l.bytes.toString('latin1'), l.oversize]),
    };
  } finally {
    await fh.close();
  }
}

describe('readLines', () => {
  it('returns complete lines with their byte offsets and leaves a partial last line for later', async () => {
    expect(await read('ab\ncdé\nhalf')).toEqual({
      next: 8,
      lines: [
        [0, 'ab', false],
        [3, 'cd\xc3\xa9', false],
      ],
    });
  });

  it('resumes from a position', async () => {
    expect(await read('ab\ncd\nef\n', 3)).toEqual({
      next: 9,
      lines: [
        [3, 'cd', false],
        [6, 'ef', false],
      ],
    });
  });

  it('cuts a line over the limit at the limit, flagged, only once its end has arrived', async () => {
    const long = 'x'.repeat(1000);
    expect(await read(`${long}\nok\n`, 0, 1 << 20, 100)).toEqual({
      next: 1004,
      lines: [
        [0, 'x'.repeat(100), true],
        [1001, 'ok', false],
      ],
    });
    expect(await read(`ok\n${long}`, 0, 1 << 20, 100)).toEqual({
      next: 3,
      lines: [[0, 'ok', false]],
    });
  });

  it('handles lines longer than its read chunk', async () => {
    const long = 'y'.repeat(600 * 1024);
    const r = await read(`${long}\nz\n`);
    expect(r.next).toBe(long.length + 3);
    expect(r.lines.map((l) => [l[0], (l[1] as string).length, l[2]])).toEqual([
      [0, long.length, false],
      [long.length + 1, 1, false],
    ]);
  });

  it('stops after about maxBytes so a batch stays bounded', async () => {
    const text =
      Array.from({ length: 100 }, (_, i) => `line-${String(i).padStart(3, '0')}`).join('\n') + '\n';
    const r = await read(text, 0, 50);
    expect(r.lines).toHaveLength(6); // 9 bytes each with the newline: the sixth crosses 50 bytes
    expect(r.next).toBe(54);
  });
});
