/**
 * Turns an output-topic record into a change of a channel's table, or says why it cannot.
 * Plain functions, so the rules for timestamps, keys and tombstones are unit-tested without Kafka.
 */
import { Compile } from 'typebox/compile';
import { AttendanceKey, AttendanceValue, PvuvValue, WS_CHANNELS } from '@pulse/contracts';
import type { ChannelKind } from '@pulse/contracts';

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

/** Decodes one record of channel `channel` (of `kind`) into a change. */
export function decodeRecord(
  channel: string,
  kind: ChannelKind,
  key: Buffer | null,
  value: Buffer | null,
): Change {
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
  const row = parsed.value;
  if (kind === 'table') return { ok: true, op: 'upsert', key: keyText as string, row };

  const start =
    typeof row.window_start === 'string' ? parseUtcTimestamp(row.window_start) : Number.NaN;
  const end = typeof row.window_end === 'string' ? parseUtcTimestamp(row.window_end) : Number.NaN;
  if (Number.isNaN(start) || Number.isNaN(end))
    return { ok: false, reason: 'window_start/window_end is not a timestamp' };
  // Several rows may share a window (e.g. top pages); the Kafka key then tells them apart.
  const windowKey = keyText === null ? `${start}/${end}` : `${start}/${end}/${keyText}`;
  return {
    ok: true,
    op: 'upsert',
    key: windowKey,
    row: { ...row, window_start: start, window_end: end },
    windowEnd: end,
  };
}
