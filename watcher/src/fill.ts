/**
 * Filling a batch from the tracked files: lines are read in steps, turned into records (and DLQ
 * records) and packed, and each file's new position goes into the batch with them, so the
 * transaction that carries the records also carries where the file now stands.
 */
import { Batch } from './batch.js';
import type { LineSourceConfig } from './config.js';
import { readLines } from './lines.js';
import type { FileState } from './offsets.js';
import { linesToRecords } from './records.js';
import type { Tracked } from './tracked.js';

/** The most one transaction carries. */
export interface BatchLimits {
  maxRecords: number;
  maxBytes: number;
}

/** A record's JSON around its line's own text: field names, file path, repeated visitor id. */
export const RECORD_OVERHEAD_BYTES = 1024;
/**
 * Lines parsed per read step. Each step's records are packed into a buffer at once, so the
 * strings parsing makes are garbage by the next young-generation collection: small steps keep
 * what that collection has to copy small.
 */
export const STEP_LINES = 2_000;

/**
 * How much the next read step may take, given what the batch holds: at most a third of the bytes
 * left (a record is bigger than its line), at most the records left, and never so many lines that
 * their records could outgrow the bytes left. Undefined when the batch is full.
 */
export function nextStep(
  limits: BatchLimits,
  batch: { records: number; bytes: number },
): { maxBytes: number; maxLines: number } | undefined {
  if (batch.records >= limits.maxRecords || batch.bytes >= limits.maxBytes) return undefined;
  const left = limits.maxBytes - batch.bytes;
  return {
    maxBytes: Math.max(4096, Math.floor(left / 3)),
    maxLines: Math.max(
      1,
      Math.min(
        limits.maxRecords - batch.records,
        Math.floor(left / RECORD_OVERHEAD_BYTES),
        STEP_LINES,
      ),
    ),
  };
}

/** What filling needs beside the files: the line limits and where counts go. */
export interface FillOptions {
  limits: BatchLimits;
  maxLineBytes: number;
  maxRecordBytes: number;
  onLines: (source: LineSourceConfig, lines: number) => void;
  onDlq: (source: LineSourceConfig) => void;
  /** A line sent with an oddity read past (a cut user agent, a request that is not HTTP…). */
  onWarning?: (source: LineSourceConfig, kind: string) => void;
  /** A valid line the source chose not to send (an association to another SSID). */
  onSkip?: (source: LineSourceConfig, kind: string) => void;
  now?: () => number;
}

/**
 * Reads the files in the order given, each up to its size, until the batch is full; advances each
 * file's read position and records it in the batch. A last line without its newline stays unread.
 */
export async function fillFromFiles(
  batch: Batch,
  files: readonly Tracked[],
  options: FillOptions,
): Promise<void> {
  const now = options.now ?? Date.now;
  for (const f of files) {
    // Read in steps sized to what is left: the batch, and so any one partition's share of it,
    // stays under the broker's limit.
    for (let step = nextStep(options.limits, batch); step && f.readPos < f.size;) {
      const { lines, next } = await readLines(
        f.fh,
        f.readPos,
        f.size,
        step.maxBytes,
        options.maxLineBytes,
        step.maxLines,
      );
      if (next === f.readPos) break;
      options.onLines(f.source, lines.length);
      const records = new Batch();
      linesToRecords(
        lines,
        {
          source: f.source,
          parser: f.parser,
          path: f.path,
          maxLineBytes: options.maxLineBytes,
          maxRecordBytes: options.maxRecordBytes,
          now: now(),
        },
        records,
        options.onDlq,
        options,
      );
      batch.absorb(records);
      f.readPos = next;
      f.idleSince = now();
      batch.positions.set(f.key, next);
      const state: FileState = { ...f.id, source: f.source.name, path: f.path, offset: next };
      batch.setState(f.key, JSON.stringify({ kind: 'file', state }));
      step = nextStep(options.limits, batch);
    }
  }
}
