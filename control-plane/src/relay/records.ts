/**
 * Turns an output-topic record into a change of a channel's table, or says why it cannot.
 * Plain functions, so the rules for timestamps, keys and tombstones are unit-tested without Kafka.
 */
import { Compile } from 'typebox/compile';
import { AttendanceKey, AttendanceValue, PvuvValue, WS_CHANNELS } from '@pulse/contracts';
import type { ChannelSpec } from './config.js';

export type Change =
  | { ok: true; op: 'upsert'; key: string; row: Record<string, unknown>; windowEnd?: number }
  | { ok: true; op: 'delete'; key: string }
  | { ok: false; reason: string };

interface Validator {
  Check(value: unknown): boolean;
}

/** Shapes checked for the channels the dashboard draws; other channels need only a JSON object. */
const VALUE_SCHEMAS: Record<string, Validator> = {
  [WS_CHANNELS.pvuv]: Compile(PvuvValue),
  [WS_CHANNELS.attendance]: Compile(AttendanceValue),
};
const KEY_SCHEMAS: Record<string, Validator> = {
  [WS_CHANNELS.attendance]: Compile(AttendanceKey),
};

const SQL_TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)$/;

/**
 * Epoch ms of a Flink timestamp: ISO-8601 with a zone is honoured; "yyyy-MM-dd HH:mm:ss[.SSS]"
 * without one means UTC (Kafka carries UTC). Returns NaN when it is neither.
 */
export function parseUtcTimestamp(text: string): number {
  const trimmed = text.trim();
  const naive = SQL_TIMESTAMP.exec(trimmed);
  if (naive) {
    const fraction = (naive[2] ?? '').replace(/(\.\d{3})\d+$/, '$1');
    return Date.parse(`${naive[1]}T${fraction}Z`);
  }
  if (!/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(trimmed)) return Number.NaN;
  return Date.parse(trimmed);
}

function parseJson(buffer: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(buffer.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** What decoding needs to know of a channel. */
export type DecodeSpec = Pick<ChannelSpec, 'name' | 'kind' | 'timeColumn' | 'keyColumns'>;

/** A timestamp column's value as epoch ms (numbers are taken as epoch ms already). */
function epochOf(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return typeof value === 'string' ? parseUtcTimestamp(value) : Number.NaN;
}

/**
 * Decodes one record of a channel into a change. Timestamps of `window_start`, `window_end` and
 * the channel's time column become epoch ms; the time column also ages rows out (`windowEnd`).
 * Append-only rows are keyed by their window (or time) and the Kafka key or key columns; upsert
 * rows by their Kafka key, a null value deleting the row.
 */
export function decodeRecord(spec: DecodeSpec, key: Buffer | null, value: Buffer | null): Change {
  const { name: channel, kind } = spec;
  const keyText = key?.toString('utf8') ?? null;
  const keySchema = KEY_SCHEMAS[channel];
  if (keySchema && keyText !== null) {
    const parsed = parseJson(key as Buffer);
    if (!parsed.ok || !keySchema.Check(parsed.value))
      return { ok: false, reason: 'key does not match the channel schema' };
  }
  if (kind === 'table') {
    if (keyText === null) return { ok: false, reason: 'upsert record without a key' };
    if (value === null) return { ok: true, op: 'delete', key: keyText };
  }
  if (value === null) return { ok: false, reason: 'window record without a value' };
  const parsed = parseJson(value);
  if (!parsed.ok) return { ok: false, reason: 'value is not JSON' };
  if (!isObject(parsed.value)) return { ok: false, reason: 'value is not a JSON object' };
  const schema = VALUE_SCHEMAS[channel];
  if (schema && !schema.Check(parsed.value))
    return { ok: false, reason: 'value does not match the channel schema' };
  const row: Record<string, unknown> = { ...parsed.value };
  const timeColumn = spec.timeColumn ?? (kind === 'window' ? 'window_end' : undefined);
  for (const column of new Set([
    'window_start',
    'window_end',
    ...(timeColumn ? [timeColumn] : []),
  ])) {
    if (row[column] === undefined || row[column] === null) continue;
    const at = epochOf(row[column]);
    if (Number.isNaN(at)) return { ok: false, reason: `${column} is not a timestamp` };
    row[column] = at;
  }
  const time = timeColumn ? (row[timeColumn] as number | undefined) : undefined;
  if (timeColumn && typeof time !== 'number')
    return { ok: false, reason: `${timeColumn} is missing` };
  if (kind === 'table')
    return {
      ok: true,
      op: 'upsert',
      key: keyText as string,
      row,
      ...(time !== undefined ? { windowEnd: time } : {}),
    };

  // Several rows may share a window (e.g. top pages): the Kafka key or key columns tell them apart.
  const start = typeof row.window_start === 'number' ? row.window_start : undefined;
  const base =
    start !== undefined && timeColumn === 'window_end' ? `${start}/${time}` : String(time);
  const extra =
    keyText ??
    (spec.keyColumns?.length ? JSON.stringify(spec.keyColumns.map((c) => row[c])) : null);
  return {
    ok: true,
    op: 'upsert',
    key: extra === null ? base : `${base}/${extra}`,
    row,
    windowEnd: time as number,
  };
}
