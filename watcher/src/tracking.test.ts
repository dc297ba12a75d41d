import { appendFileSync, mkdtempSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Batch } from './batch.js';
import type { LineSourceConfig } from './config.js';
import { fileKey, identify } from './files.js';
import type { StoredState } from './offsets.js';
import { FileTracker, RELEASE_AFTER_MS } from './tracking.js';

const log = pino({ level: 'silent' });

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'tracking-'));
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
  const clock = { now: 1_000_000 };
  const bytesBehind = new Map<string, number>();
  const tracker = new FileTracker([source], { log, bytesBehind, now: () => clock.now });
  trackers.push(tracker);
  return { dir, source, clock, bytesBehind, tracker };
}

const trackers: FileTracker[] = [];
afterEach(async () => {
  for (const t of trackers.splice(0)) await t.closeAll();
});

/** What the tracker says about each file: path, committed and read positions, size, still on the paths. */
const view = (tracker: FileTracker) =>
  [...tracker.files.values()]
    .map((f) => [f.path, f.committed, f.readPos, f.size, f.matched])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));

async function stored(path: string, source: string, offset: number) {
  const { id } = (await identify(path))!;
  const map = new Map<string, StoredState>([
    [fileKey(id), { kind: 'file', state: { ...id, source, path, offset } }],
  ]);
  return { key: fileKey(id), map };
}

describe('FileTracker', () => {
  it('tracks files on the paths from 0 and counts the bytes not yet committed', async () => {
    const { dir, tracker, bytesBehind } = setup();
    writeFileSync(join(dir, 'access-1.log'), 'a\nbb\n');
    writeFileSync(join(dir, 'other.txt'), 'not on the paths\n');
    writeFileSync(join(dir, 'access-2.log'), ''); // empty: nothing to identify yet
    await tracker.scan();
    expect(view(tracker)).toEqual([[join(dir, 'access-1.log'), 0, 0, 5, true]]);
    expect([...bytesBehind]).toEqual([[join(dir, 'access-1.log'), 5]]);
  });

  it('starts a file from the position Kafka holds for it, and from 0 if it became shorter', async () => {
    const { dir, tracker, source } = setup();
    const a = join(dir, 'access-a.log');
    const b = join(dir, 'access-b.log');
    writeFileSync(a, 'line one\nline two\n');
    writeFileSync(b, 'x'.repeat(300) + '\n');
    const fromA = await stored(a, source.name, 9);
    const fromB = await stored(b, source.name, 301);
    tracker.restore(new Map([...fromA.map, ...fromB.map]));
    truncateSync(b, 280); // same first bytes, but shorter than the stored position
    await tracker.scan();
    expect(view(tracker)).toEqual([
      [a, 9, 9, 18, true],
      [b, 0, 0, 280, true],
    ]);
    expect(tracker.files.get(fromA.key)?.path).toBe(a);
  });

  it('does not take a stored position of another source or of a file with other first bytes', async () => {
    const { dir, tracker, source } = setup();
    const a = join(dir, 'access-a.log');
    writeFileSync(a, 'first\n');
    const other = await stored(a, 'wifi', 6);
    tracker.restore(other.map);
    await tracker.scan();
    expect(view(tracker)).toEqual([[a, 0, 0, 6, true]]);
    await tracker.closeAll();

    const again = setup();
    const p = join(again.dir, 'access-a.log');
    writeFileSync(p, 'old content\n');
    const old = await stored(p, source.name, 12);
    writeFileSync(p, 'new content\n'); // same inode and size, other bytes
    again.tracker.restore(old.map);
    await again.tracker.scan();
    expect(view(again.tracker)).toEqual([[p, 0, 0, 12, true]]);
  });

  it('drops a truncated file, reads it again from 0 and deletes the old position with the next batch', async () => {
    const { dir, tracker } = setup();
    const a = join(dir, 'access.log');
    writeFileSync(a, 'one\ntwo\n');
    await tracker.scan();
    const [before] = tracker.files.values();
    before!.readPos = 8;
    before!.committed = 8;
    writeFileSync(a, 'three\n'); // copytruncate: same inode, new content
    await tracker.scan();
    expect(view(tracker)).toEqual([[a, 0, 0, 6, true]]);
    const [after] = tracker.files.values();
    expect(after!.key).not.toBe(before!.key);

    const batch = new Batch();
    tracker.addTombstones(batch);
    expect([...batch.state]).toEqual([[before!.key, null]]);
    tracker.committed(batch);
    const next = new Batch();
    tracker.addTombstones(next);
    expect(next.state.size).toBe(0);
  });

  it('reads a renamed file to its end first, tracks the new one, and releases the old once quiet', async () => {
    const { dir, tracker, clock, bytesBehind } = setup();
    const live = join(dir, 'access.log');
    const rotated = join(dir, 'rotated.1');
    writeFileSync(live, 'old-1\nold-2\n');
    await tracker.scan();
    renameSync(live, rotated);
    writeFileSync(live, 'new-1\n');
    appendFileSync(rotated, 'old-3\n');
    await tracker.scan();
    // The rotated file keeps its name until it is read again; it is no longer on the paths.
    expect(tracker.readingOrder().map((f) => [f.matched, f.size])).toEqual([
      [false, 18],
      [true, 6],
    ]);
    const [old] = tracker.readingOrder();
    expect(tracker.releasable()).toEqual([]); // not read to its end yet
    old!.readPos = old!.committed = 18;
    clock.now += RELEASE_AFTER_MS;
    expect(tracker.releasable()).toEqual([]); // read, but not quiet long enough
    clock.now += 1;
    expect(tracker.releasable()).toEqual([old]);
    await tracker.release([old!]);
    await tracker.scan();
    expect(view(tracker)).toEqual([[live, 0, 0, 6, true]]);
    expect([...bytesBehind]).toEqual([[live, 6]]);
  });

  it('puts every tracked file back to its committed position when Kafka is reloaded', async () => {
    const { dir, tracker } = setup();
    const a = join(dir, 'access.log');
    writeFileSync(a, 'one\ntwo\n');
    await tracker.scan();
    const [f] = tracker.files.values();
    f!.readPos = 8; // read into a batch whose transaction then failed
    const batch = new Batch();
    batch.positions.set(f!.key, 4);
    tracker.committed(batch);
    expect([f!.committed, f!.readPos]).toEqual([4, 8]);
    tracker.restore(
      new Map<string, StoredState>([
        [f!.key, { kind: 'file', state: { ...f!.id, source: 'web', path: a, offset: 4 } }],
      ]),
    );
    expect([f!.committed, f!.readPos]).toEqual([4, 4]);
    tracker.restore(new Map());
    expect([f!.committed, f!.readPos]).toEqual([0, 0]);
  });
});
