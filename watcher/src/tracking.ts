/**
 * Which files the watcher tails and where each stands: new files on the paths are picked up (from
 * their committed position when Kafka has one), truncated or rewritten ones are dropped and read
 * again from 0, renamed-away and deleted ones are read to their end and then released.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Batch } from './batch.js';
import type { LineSourceConfig } from './config.js';
import { expand, fileKey, identify, sameFile, type FileIdentity } from './files.js';
import { lineParser } from './formats/index.js';
import type { FileState, StoredState } from './offsets.js';
import type { Tracked } from './tracked.js';

/** How long a file that left the paths stays open after its last line, in case more arrives. */
export const RELEASE_AFTER_MS = 5_000;

/** What the tracker reports to: bytes written but not committed, per file (a metrics gauge). */
export interface TrackerDeps {
  log: Logger;
  bytesBehind: Map<string, number>;
  now?: () => number;
}

/** The files being tailed, keyed by identity (`fileKey`), with their read and committed positions. */
export class FileTracker {
  readonly files = new Map<string, Tracked>();
  /** Keys of files dropped (truncated) whose positions are deleted with the next transaction. */
  private dropped: string[] = [];
  /** File positions from the offsets topic, by key. */
  private restored = new Map<string, FileState>();
  private readonly log: Logger;
  private readonly bytesBehind: Map<string, number>;
  private readonly now: () => number;

  constructor(
    private readonly sources: readonly LineSourceConfig[],
    deps: TrackerDeps,
  ) {
    this.log = deps.log;
    this.bytesBehind = deps.bytesBehind;
    this.now = deps.now ?? Date.now;
  }

  /**
   * Takes the positions committed in Kafka. They are the truth: whatever a tracked file read but
   * did not commit is read again.
   */
  restore(stored: ReadonlyMap<string, StoredState>): void {
    this.restored = new Map();
    for (const [key, s] of stored) if (s.kind === 'file') this.restored.set(key, s.state);
    for (const f of this.files.values()) {
      f.committed = this.restored.get(f.key)?.offset ?? 0;
      f.readPos = f.committed;
    }
  }

  /** Files with a committed position in Kafka (restored at the last connect). */
  get restoredCount(): number {
    return this.restored.size;
  }

  /** Finds files: new ones, renamed ones, truncated ones, and those that left the paths. */
  async scan(): Promise<void> {
    const seen = new Set<string>();
    for (const source of this.sources) {
      for (const pattern of source.paths) {
        for (const path of await expand(pattern)) {
          const tracked = await this.follow(source, path);
          if (!tracked) continue;
          tracked.path = path;
          tracked.matched = true;
          seen.add(tracked.key);
        }
      }
    }
    for (const f of this.files.values()) {
      if (!seen.has(f.key)) f.matched = false;
      try {
        f.size = (await f.fh.stat()).size;
      } catch {
        f.size = f.readPos;
      }
      this.bytesBehind.set(f.path, Math.max(0, f.size - f.committed));
    }
  }

  /** The tracked file now at `path`: the one already followed, or a newly tracked one. */
  private async follow(source: LineSourceConfig, path: string): Promise<Tracked | undefined> {
    const found = await identify(path);
    if (!found) return undefined;
    let tracked: Tracked | undefined;
    for (const f of [...this.files.values()].filter(
      (t) => t.id.dev === found.id.dev && t.id.ino === found.id.ino,
    )) {
      if (found.size >= f.readPos && (await sameFile(path, f.id))) tracked = f;
      else {
        // Same inode, other content, or shorter than what was read: truncated (copytruncate).
        this.log.warn(
          { file: path, size: found.size, position: f.readPos },
          'file truncated or rewritten: reading it from the start',
        );
        await this.drop(f);
      }
    }
    return tracked ?? (await this.track(source, path, found.id));
  }

  private async drop(f: Tracked): Promise<void> {
    this.files.delete(f.key);
    this.restored.delete(f.key);
    this.dropped.push(f.key);
    this.bytesBehind.delete(f.path);
    await f.fh.close().catch(() => {});
  }

  private async track(
    source: LineSourceConfig,
    path: string,
    id: FileIdentity,
  ): Promise<Tracked | undefined> {
    // A restored position is matched by device and inode, then checked on its own fingerprint length.
    let committed = 0;
    let key = fileKey(id);
    for (const [k, s] of this.restored) {
      if (
        s.dev === id.dev &&
        s.ino === id.ino &&
        s.source === source.name &&
        !this.files.has(k) &&
        (await sameFile(path, s))
      ) {
        committed = s.offset;
        key = k;
        id = { dev: s.dev, ino: s.ino, fpLen: s.fpLen, fpHash: s.fpHash };
        break;
      }
    }
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch {
      return undefined;
    }
    const size = (await stat(path)).size;
    if (size < committed) committed = 0; // truncated while we were away
    const tracked: Tracked = {
      key,
      id,
      source,
      parser: lineParser(source.format, {
        timezone: source.timezone,
        visitorId: source.visitorId,
        ssids: source.ssids,
      }),
      path,
      fh,
      committed,
      readPos: committed,
      size,
      matched: true,
      idleSince: this.now(),
    };
    this.files.set(key, tracked);
    this.log.info({ file: path, key, from: committed, source: source.name }, 'tailing file');
    return tracked;
  }

  /** The files in the order a batch reads them: those that left the paths first, to their end. */
  readingOrder(): Tracked[] {
    return [...this.files.values()].sort((a, b) => Number(a.matched) - Number(b.matched));
  }

  /** Adds the deletion of each dropped file's position to the batch (until one commits). */
  addTombstones(batch: Batch): void {
    for (const key of this.dropped) if (!this.files.has(key)) batch.setState(key, null);
  }

  /** A transaction landed: the positions it carried are committed, its deletions done. */
  committed(batch: Batch): void {
    for (const [key, position] of batch.positions) {
      const f = this.files.get(key);
      if (f) f.committed = position;
    }
    if (this.dropped.length) this.dropped = this.dropped.filter((k) => !batch.state.has(k));
  }

  /** Files that left the paths (rotated away, deleted), read and committed to their end, and quiet. */
  releasable(): Tracked[] {
    const now = this.now();
    return [...this.files.values()].filter(
      (f) => !f.matched && f.committed >= f.size && now - f.idleSince > RELEASE_AFTER_MS,
    );
  }

  /** Closes files whose positions' deletion has committed. */
  async release(gone: readonly Tracked[]): Promise<void> {
    for (const f of gone) {
      await f.fh.close().catch(() => {});
      this.files.delete(f.key);
      this.bytesBehind.delete(f.path);
      this.log.info({ file: f.path, key: f.key }, 'released file (read to its end)');
    }
  }

  /** Closes every file (at stop). */
  async closeAll(): Promise<void> {
    for (const f of this.files.values()) await f.fh.close().catch(() => {});
  }
}
