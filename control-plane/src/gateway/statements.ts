/**
 * What the gateway reads of a statement itself, without a SQL parser: whether it looks like a
 * query (so a preview topic is made ready before the planner is asked), and SETs of the gateway's
 * own preview limits (checked against the operator's ceilings before the planner stores them).
 */
import { GatewayError } from './errors.js';
import { SESSION_KEYS } from './constants.js';

/** The statement without leading comments, surrounding blanks and trailing semicolons. */
export function trimStatement(statement: string): string {
  let s = statement.trim();
  for (;;) {
    if (s.startsWith('--')) {
      const end = s.indexOf('\n');
      s = end < 0 ? '' : s.slice(end + 1).trim();
    } else if (s.startsWith('/*') && !s.startsWith('/*+')) {
      const end = s.indexOf('*/');
      s = end < 0 ? '' : s.slice(end + 2).trim();
    } else break;
  }
  while (s.endsWith(';')) s = s.slice(0, -1).trimEnd();
  return s;
}

/** True for statements that are queries: SELECT, WITH, VALUES, or one of them in parentheses. */
export function looksLikeQuery(statement: string): boolean {
  return /^\(*\s*(SELECT|WITH|VALUES)\b/i.test(trimStatement(statement));
}

/** A duration as Flink writes one ("30 s", "2 min", "500ms", "1h", a bare number of ms). */
export function parseFlinkDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return undefined;
  const units: Record<string, number> = {
    '': 1,
    ms: 1,
    milli: 1,
    millis: 1,
    millisecond: 1,
    milliseconds: 1,
    s: 1000,
    sec: 1000,
    secs: 1000,
    second: 1000,
    seconds: 1000,
    m: 60_000,
    min: 60_000,
    mins: 60_000,
    minute: 60_000,
    minutes: 60_000,
    h: 3_600_000,
    hour: 3_600_000,
    hours: 3_600_000,
  };
  const unit = units[m[2]!.toLowerCase()];
  return unit === undefined ? undefined : Math.round(Number(m[1]) * unit);
}

/** The bounds of a preview: rows and milliseconds. */
export interface PreviewLimits {
  maxRows: number;
  timeoutMs: number;
}

/**
 * A session's preview limits: the operator's `ceiling` unless the session SET lower ones.
 * A value above the ceiling or unreadable is an error naming the key and the ceiling.
 */
export function previewLimits(
  properties: Record<string, string>,
  ceiling: PreviewLimits,
): PreviewLimits {
  return {
    maxRows:
      checkSetting(SESSION_KEYS.maxRows, properties[SESSION_KEYS.maxRows], ceiling)?.maxRows ??
      ceiling.maxRows,
    timeoutMs:
      checkSetting(SESSION_KEYS.timeout, properties[SESSION_KEYS.timeout], ceiling)?.timeoutMs ??
      ceiling.timeoutMs,
  };
}

/** Checks one of the gateway's keys; undefined for another key or no value. */
export function checkSetting(
  key: string,
  value: string | undefined,
  ceiling: PreviewLimits,
): Partial<PreviewLimits> | undefined {
  if (value === undefined) return undefined;
  if (key === SESSION_KEYS.maxRows) {
    const rows = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
    if (!(rows >= 1))
      throw new GatewayError(
        'SETTING_INVALID',
        `${key} must be a positive number of rows, got '${value}'`,
      );
    if (rows > ceiling.maxRows)
      throw new GatewayError(
        'SETTING_INVALID',
        `${key} = ${rows} is above the limit the operator set (SQL_GATEWAY_PREVIEW_MAX_ROWS = ${ceiling.maxRows})`,
      );
    return { maxRows: rows };
  }
  if (key === SESSION_KEYS.timeout) {
    const ms = parseFlinkDuration(value);
    if (ms === undefined || ms <= 0)
      throw new GatewayError(
        'SETTING_INVALID',
        `${key} must be a duration such as '30 s' or '2 min', got '${value}'`,
      );
    if (ms > ceiling.timeoutMs)
      throw new GatewayError(
        'SETTING_INVALID',
        `${key} = '${value}' is above the limit the operator set (SQL_GATEWAY_PREVIEW_TIMEOUT = ${ceiling.timeoutMs} ms)`,
      );
    return { timeoutMs: ms };
  }
  return undefined;
}

const SET = /^SET\s+(?:'((?:[^']|'')*)'|([\w.$-]+))\s*=\s*(?:'((?:[^']|'')*)'|(.*?))\s*$/is;

/** The key and value of a `SET k = v` or `SET 'k' = 'v'` statement, else undefined. */
export function parseSet(statement: string): { key: string; value: string } | undefined {
  const m = SET.exec(trimStatement(statement));
  if (!m) return undefined;
  const key = m[1] !== undefined ? m[1].replace(/''/g, "'") : m[2]!;
  const value = m[3] !== undefined ? m[3].replace(/''/g, "'") : m[4]!;
  return { key, value };
}
