import { open, stat, type FileHandle } from 'node:fs/promises';
import { Kafka, logLevel } from 'kafkajs';
import { watch, type FSWatcher } from 'chokidar';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { backoffDelay } from '@pulse/kit';
import type { SourceConfig, WatcherConfig } from './config.js';
import { Batch } from './batch.js';
import { expand, fileKey, hasGlob, identify, sameFile, type FileIdentity } from './files.js';
import { lineParser } from './formats/index.js';
import { readLines } from './lines.js';
import { addDlq, DLQ_OVERHEAD_BYTES, linesToRecords } from './records.js';
import type { Metrics } from './metrics.js';
import { ensureTopics } from './topics.js';
import type { Tracked } from './tracked.js';
import { restoreState, type FileState, type ScheduleState, type StoredState } from './offsets.js';
import { publishSchedule, scheduleStateKey } from './schedule-source.js';
import { createProducer, TooLargeError, type TxProducer } from './producers/index.js';

const RELEASE_AFTER_MS = 5_000;
/** A record's JSON around its line's own text: field names, file path, repeated visitor id. */
const RECORD_OVERHEAD_BYTES = 1024;
/**
 * Lines parsed per read step. Each step's records are packed into a buffer at once, so the
 * strings parsing makes are garbage by the next young-generation collection: small steps keep
 * what that collection has to copy small.
 */
const STEP_LINES = 2_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Tails the configured files into Kafka, one transaction per batch together with the new positions. */
export class Watcher {
  private readonly kafka: Kafka;
  private readonly producer: TxProducer;
  private readonly files = new Map<string, Tracked>();
  /** Keys of files dropped (truncated) whose positions are deleted with the next transaction. */
  private dropped: string[] = [];
  private restored = new Map<string, StoredState>();
  private schedules = new Map<string, ScheduleState>();
  private fsWatcher: FSWatcher | undefined;
  private running = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  /** Shrinks when the broker refuses a batch as too large, so one odd setting cannot stall the watcher. */
  private batchScale = 1;
  private readonly batchLimits: { maxRecords: number; maxBytes: number };
  private readonly countDlq = (source: SourceConfig) =>
    this.metrics.add(this.metrics.dlqRecords, source.name, 1);

  constructor(
    private readonly config: WatcherConfig,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {
    this.kafka = new Kafka({
      clientId: config.clientId,
      brokers: config.brokers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 3 },
    });
    this.producer = createProducer(
      config.producer,
      {
        brokers: config.brokers,
        clientId: config.clientId,
        transactionalId: `watcher-${config.stateId}`,
        maxMessageBytes:
          Math.max(config.maxRecordBytes, config.maxLineBytes + DLQ_OVERHEAD_BYTES) + 64 * 1024,
      },
      log,
    );
    // librdkafka splits a transaction into requests itself; kafkajs sends each partition's share
    // of a batch as one request, which the broker refuses above 1 MiB.
    const defaults =
      this.producer.engine === 'librdkafka'
        ? { maxRecords: 20_000, maxBytes: 16 * 1024 * 1024 }
        : { maxRecords: 5_000, maxBytes: 900 * 1024 };
    this.batchLimits = {
      maxRecords: config.batch.maxRecords ?? defaults.maxRecords,
      maxBytes: config.batch.maxBytes ?? defaults.maxBytes,
    };
    metrics.producer = this.producer.engine;
    this.producer.onUnreachable = (reason) => {
      if (this.metrics.kafkaUp) this.log.warn({ reason }, 'Kafka unreachable');
      this.metrics.kafkaUp = false;
    };
  }

  /** Connects, restores positions from the offsets topic and starts tailing. */
  async start(): Promise<void> {
    await this.connect();
    this.running = true;
    const dirs = new Set(
      this.config.sources.flatMap((s) => s.paths.map((p) => (hasGlob(p) ? dirname(p) : p))),
    );
    this.fsWatcher = watch([...dirs], { ignoreInitial: true, depth: 0, awaitWriteFinish: false });
    this.fsWatcher.on('all', () => this.wake?.());
    this.loop = this.run();
  }

  /** (Re)connects the transactional producer and reloads the committed positions; retries until Kafka answers. */
  private async connect(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await ensureTopics(this.kafka, this.config);
        // Registering the transactional id fences any earlier incarnation and aborts its open transaction.
        await this.producer.connect();
        this.restored = await restoreState(this.kafka, this.producer, this.config.offsetsTopic);
        this.schedules = new Map(
          [...this.restored.values()]
            .filter((s): s is { kind: 'schedule'; state: ScheduleState } => s.kind === 'schedule')
            .map((s) => [s.state.source, s.state]),
        );
        // Positions in Kafka are the truth: whatever was read but not committed is read again.
        for (const f of this.files.values()) {
          const stored = this.restored.get(f.key);
          f.committed = stored?.kind === 'file' ? stored.state.offset : 0;
          f.readPos = f.committed;
        }
        this.metrics.kafkaUp = true;
        this.log.info(
          {
            files: [...this.restored.values()].filter((s) => s.kind === 'file').length,
            topic: this.config.offsetsTopic,
          },
          'positions restored from Kafka',
        );
        return;
      } catch (err) {
        this.metrics.kafkaUp = false;
        const delay = backoffDelay(attempt, { initialDelayMs: 500, maxDelayMs: 10_000 });
        this.log.warn(
          { err: (err as Error).message, attempt, retryInMs: delay },
          'Kafka unavailable; reading is paused until it is back',
        );
        if (!this.running && attempt > 1 && this.loop) throw err;
        await sleep(delay);
      }
    }
  }

  /**
   * Reads the next batch while the previous one's transaction commits (at most two batches in
   * memory). When a transaction fails, the batch read meanwhile is dropped with it: the watcher
   * reconnects, reloads the committed positions and reads again from there.
   */
  private async run(): Promise<void> {
    let lastScan = 0;
    let inflight: Promise<boolean> | undefined;
    let failures = 0;
    for (;;) {
      if (this.running && Date.now() - lastScan >= this.config.pollIntervalMs) {
        await this.scan();
        lastScan = Date.now();
      }
      const batch = new Batch();
      if (this.running) await this.fill(batch);
      if (inflight) {
        const landed = await inflight;
        inflight = undefined;
        if (!landed) {
          failures++;
          if (failures > 1)
            await sleep(backoffDelay(failures - 1, { initialDelayMs: 200, maxDelayMs: 5_000 }));
          await this.connect();
          continue;
        }
        failures = 0;
      }
      if (!batch.empty) {
        inflight = this.send(batch);
        continue; // more may be waiting: read again at once
      }
      if (!this.running) return;
      if (!this.metrics.kafkaUp) {
        // Nothing to send, and the client said Kafka went away: ask it, so /health tells the truth.
        await this.producer.probe().then(
          () => {
            this.metrics.kafkaUp = true;
            this.log.info('Kafka reachable again');
          },
          () => {},
        );
      }
      await this.release();
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, this.config.pollIntervalMs);
      });
      this.wake = undefined;
    }
  }

  /** Finds files: new ones, renamed ones, truncated ones, and those that left the paths. */
  private async scan(): Promise<void> {
    const seen = new Set<string>();
    for (const source of this.config.sources) {
      if (source.format === 'schedule-csv') continue;
      for (const pattern of source.paths) {
        for (const path of await expand(pattern)) {
          const found = await identify(path);
          if (!found) continue;
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
          if (!tracked) tracked = await this.track(source, path, found.id);
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
      this.metrics.bytesBehind.set(f.path, Math.max(0, f.size - f.committed));
    }
  }

  private async drop(f: Tracked): Promise<void> {
    this.files.delete(f.key);
    this.restored.delete(f.key);
    this.dropped.push(f.key);
    this.metrics.bytesBehind.delete(f.path);
    await f.fh.close().catch(() => {});
  }

  private async track(
    source: SourceConfig,
    path: string,
    id: FileIdentity,
  ): Promise<Tracked | undefined> {
    // A restored position is matched by device and inode, then checked on its own fingerprint length.
    let committed = 0;
    let key = fileKey(id);
    for (const [k, s] of this.restored) {
      if (
        s.kind === 'file' &&
        s.state.dev === id.dev &&
        s.state.ino === id.ino &&
        s.state.source === source.name &&
        !this.files.has(k) &&
        (await sameFile(path, s.state))
      ) {
        committed = s.state.offset;
        key = k;
        id = { dev: s.state.dev, ino: s.state.ino, fpLen: s.state.fpLen, fpHash: s.state.fpHash };
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
      parser: lineParser(source.format as 'combined', {
        timezone: source.timezone,
        visitorId: source.visitorId,
      }),
      path,
      fh,
      committed,
      readPos: committed,
      size,
      matched: true,
      idleSince: Date.now(),
    };
    this.files.set(key, tracked);
    this.log.info({ file: path, key, from: committed, source: source.name }, 'tailing file');
    return tracked;
  }

  /** Reads from rotated-away files first (to their end), then the live ones, until the batch is full. */
  private async fill(batch: Batch): Promise<void> {
    for (const key of this.dropped) if (!this.files.has(key)) batch.setState(key, null);
    const order = [...this.files.values()].sort((a, b) => Number(a.matched) - Number(b.matched));
    // After the broker refused a batch as too large, batches shrink (batchScale) until one fits.
    const maxRecords = Math.max(1, Math.floor(this.batchLimits.maxRecords * this.batchScale));
    const maxBytes = Math.max(4096, Math.floor(this.batchLimits.maxBytes * this.batchScale));
    for (const f of order) {
      // A record is bigger than its line (field names, file path), so read in steps sized to what
      // is left: the batch, and so any one partition's share of it, stays under the broker's limit.
      while (f.readPos < f.size && batch.records < maxRecords && batch.bytes < maxBytes) {
        const left = maxBytes - batch.bytes;
        const { lines, next } = await readLines(
          f.fh,
          f.readPos,
          f.size,
          Math.max(4096, Math.floor(left / 3)),
          this.config.maxLineBytes,
          Math.max(
            1,
            Math.min(
              maxRecords - batch.records,
              Math.floor(left / RECORD_OVERHEAD_BYTES),
              STEP_LINES,
            ),
          ),
        );
        if (next === f.readPos) break;
        this.metrics.add(this.metrics.linesRead, f.source.name, lines.length);
        const step = new Batch();
        linesToRecords(
          lines,
          {
            source: f.source,
            parser: f.parser,
            path: f.path,
            maxLineBytes: this.config.maxLineBytes,
            maxRecordBytes: this.config.maxRecordBytes,
          },
          step,
          this.countDlq,
        );
        batch.absorb(step);
        f.readPos = next;
        f.idleSince = Date.now();
        batch.positions.set(f.key, next);
        const state: FileState = { ...f.id, source: f.source.name, path: f.path, offset: next };
        batch.setState(f.key, JSON.stringify({ kind: 'file', state }));
      }
    }
    for (const source of this.config.sources.filter((s) => s.format === 'schedule-csv')) {
      for (const pattern of source.paths) {
        for (const path of await expand(pattern)) {
          const previous = this.schedules.get(source.name);
          const next = await publishSchedule(
            source,
            path,
            previous,
            batch,
            Date.now(),
            (raw, offset, reason) => {
              this.countDlq(source);
              addDlq(batch, source, path, offset, raw, reason);
            },
          );
          if (next) {
            this.schedules.set(source.name, next);
            batch.setState(
              scheduleStateKey(source),
              JSON.stringify({ kind: 'schedule', state: next }),
            );
          }
        }
      }
    }
  }

  /** One transaction: the records and the positions they bring the files to. Says whether it landed. */
  private async send(batch: Batch): Promise<boolean> {
    this.metrics.txStartedMs = Date.now();
    try {
      await this.producer.transact(batch.messages(this.config.offsetsTopic));
    } catch (err) {
      this.metrics.txStartedMs = undefined;
      this.metrics.kafkaUp = false;
      if (err instanceof TooLargeError) {
        this.batchScale = Math.max(1 / 256, this.batchScale / 2);
        this.log.warn(
          { batchScale: this.batchScale },
          'the broker refused the batch as too large: sending smaller batches',
        );
      }
      this.log.warn(
        { err: (err as Error).message, records: batch.records, engine: this.producer.engine },
        'transaction failed; reconnecting and reading again from the committed positions',
      );
      return false;
    }
    this.metrics.txStartedMs = undefined;
    for (const [key, position] of batch.positions) {
      const f = this.files.get(key);
      if (f) f.committed = position;
    }
    if (this.dropped.length) this.dropped = this.dropped.filter((k) => !batch.state.has(k));
    for (const [topic, count] of batch.counts())
      this.metrics.add(this.metrics.recordsSent, topic, count);
    this.metrics.lastCommitMs = Date.now();
    this.metrics.commits++;
    this.metrics.kafkaUp = true;
    return true;
  }

  /** Closes files that left the paths (rotated away, deleted) once read to the end and quiet. */
  private async release(): Promise<void> {
    const gone = [...this.files.values()].filter(
      (f) => !f.matched && f.committed >= f.size && Date.now() - f.idleSince > RELEASE_AFTER_MS,
    );
    if (gone.length === 0) return;
    const batch = new Batch();
    for (const f of gone) batch.setState(f.key, null);
    if (!(await this.send(batch))) {
      await this.connect();
      return;
    }
    for (const f of gone) {
      await f.fh.close().catch(() => {});
      this.files.delete(f.key);
      this.metrics.bytesBehind.delete(f.path);
      this.log.info({ file: f.path, key: f.key }, 'released file (read to its end)');
    }
  }

  /** Flushes the open batch, commits, and disconnects. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.fsWatcher?.close();
    for (const f of this.files.values()) await f.fh.close().catch(() => {});
    await this.producer.disconnect();
  }
}
