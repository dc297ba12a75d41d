/**
 * Table sources: files the campus keeps (course schedule, device registry, class rosters, term
 * calendar), each published to a compacted topic as a keyed snapshot. When a file changes, new
 * and edited rows are sent as upserts and rows gone as tombstones; unchanged rows are sent again
 * only on the periodic republish, which keeps them alive in the jobs' TTL-bounded state. Several
 * files of one source merge; a file that is empty or unreadable is refused and keeps its last
 * good rows. Rows, tombstones, DLQ records and the new state go in the caller's one transaction.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { StoredState, TableFileState } from './offsets.js';
import type { TableSourceConfig } from './config.js';
import { expand, matchesPattern } from './files.js';
import { tableParser, type CsvProblem, type TableParse } from './formats/index.js';
import type { Batch } from './batch.js';
import { addDlq } from './records.js';
import { decodeSnapshot, encodeSnapshot, type TableSnapshot } from './table-state.js';

const hash = (s: string) => createHash('sha1').update(s).digest('hex');

/** One file of a source as read now; `text` undefined: it could not be read (it is missing). */
export interface FileRead {
  path: string;
  text: string | undefined;
}

/** A key that several files of one source give: the file whose row is published. */
export interface Conflict {
  key: string;
  files: string[];
  winner: string;
}

/** What a source's files, read now, change against what was published. */
export interface SnapshotStep {
  next: TableSnapshot;
  upserts: [string, string][];
  tombstones: string[];
  /** Rows and files refused, with where they are and why (a refused file's at its start). */
  dlq: { path: string; offset: number; raw: string; reason: string }[];
  conflicts: Conflict[];
}

/**
 * The merged table: every file's rows, files taken in path order, so when two files give the same
 * key the one whose path sorts later wins.
 */
export function mergeFiles(files: Record<string, TableFileState>): {
  rows: Map<string, string>;
  conflicts: Conflict[];
} {
  const rows = new Map<string, string>();
  const from = new Map<string, string[]>();
  for (const path of Object.keys(files).sort()) {
    for (const [key, value] of Object.entries(files[path]!.rows)) {
      rows.set(key, value);
      const list = from.get(key);
      if (list) list.push(path);
      else from.set(key, [path]);
    }
  }
  const conflicts: Conflict[] = [];
  for (const [key, list] of from)
    if (list.length > 1) conflicts.push({ key, files: list, winner: list[list.length - 1]! });
  return { rows, conflicts };
}

/** Why a file's parse cannot stand for the file, or undefined when its rows can be published. */
function refusal(text: string, parsed: TableParse<object>): CsvProblem | undefined {
  const start = { line: 1, offset: 0, raw: text.slice(0, 200) };
  if (text.trim() === '') return { ...start, reason: 'the file is empty' };
  if (parsed.refused) return parsed.refused;
  if (parsed.rows.length === 0 && parsed.errors.length > 0)
    return { ...start, reason: `none of its ${parsed.errors.length} row(s) can be read` };
  return undefined;
}

/**
 * The next snapshot of a source from its files as read now, and what to send for it; undefined
 * when nothing changed and no republish is due. Files that went missing but still match the
 * source's paths keep their rows (an editor or a copy may remove a file for a moment); files that
 * no longer match them are dropped.
 */
export function snapshotStep(
  source: TableSourceConfig,
  previous: TableSnapshot | undefined,
  reads: readonly FileRead[],
  now: number,
  parse: (text: string) => TableParse<object> = tableParser(source.format, source.timezone),
): SnapshotStep | undefined {
  const before = previous?.files ?? {};
  const files: Record<string, TableFileState> = {};
  const dlq: SnapshotStep['dlq'] = [];
  let changed = previous === undefined || previous.legacyKeys !== undefined;
  for (const { path, text } of reads) {
    const old = before[path];
    if (text === undefined) {
      if (old) files[path] = old;
      continue;
    }
    const contentHash = hash(text);
    if (old?.contentHash === contentHash) {
      files[path] = old;
      continue;
    }
    changed = true;
    const parsed = parse(text);
    for (const e of parsed.errors)
      dlq.push({ path, offset: e.offset, raw: e.raw, reason: `line ${e.line}: ${e.reason}` });
    const refused = refusal(text, parsed);
    if (refused) {
      const reason = `file refused, its last good rows stay published: line ${refused.line}: ${refused.reason}`;
      dlq.push({ path, offset: refused.offset, raw: refused.raw, reason });
      files[path] = { contentHash, rows: old?.rows ?? {}, refused: refused.reason };
      continue;
    }
    const rows: Record<string, string> = {};
    for (const { key, row } of parsed.rows) rows[key] = JSON.stringify(row);
    files[path] = { contentHash, rows };
  }
  for (const [path, old] of Object.entries(before)) {
    if (files[path]) continue;
    if (source.paths.some((p) => matchesPattern(path, p))) files[path] = old;
    else changed = true; // the source no longer names it: its rows go
  }
  const due = !previous || now - previous.publishedAt >= source.republishIntervalMs;
  if (!changed && !due) return undefined;

  const { rows, conflicts } = mergeFiles(files);
  const published = mergeFiles(before).rows;
  for (const key of previous?.legacyKeys ?? []) if (!published.has(key)) published.set(key, '');
  const upserts: [string, string][] = [];
  for (const [key, value] of rows)
    if (due || published.get(key) !== value) upserts.push([key, value]);
  const tombstones = [...published.keys()].filter((key) => !rows.has(key));
  return {
    next: {
      files,
      publishedAt: due ? now : (previous?.publishedAt ?? now),
      parts: previous?.parts ?? 0,
    },
    upserts,
    tombstones,
    dlq,
    conflicts,
  };
}

/**
 * The table sources and what each last published. Their state travels in the same transaction
 * as the rows, so after a crash the published snapshot and the state agree.
 */
export class TableSources {
  private published = new Map<string, TableSnapshot>();

  constructor(
    private readonly sources: readonly TableSourceConfig[],
    private readonly onDlq: (source: TableSourceConfig) => void,
    private readonly log: Pick<Logger, 'warn'>,
  ) {}

  /** Takes what the offsets topic says was published (the truth after a reconnect). */
  restore(stored: ReadonlyMap<string, StoredState>): void {
    this.published = new Map();
    for (const source of this.sources) {
      const snapshot = decodeSnapshot(source.name, stored);
      if (snapshot) this.published.set(source.name, snapshot);
    }
  }

  /** Adds to the batch whatever changed in each source's files (all of it when a republish is due). */
  async fill(batch: Batch, now: number): Promise<void> {
    for (const source of this.sources) {
      const paths = [...new Set((await Promise.all(source.paths.map(expand))).flat())].sort();
      const reads = await Promise.all(
        paths.map(async (path) => ({
          path,
          text: await readFile(path, 'utf8').catch(() => undefined),
        })),
      );
      const previous = this.published.get(source.name);
      const step = snapshotStep(source, previous, reads, now);
      if (!step) continue;
      for (const { path, offset, raw, reason } of step.dlq) {
        this.onDlq(source);
        addDlq(batch, source, path, offset, raw, reason);
      }
      if (step.conflicts.length)
        this.log.warn(
          {
            source: source.name,
            keys: step.conflicts.length,
            examples: step.conflicts.slice(0, 5),
          },
          'keys given by several files of one source: the row of the file whose path sorts last is published',
        );
      for (const [key, value] of step.upserts) batch.add(source.topic, key, value);
      for (const key of step.tombstones) batch.add(source.topic, key, null);
      for (const [key, value] of encodeSnapshot(source.name, step.next, previous))
        batch.setState(key, value);
      this.published.set(source.name, step.next);
    }
  }
}
