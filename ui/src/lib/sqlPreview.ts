/**
 * What the SQL page computes from the gateway's result pages: the preview table kept up to date
 * by the changelog, when to fetch the next page, and why a preview ended.
 */
import type { FetchResultsBody, RowData } from '../api/sqlGateway.js';

export interface PreviewRow {
  /** Stable across updates of other rows, for rendering. */
  id: number;
  fields: unknown[];
}

export interface PreviewTable {
  rows: PreviewRow[];
  /** Changelog records applied so far (inserts, updates and deletes alike). */
  records: number;
  /** Where the row an UPDATE_BEFORE removed stood, so its UPDATE_AFTER takes its place. */
  hole: number | null;
  nextId: number;
}

export function emptyTable(): PreviewTable {
  return { rows: [], records: 0, hole: null, nextId: 0 };
}

function sameFields(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Applies changelog rows as Flink's SQL client does in table mode: INSERT and UPDATE_AFTER add
 * a row, UPDATE_BEFORE and DELETE remove an equal one. An update keeps the row in its place.
 * Returns a new table; the one given is not changed.
 */
export function applyChangelog(table: PreviewTable, data: readonly RowData[]): PreviewTable {
  const rows = table.rows.slice();
  let { hole, nextId } = table;
  for (const row of data) {
    if (row.kind === 'INSERT' || row.kind === 'UPDATE_AFTER') {
      const added = { id: nextId++, fields: row.fields };
      if (row.kind === 'UPDATE_AFTER' && hole !== null) rows.splice(hole, 0, added);
      else rows.push(added);
      hole = null;
    } else {
      const at = rows.findIndex((r) => sameFields(r.fields, row.fields));
      if (at >= 0) rows.splice(at, 1);
      hole = row.kind === 'UPDATE_BEFORE' && at >= 0 ? at : null;
    }
  }
  return { rows, records: table.records + data.length, hole, nextId };
}

/** How long to wait before asking for the next page; 0 to ask at once. */
export function pollDelay(page: FetchResultsBody, previousMs: number): number {
  const rows = page.results?.data?.length ?? 0;
  if (page.resultType === 'PAYLOAD' && rows > 0) return 0;
  // Nothing new yet: back off from 200 ms up to 1 s, so a quiet preview costs little.
  return Math.min(1000, Math.max(200, previousMs * 2));
}

export type EndReason = 'finished' | 'rowLimit' | 'timeLimit' | 'stopped';

export interface PreviewLimits {
  maxRows: number | null;
  maxMs: number | null;
}

/**
 * Session properties that bound a preview (the gateway lists them with the limits in force). The
 * protocol's EOS does not say why a result ended, so the page compares what it saw with these.
 */
export const LIMIT_KEYS = {
  maxRows: 'sql-gateway.preview.max-rows',
  maxMs: 'sql-gateway.preview.timeout',
} as const;

/** A duration as Flink writes it ("30 s", "2 min", "500ms", "60000") in milliseconds. */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return null;
  const unit = (m[2] ?? '').toLowerCase();
  const scale: Record<string, number> = {
    '': 1,
    ms: 1,
    milli: 1,
    millis: 1,
    s: 1000,
    sec: 1000,
    second: 1000,
    seconds: 1000,
    min: 60_000,
    m: 60_000,
    minute: 60_000,
    minutes: 60_000,
    h: 3_600_000,
    hour: 3_600_000,
    hours: 3_600_000,
  };
  const factor = scale[unit];
  return factor === undefined ? null : Number(m[1]) * factor;
}

/** The preview limits named in a session's properties (null when not set). */
export function limitsFrom(properties: Record<string, string>): PreviewLimits {
  const rows = properties[LIMIT_KEYS.maxRows];
  const time = properties[LIMIT_KEYS.maxMs];
  const maxRows = rows !== undefined && /^\d+$/.test(rows.trim()) ? Number(rows) : null;
  return { maxRows, maxMs: time !== undefined ? parseDuration(time) : null };
}

/** Why a query result reached EOS: the row limit, the time limit, or the job finished. */
export function endReason(records: number, elapsedMs: number, limits: PreviewLimits): EndReason {
  if (limits.maxRows !== null && records >= limits.maxRows) return 'rowLimit';
  // Pages arrive up to a poll late: within a second of the limit counts as reaching it.
  if (limits.maxMs !== null && elapsedMs >= limits.maxMs - 1000) return 'timeLimit';
  return 'finished';
}

/** A field as the table shows it: NULL for null, JSON for rows, arrays and maps. */
export function formatField(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
