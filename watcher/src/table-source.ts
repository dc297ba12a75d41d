import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ScheduleSourceConfig } from './config.js';
import { expand } from './files.js';
import { parseSchedule } from './formats/index.js';
import type { Batch } from './batch.js';
import type { ScheduleState, StoredState } from './offsets.js';
import { addDlq } from './records.js';

const hash = (s: string) => createHash('sha1').update(s).digest('hex');

/** The key of a schedule source's state in the offsets topic. */
export function scheduleStateKey(source: ScheduleSourceConfig): string {
  return `schedule:${source.name}`;
}

/**
 * Publishes the schedule file as a keyed snapshot: changed and new rows as upserts, rows gone from
 * the file as tombstones, bad rows to the DLQ; all in the caller's transaction with the new state.
 * Returns the new state, or undefined when there was nothing to do.
 */
export async function publishSchedule(
  source: ScheduleSourceConfig,
  path: string,
  previous: ScheduleState | undefined,
  batch: Batch,
  now: number,
  dlq: (raw: string, offset: number, reason: string) => void,
): Promise<ScheduleState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined; // a missing schedule file is not an empty schedule
  }
  const contentHash = hash(text);
  const due = !previous || now - previous.publishedAt >= source.republishIntervalMs;
  if (previous && previous.contentHash === contentHash && !due) return undefined;
  const parsed = parseSchedule(text, source.timezone);
  for (const e of parsed.errors) dlq(e.raw, e.offset, `schedule line ${e.line}: ${e.reason}`);
  if (parsed.rows.length === 0 && parsed.errors.length > 0) {
    // An unreadable file (say, a broken header) is not an empty schedule: keep what was published.
    return {
      source: source.name,
      contentHash,
      rows: previous?.rows ?? {},
      publishedAt: previous?.publishedAt ?? 0,
    };
  }
  const rows: Record<string, string> = {};
  for (const { key, row } of parsed.rows) {
    const value = JSON.stringify(row);
    rows[key] = hash(value);
    // Unchanged rows are sent again only on the periodic republish.
    if (due || previous?.rows[key] !== rows[key]) batch.add(source.topic, key, value);
  }
  for (const key of Object.keys(previous?.rows ?? {})) {
    if (!(key in rows)) batch.add(source.topic, key, null);
  }
  return {
    source: source.name,
    contentHash,
    rows,
    publishedAt: due ? now : (previous?.publishedAt ?? now),
  };
}

/**
 * The schedule sources and what each last published. Their state travels in the same transaction
 * as the rows, so after a crash the published snapshot and the state agree.
 */
export class ScheduleSources {
  private published = new Map<string, ScheduleState>();

  constructor(
    private readonly sources: readonly ScheduleSourceConfig[],
    private readonly onDlq: (source: ScheduleSourceConfig) => void,
  ) {}

  /** Takes what the offsets topic says was published (the truth after a reconnect). */
  restore(stored: ReadonlyMap<string, StoredState>): void {
    this.published = new Map();
    for (const s of stored.values())
      if (s.kind === 'schedule') this.published.set(s.state.source, s.state);
  }

  /** Adds to the batch whatever changed in each schedule file (or all of it when a republish is due). */
  async fill(batch: Batch, now: number): Promise<void> {
    for (const source of this.sources) {
      for (const pattern of source.paths) {
        for (const path of await expand(pattern)) {
          const next = await publishSchedule(
            source,
            path,
            this.published.get(source.name),
            batch,
            now,
            (raw, offset, reason) => {
              this.onDlq(source);
              addDlq(batch, source, path, offset, raw, reason);
            },
          );
          if (next) {
            this.published.set(source.name, next);
            batch.setState(
              scheduleStateKey(source),
              JSON.stringify({ kind: 'schedule', state: next }),
            );
          }
        }
      }
    }
  }
}
