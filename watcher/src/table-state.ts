/**
 * How a table source's state is kept in the offsets topic. The rows a source last published can
 * outgrow one Kafka record (a registry of 40,000 devices is a few MiB), so the state is a head
 * record (`table:<source>`: the files, their hashes, when it was last republished) and parts
 * (`table:<source>#<n>`) of at most PART_CHARS each, all written in the transaction that
 * publishes the rows.
 */
import type { LegacyScheduleState, StoredState, TableFileState, TableHead } from './offsets.js';

/** Largest part, in characters of JSON: under the offsets topic's 1 MiB records even if escaped. */
export const PART_CHARS = 256 * 1024;

/** What a table source last published: its files' rows, and when the whole was last sent. */
export interface TableSnapshot {
  files: Record<string, TableFileState>;
  publishedAt: number;
  /** How many parts hold it in the offsets topic (the surplus of a bigger snapshot is deleted). */
  parts: number;
  /** Keys an older watcher published (it kept no files): checked against the first snapshot. */
  legacyKeys?: string[];
}

/** The head record's key for a table source. */
export function tableStateKey(source: string): string {
  return `table:${source}`;
}

const partKey = (source: string, n: number) => `${tableStateKey(source)}#${n}`;
/** Where an older watcher kept a schedule source's state. */
const legacyKey = (source: string) => `schedule:${source}`;

/** The offsets-topic records that store `snapshot` (null deletes a record). */
export function encodeSnapshot(
  source: string,
  snapshot: TableSnapshot,
  previous: TableSnapshot | undefined,
): [string, string | null][] {
  const parts: Record<string, Record<string, string>>[] = [];
  let part: Record<string, Record<string, string>> = {};
  let size = 0;
  for (const [path, file] of Object.entries(snapshot.files)) {
    for (const [key, value] of Object.entries(file.rows)) {
      const bytes = JSON.stringify(key).length + JSON.stringify(value).length + 2;
      if (size > 0 && size + bytes > PART_CHARS) {
        parts.push(part);
        part = {};
        size = 0;
      }
      (part[path] ??= {})[key] = value;
      size += bytes;
    }
  }
  if (size > 0) parts.push(part);
  snapshot.parts = parts.length;
  const head: StoredState = {
    kind: 'table',
    state: {
      source,
      publishedAt: snapshot.publishedAt,
      parts: parts.length,
      files: Object.fromEntries(
        Object.entries(snapshot.files).map(([path, { rows: _rows, ...meta }]) => [path, meta]),
      ),
    },
  };
  const out: [string, string | null][] = [[tableStateKey(source), JSON.stringify(head)]];
  parts.forEach((files, n) =>
    out.push([partKey(source, n), JSON.stringify({ kind: 'table-rows', files })]),
  );
  for (let n = parts.length; n < (previous?.parts ?? 0); n++) out.push([partKey(source, n), null]);
  if (previous?.legacyKeys) out.push([legacyKey(source), null]);
  return out;
}

/**
 * A table source's snapshot as the offsets topic holds it, or undefined when it holds none (or
 * an incomplete one: then the source starts afresh, publishing every row again).
 */
export function decodeSnapshot(
  source: string,
  stored: ReadonlyMap<string, StoredState>,
): TableSnapshot | undefined {
  const head = stored.get(tableStateKey(source));
  if (head?.kind === 'table') return assemble(source, head.state, stored);
  const legacy = stored.get(legacyKey(source));
  if (legacy?.kind === 'schedule') return fromLegacy(legacy.state);
  return undefined;
}

function assemble(
  source: string,
  head: TableHead,
  stored: ReadonlyMap<string, StoredState>,
): TableSnapshot | undefined {
  const files: Record<string, TableFileState> = {};
  for (const [path, meta] of Object.entries(head.files)) files[path] = { ...meta, rows: {} };
  for (let n = 0; n < head.parts; n++) {
    const part = stored.get(partKey(source, n));
    if (part?.kind !== 'table-rows') return undefined;
    for (const [path, rows] of Object.entries(part.files))
      if (files[path]) Object.assign(files[path].rows, rows);
  }
  return { files, publishedAt: head.publishedAt, parts: head.parts };
}

function fromLegacy(state: LegacyScheduleState): TableSnapshot {
  // Its files are unknown: the first fill reads them all, republishes and tombstones what left.
  return { files: {}, publishedAt: 0, parts: 0, legacyKeys: Object.keys(state.rows) };
}
