import { dlqRecordBytes, dlqTopic, type DlqRecord } from '@pulse/contracts';
import type { Batch } from './batch.js';
import type { LineSourceConfig, SourceConfig } from './config.js';
import type { LineParser } from './formats/index.js';
import type { RawLine } from './lines.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Where refused lines are counted (the watcher's metrics); kept apart so this stays a plain function. */
export type OnDlq = (source: LineSourceConfig) => void;

/** Where lines that were sent despite an oddity are counted, once per kind of oddity. */
export interface LineNotes {
  onWarning?: (source: LineSourceConfig, kind: string) => void;
  /** A valid line the source chose not to send (an association to another SSID). */
  onSkip?: (source: LineSourceConfig, kind: string) => void;
}

/** Adds a refused line to the batch for `<topic>.dlq`, keyed by its position. */
export function addDlq(
  batch: Batch,
  source: SourceConfig,
  file: string,
  offset: number,
  raw: string,
  reason: string,
  maxBytes = dlqRecordBytes(),
): void {
  const value: DlqRecord = {
    raw,
    source_file: file,
    source_offset: offset,
    reason,
    source: source.name,
    topic: source.topic,
  };
  let json = JSON.stringify(value);
  // Escapes can make the JSON of a line cut at the limit bigger than the DLQ topic takes: cut more.
  for (let bytes; json.length * 3 > maxBytes && (bytes = Buffer.byteLength(json)) > maxBytes;) {
    value.raw = value.raw.slice(0, Math.floor((value.raw.length * maxBytes) / bytes) - 1024);
    value.reason = `${reason} (raw text cut to fit the DLQ record size)`;
    json = JSON.stringify(value);
  }
  batch.add(dlqTopic(source.topic), `${file}:${offset}`, json);
}

const utcText = (ms: number) =>
  Number.isFinite(ms) && Math.abs(ms) <= 8.64e15
    ? new Date(ms).toISOString().replace('T', ' ').replace('Z', ' UTC')
    : String(ms);

/**
 * Why an event time would break the jobs, or undefined when it is within the source's limits: far
 * ahead, it moves the watermark past every real window; far behind, it is late for all of them.
 */
export function outOfBounds(
  ts: number,
  limits: Pick<LineSourceConfig, 'maxFutureSkewMs' | 'maxAgeMs'>,
  now: number,
): string | undefined {
  if (limits.maxFutureSkewMs !== null && ts > now + limits.maxFutureSkewMs)
    return `event time ${utcText(ts)} is further ahead of the watcher's clock (${utcText(now)}) than maxFutureSkewMs (${limits.maxFutureSkewMs} ms)`;
  if (limits.maxAgeMs !== null && ts < now - limits.maxAgeMs)
    return `event time ${utcText(ts)} is older than maxAgeMs (${limits.maxAgeMs} ms) before the watcher's clock (${utcText(now)})`;
  return undefined;
}

/**
 * Turns lines read from one file into records in the batch: parsed lines to the source's topic,
 * oversize, non-UTF-8 and unparsable ones, and those whose event time is outside the source's
 * limits, to its DLQ with the reason. Blank lines carry nothing.
 */
export function linesToRecords(
  lines: RawLine[],
  ctx: {
    source: LineSourceConfig;
    parser: LineParser;
    path: string;
    maxLineBytes: number;
    /** Largest record for the source's topic; a bigger one goes to the DLQ. */
    maxRecordBytes?: number;
    /** The watcher's clock, which event times are checked against (the source's limits). */
    now?: number;
  },
  batch: Batch,
  onDlq: OnDlq,
  notes: LineNotes = {},
): void {
  const { source, parser, path, maxLineBytes } = ctx;
  const maxRecordBytes = ctx.maxRecordBytes ?? Infinity;
  const now = ctx.now ?? Date.now();
  const refuse = (offset: number, raw: string, reason: string) => {
    onDlq(source);
    addDlq(batch, source, path, offset, raw, reason, dlqRecordBytes(maxLineBytes));
  };
  let latest = -Infinity;
  for (const line of lines) {
    let bytes = line.bytes;
    if (bytes.length && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, -1);
    if (line.oversize) {
      refuse(
        line.offset,
        bytes.toString('utf8'),
        `line longer than ${maxLineBytes} bytes (kept its first ${maxLineBytes})`,
      );
      continue;
    }
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      refuse(line.offset, bytes.toString('utf8'), 'not valid UTF-8');
      continue;
    }
    if (text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim() === '')) continue;
    const parsed = parser(text, { sourceFile: path, offset: line.offset });
    if (!parsed.ok) {
      if (parsed.skip) notes.onSkip?.(source, parsed.reason);
      else refuse(line.offset, text, parsed.reason);
      continue;
    }
    const late = outOfBounds(parsed.ts, source, now);
    if (late) {
      refuse(line.offset, text, late);
      continue;
    }
    const json = parsed.json;
    let size;
    if (json.length * 3 > maxRecordBytes && (size = Buffer.byteLength(json)) > maxRecordBytes)
      refuse(
        line.offset,
        text,
        `record of ${size} bytes is larger than maxRecordBytes (${maxRecordBytes})`,
      );
    else {
      batch.add(source.topic, parsed.key, json);
      if (parsed.ts > latest) latest = parsed.ts;
      if (parsed.warnings && notes.onWarning)
        for (const kind of parsed.warnings) notes.onWarning(source, kind);
    }
  }
  if (latest > -Infinity) batch.noteEventTime(source.topic, latest);
}
