import { dlqTopic } from '@pulse/contracts';
import type { DlqRecord } from '@pulse/contracts';
import type { Batch } from './batch.js';
import type { SourceConfig } from './config.js';
import type { LineParser } from './formats/index.js';
import type { RawLine } from './lines.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Where refused lines are counted (the watcher's metrics); kept apart so this stays a plain function. */
export type OnDlq = (source: SourceConfig) => void;

/** Adds a refused line to the batch for `<topic>.dlq`, keyed by its position. */
export function addDlq(
  batch: Batch,
  source: SourceConfig,
  file: string,
  offset: number,
  raw: string,
  reason: string,
): void {
  const value: DlqRecord = {
    raw,
    source_file: file,
    source_offset: offset,
    reason,
    source: source.name,
    topic: source.topic,
  };
  batch.add(dlqTopic(source.topic), `${file}:${offset}`, JSON.stringify(value));
}

/**
 * Turns lines read from one file into records in the batch: parsed lines to the source's topic,
 * oversize, non-UTF-8 and unparsable ones to its DLQ with the reason. Blank lines carry nothing.
 */
export function linesToRecords(
  lines: RawLine[],
  ctx: { source: SourceConfig; parser: LineParser; path: string; maxLineBytes: number },
  batch: Batch,
  onDlq: OnDlq,
): void {
  const { source, parser, path, maxLineBytes } = ctx;
  const refuse = (offset: number, raw: string, reason: string) => {
    onDlq(source);
    addDlq(batch, source, path, offset, raw, reason);
  };
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
    if (text.trim() === '') continue;
    const parsed = parser(text, { sourceFile: path, offset: line.offset });
    if (parsed.ok) batch.add(source.topic, parsed.key, JSON.stringify(parsed.value));
    else refuse(line.offset, text, parsed.reason);
  }
}
