/**
 * Keeps what npm start runs alive: a runtime part (ZooKeeper, Kafka, JobManager, TaskManager)
 * whose process is gone, or a service (control plane, watcher) that exited, is started again with
 * backoff. Every crash and restart is logged and written to the runtime's event file, which the
 * control plane serves to the operator page (`GET /api/runtime/events`).
 */
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { jitteredDelay } from '@pulse/kit';
import type { RuntimeEvent } from '@pulse/contracts';
import { status, up, type PartName, type Reporter, type StackConfig } from '@pulse/stack';

/** Restart delays: 1 s doubling to at most 1 min, reset once a part stayed up for a minute. */
const BACKOFF = { initialDelayMs: 1_000, maxDelayMs: 60_000 };
const STABLE_MS = 60_000;
const CHECK_EVERY_MS = 3_000;

/** How long to wait before restart number `attempt` (1-based) of something that keeps crashing. */
export function restartDelay(attempt: number, random: () => number = Math.random): number {
  return jitteredDelay(attempt, BACKOFF, random);
}

/** Counts consecutive restarts of one thing; forgets them once it has stayed up long enough. */
export class RestartCounter {
  private attempts = 0;
  private upSince = 0;

  /** Called when it came up; returns nothing. */
  started(now: number): void {
    this.upSince = now;
  }

  /** Called when it went down: the number of this restart (1 after a stable run). */
  crashed(now: number): number {
    if (this.upSince > 0 && now - this.upSince >= STABLE_MS) this.attempts = 0;
    return ++this.attempts;
  }
}

export class Supervisor {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private checking = false;
  private readonly counters = new Map<string, RestartCounter>();

  constructor(
    private readonly config: StackConfig,
    private readonly report: Reporter,
    private readonly eventFile: string,
    /** Runs after the JobManager came back: its jobs died with it and must be deployed again. */
    private readonly afterJobManagerRestart: () => Promise<void>,
  ) {
    mkdirSync(dirname(eventFile), { recursive: true });
  }

  private counter(name: string): RestartCounter {
    let c = this.counters.get(name);
    if (!c) this.counters.set(name, (c = new RestartCounter()));
    return c;
  }

  private record(part: string, event: RuntimeEvent['event'], detail: string): void {
    const line: RuntimeEvent = { at: new Date().toISOString(), part, event, detail };
    const message = `${part} ${event}: ${detail}`;
    if (event === 'restarted') this.report.info(message);
    else this.report.warn(message);
    try {
      appendFileSync(this.eventFile, JSON.stringify(line) + '\n');
    } catch {
      // the log line above still says it
    }
  }

  /** Checks the runtime parts every few seconds and restarts any whose process is gone. */
  watchRuntime(parts: readonly PartName[]): void {
    const now = Date.now();
    for (const part of parts) this.counter(part).started(now);
    this.timer = setInterval(() => void this.check(parts), CHECK_EVERY_MS);
    this.timer.unref();
  }

  private async check(parts: readonly PartName[]): Promise<void> {
    if (this.checking || this.stopped) return;
    this.checking = true;
    try {
      const down = (await status(this.config)).filter((s) => parts.includes(s.part) && !s.running);
      // In start order: ZooKeeper before Kafka, JobManager before TaskManager.
      for (const { part } of down) await this.restartPart(part);
    } catch (err) {
      this.report.warn(`supervisor could not check the runtime: ${(err as Error).message}`);
    } finally {
      this.checking = false;
    }
  }

  private async restartPart(part: PartName): Promise<void> {
    const attempt = this.counter(part).crashed(Date.now());
    const delay = restartDelay(attempt);
    this.record(
      part,
      'crashed',
      `process gone; restart ${attempt} in ${Math.round(delay / 100) / 10}s`,
    );
    await new Promise((r) => setTimeout(r, delay));
    if (this.stopped) return;
    try {
      await up(this.config, this.report, { parts: [part] });
      this.counter(part).started(Date.now());
      this.record(part, 'restarted', 'healthy again');
      if (part === 'jobmanager') await this.afterJobManagerRestart();
    } catch (err) {
      this.record(part, 'restart-failed', (err as Error).message);
    }
  }

  /**
   * Runs a service and starts it again whenever it exits while npm start is not stopping.
   * Returns the running process as it is now (it changes with each restart).
   */
  keep(
    name: string,
    start: (onExit: (code: number | null, signal: string | null) => void) => ChildProcess,
  ): () => ChildProcess {
    let current: ChildProcess;
    const onExit = (code: number | null, signal: string | null) => {
      if (this.stopped) return;
      const attempt = this.counter(name).crashed(Date.now());
      const delay = restartDelay(attempt);
      this.record(
        name,
        'crashed',
        `exited (${signal ?? `code ${code}`}); restart ${attempt} in ${Math.round(delay / 100) / 10}s`,
      );
      setTimeout(() => {
        if (this.stopped) return;
        current = start(onExit);
        this.counter(name).started(Date.now());
        this.record(name, 'restarted', `pid ${current.pid}`);
      }, delay).unref();
    };
    current = start(onExit);
    this.counter(name).started(Date.now());
    return () => current;
  }

  /** Stops supervising: nothing is restarted after this (npm start is shutting down). */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }
}
