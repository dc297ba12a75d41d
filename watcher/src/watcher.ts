/**
 * The watcher: wires the tracked files, the table sources and the transactional producer into
 * one loop that reads a batch while the previous one commits. The parts each hold one idea:
 * `tracking.ts` (which files, where they stand), `fill.ts` (a batch from the files),
 * `table-source.ts` (schedule, registry, roster and calendar snapshots), `commit.ts` (one transaction per batch),
 * `offsets.ts` (positions back from Kafka) and `topics.ts` (the topics it writes).
 */
import { dirname } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from 'pino';
import { backoffDelay, retry, sleep } from '@pulse/kit';
import { dlqRecordBytes } from '@pulse/contracts';
import { isTableSource, type SourceConfig, type WatcherConfig } from './config.js';
import { Batch } from './batch.js';
import { batchLimits, Committer } from './commit.js';
import { hasGlob } from './files.js';
import { fillFromFiles } from './fill.js';
import { Heartbeats } from './heartbeat.js';
import type { Metrics } from './metrics.js';
import { restoreState } from './offsets.js';
import { createProducer, type TxProducer } from './producers/index.js';
import { TableSources } from './table-source.js';
import { partitionCounts, provisionWatcherTopics } from './topics.js';
import { FileTracker } from './tracking.js';

/** Room for Kafka's framing around the largest record the watcher sends. */
const RECORD_FRAMING_BYTES = 64 * 1024;

/** Tails the configured files into Kafka, one transaction per batch together with the new positions. */
export class Watcher {
  private readonly kafka: Kafka;
  private readonly producer: TxProducer;
  private readonly tracker: FileTracker;
  private readonly tables: TableSources;
  private readonly heartbeats: Heartbeats;
  /** Partitions of each heartbeat topic, read at every (re)connect. */
  private partitions = new Map<string, number>();
  private readonly committer: Committer;
  private fsWatcher: FSWatcher | undefined;
  private running = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
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
          Math.max(config.maxRecordBytes, dlqRecordBytes(config.maxLineBytes)) +
          RECORD_FRAMING_BYTES,
      },
      log,
    );
    metrics.producer = this.producer.engine;
    this.producer.onUnreachable = (reason) => {
      if (this.metrics.kafkaUp) this.log.warn({ reason }, 'Kafka unreachable');
      this.metrics.kafkaUp = false;
    };
    const lineSources = config.sources.filter((s) => !isTableSource(s));
    this.tracker = new FileTracker(lineSources, { log, bytesBehind: metrics.bytesBehind });
    this.heartbeats = new Heartbeats(lineSources);
    this.tables = new TableSources(config.sources.filter(isTableSource), this.countDlq, log);
    this.committer = new Committer(
      this.producer,
      config.offsetsTopic,
      batchLimits(this.producer.engine, config.batch),
      metrics,
      log,
    );
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

  /**
   * (Re)connects the transactional producer and reloads the committed positions; retries until
   * Kafka answers, except while stopping, when one retry is enough.
   */
  private async connect(): Promise<void> {
    let attempts = 0;
    await retry(
      async () => {
        attempts++;
        try {
          const topics = await provisionWatcherTopics(this.kafka, this.config);
          if (topics.created.length || topics.changed.length)
            this.log.info(
              { created: topics.created, changed: topics.changed },
              'topics provisioned from the catalog',
            );
          // Registering the transactional id fences any earlier incarnation and aborts its open transaction.
          await this.producer.connect();
          const stored = await restoreState(this.kafka, this.producer, this.config.offsetsTopic);
          this.tracker.restore(stored);
          this.tables.restore(stored);
          this.heartbeats.restore(stored);
          this.partitions = await partitionCounts(this.kafka, this.heartbeats.topicNames);
        } catch (err) {
          this.metrics.kafkaUp = false;
          throw err;
        }
      },
      {
        retries: Infinity,
        initialDelayMs: 500,
        maxDelayMs: 10_000,
        shouldRetry: () => this.running || !this.loop || attempts < 2,
        onRetry: ({ attempt, delayMs, error }) =>
          this.log.warn(
            { err: error, attempt, retryInMs: delayMs },
            'Kafka unavailable; reading is paused until it is back',
          ),
      },
    );
    this.metrics.kafkaUp = true;
    this.log.info(
      { files: this.tracker.restoredCount, topic: this.config.offsetsTopic },
      'positions restored from Kafka',
    );
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
        await this.tracker.scan();
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
        inflight = this.commit(batch);
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

  /**
   * The dropped files' deletions, lines from the files (rotated-away ones first), table changes,
   * and heartbeats for the topics gone quiet.
   */
  private async fill(batch: Batch): Promise<void> {
    this.tracker.addTombstones(batch);
    await fillFromFiles(batch, this.tracker.readingOrder(), {
      limits: this.committer.limits,
      maxLineBytes: this.config.maxLineBytes,
      maxRecordBytes: this.config.maxRecordBytes,
      onLines: (source, lines) => this.metrics.add(this.metrics.linesRead, source.name, lines),
      onDlq: this.countDlq,
      onWarning: (source, kind) =>
        this.metrics.addByKind(this.metrics.lineWarnings, source.name, kind),
      onSkip: (source, kind) =>
        this.metrics.addByKind(this.metrics.linesSkipped, source.name, kind),
    });
    await this.tables.fill(batch, Date.now());
    this.heartbeats.fill(batch, Date.now(), this.partitions);
  }

  /** Sends the batch in one transaction; once it landed, its positions are the committed ones. */
  private async commit(batch: Batch): Promise<boolean> {
    const landed = await this.committer.send(batch);
    if (landed) {
      this.tracker.committed(batch);
      this.heartbeats.committed(batch);
    }
    return landed;
  }

  /** Closes files that left the paths once read to the end and quiet, deleting their positions. */
  private async release(): Promise<void> {
    const gone = this.tracker.releasable();
    if (gone.length === 0) return;
    const batch = new Batch();
    for (const f of gone) batch.setState(f.key, null);
    if (!(await this.commit(batch))) {
      await this.connect();
      return;
    }
    await this.tracker.release(gone);
  }

  /** Flushes the open batch, commits, and disconnects. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.fsWatcher?.close();
    await this.tracker.closeAll();
    await this.producer.disconnect();
  }
}
