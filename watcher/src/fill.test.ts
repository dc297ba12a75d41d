import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Batch } from './batch.js';
import type { LineSourceConfig } from './config.js';
import {
  fillFromFiles,
  nextStep,
  RECORD_OVERHEAD_BYTES,
  STEP_LINES,
  type FillOptions,
} from './fill.js';
import { unpackStrings } from './packed.js';
import { FileTracker } from './tracking.js';

const line = (n: number) =>
  `10.0.0.${n % 250} - - [01/Jan/2026:00:00:${String(n % 60).padStart(2, '0')} +0000] "GET /n/${n} HTTP/1.1" 200 5 "-" "UA"\n`;

const trackers: FileTracker[] = [];
afterEach(async () => {
  for (const t of trackers.splice(0)) await t.closeAll();
});

async function tracked(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'fill-'));
  const source: LineSourceConfig = {
    name: 'web',
    paths: [join(dir, 'access*.log')],
    format: 'combined',
    topic: 'access_log',
    timezone: 'UTC',
    visitorId: 'ip',
    republishIntervalMs: 0,
    maxFutureSkewMs: null,
    maxAgeMs: null,
    heartbeatMs: null,
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const tracker = new FileTracker([source], {
    log: pino({ level: 'silent' }),
    bytesBehind: new Map(),
  });
  trackers.push(tracker);
  await tracker.scan();
  return { dir, tracker };
}

function options(limits = { maxRecords: 1000, maxBytes: 1 << 20 }) {
  const counted = { lines: 0, dlq: 0 };
  const o: FillOptions = {
    limits,
    maxLineBytes: 4096,
    maxRecordBytes: 1_000_000,
    onLines: (_s, n) => (counted.lines += n),
    onDlq: () => counted.dlq++,
  };
  return { o, counted };
}

/** The paths of the access records in the batch, in order. */
const paths = (batch: Batch) =>
  [...(batch.packed.get('access_log') ?? [])].flatMap((p) =>
    unpackStrings(p.values).map((v) => (JSON.parse(v!) as { path: string }).path),
  );

describe('nextStep', () => {
  it('reads a third of the bytes left, no more lines than records or bytes left allow', () => {
    const limits = { maxRecords: 10_000, maxBytes: 3_000_000 };
    expect(nextStep(limits, { records: 0, bytes: 0 })).toEqual({
      maxBytes: 1_000_000,
      maxLines: STEP_LINES,
    });
    expect(nextStep(limits, { records: 9_990, bytes: 0 })?.maxLines).toBe(10);
    expect(nextStep(limits, { records: 0, bytes: 3_000_000 - 50 * RECORD_OVERHEAD_BYTES })).toEqual(
      { maxBytes: Math.floor((50 * RECORD_OVERHEAD_BYTES) / 3), maxLines: 50 },
    );
    // Never less than one line and 4 KiB while there is room at all.
    expect(nextStep(limits, { records: 0, bytes: 2_999_999 })).toEqual({
      maxBytes: 4096,
      maxLines: 1,
    });
    expect(nextStep(limits, { records: 10_000, bytes: 0 })).toBeUndefined();
    expect(nextStep(limits, { records: 0, bytes: 3_000_000 })).toBeUndefined();
  });
});

describe('fillFromFiles', () => {
  it('reads complete lines into records with the position and state of the file', async () => {
    const text = line(1) + line(2) + 'not a log line\n';
    const { tracker } = await tracked({ 'access.log': text + 'partial' });
    const batch = new Batch();
    const { o, counted } = options();
    await fillFromFiles(batch, tracker.readingOrder(), o);
    const [f] = tracker.files.values();
    expect(paths(batch)).toEqual(['/n/1', '/n/2']);
    expect(counted).toEqual({ lines: 3, dlq: 1 });
    expect(batch.counts()).toEqual(
      new Map([
        ['access_log', 2],
        ['access_log.dlq', 1],
      ]),
    );
    // The partial last line waits for its newline.
    expect(f!.readPos).toBe(Buffer.byteLength(text));
    expect(batch.positions.get(f!.key)).toBe(Buffer.byteLength(text));
    expect(JSON.parse(batch.state.get(f!.key)!)).toEqual({
      kind: 'file',
      state: { ...f!.id, source: 'web', path: f!.path, offset: Buffer.byteLength(text) },
    });
    // Nothing new: the next batch is empty.
    const next = new Batch();
    await fillFromFiles(next, tracker.readingOrder(), o);
    expect(next.empty).toBe(true);
  });

  it('reads a rotated-away file before the live one and stops at the record limit', async () => {
    const { dir, tracker } = await tracked({
      'access.log': [1, 2, 3].map(line).join(''),
    });
    renameSync(join(dir, 'access.log'), join(dir, 'old.1'));
    writeFileSync(join(dir, 'access.log'), [4, 5, 6].map(line).join(''));
    await tracker.scan();
    const { o } = options({ maxRecords: 4, maxBytes: 1 << 20 });
    const first = new Batch();
    await fillFromFiles(first, tracker.readingOrder(), o);
    expect(paths(first)).toEqual(['/n/1', '/n/2', '/n/3', '/n/4']);
    expect([...first.positions.values()]).toEqual([
      Buffer.byteLength([1, 2, 3].map(line).join('')),
      Buffer.byteLength(line(4)),
    ]);
    const second = new Batch();
    await fillFromFiles(second, tracker.readingOrder(), o);
    expect(paths(second)).toEqual(['/n/5', '/n/6']);
  });

  it('keeps a batch within its byte limit by reading in smaller steps', async () => {
    const lines = Array.from({ length: 200 }, (_, i) => line(i));
    const { tracker } = await tracked({ 'access.log': lines.join('') });
    const { o } = options({ maxRecords: 10_000, maxBytes: 20 * 1024 });
    const sizes: number[] = [];
    let read = 0;
    for (let i = 0; i < 50 && read < 200; i++) {
      const batch = new Batch();
      await fillFromFiles(batch, tracker.readingOrder(), o);
      expect(batch.bytes).toBeLessThanOrEqual(20 * 1024 + RECORD_OVERHEAD_BYTES);
      sizes.push(batch.records);
      read += batch.records;
    }
    expect(read).toBe(200);
    expect(sizes.length).toBeGreaterThan(1);
  });
});
