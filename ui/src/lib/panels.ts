/**
 * What the generic panels compute from a channel's rows: the newest row, the rows of the newest
 * time, series with gaps where windows are missing, values formatted as the panel declares.
 * Pure functions, unit-tested without a browser.
 */
import type { LocalText, PanelFormat, PanelSpec } from '@pulse/contracts';

export type Row = Record<string, unknown>;

/** The text of `text` in locale `lang`. */
export const local = (text: LocalText, lang: 'en' | 'zh'): string => text[lang] || text.en;

/** A column's label in `lang` (the column name when the panel declares none). */
export const labelOf = (panel: PanelSpec, column: string, lang: 'en' | 'zh'): string =>
  panel.labels[column] ? local(panel.labels[column], lang) : column;

const num = (v: unknown): number | null => {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
};

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** A value as the panel's format writes it; a dash when it is not a number. */
export function formatValue(value: unknown, format: PanelFormat, tag: string): string {
  const n = num(value);
  if (n === null) return value === null || value === undefined ? '–' : String(value);
  if (format === 'percent') return `${(n * 100).toFixed(1)} %`;
  if (format === 'bytes') {
    let unit = 0;
    let v = n;
    while (Math.abs(v) >= 1024 && unit < BYTE_UNITS.length - 1) {
      v /= 1024;
      unit++;
    }
    return `${v.toLocaleString(tag, { maximumFractionDigits: unit === 0 ? 0 : 1 })} ${BYTE_UNITS[unit]}`;
  }
  return n.toLocaleString(tag, { maximumFractionDigits: 2 });
}

/** The time of a row as epoch ms (the relay sends timestamps as epoch ms), or null. */
export const timeOf = (row: Row, column: string | undefined): number | null =>
  column === undefined ? null : num(row[column]);

/** The newest row by the panel's time (the last row when it has none). */
export function newestRow(panel: PanelSpec, rows: Row[]): Row | undefined {
  if (!panel.time) return rows.at(-1);
  let best: Row | undefined;
  let bestAt = Number.NEGATIVE_INFINITY;
  for (const row of rows) {
    const at = timeOf(row, panel.time) ?? Number.NEGATIVE_INFINITY;
    if (at >= bestAt) {
      best = row;
      bestAt = at;
    }
  }
  return best;
}

/**
 * The rows a ranking or table shows: those of the newest time (when the panel has a time), ranked
 * by the first value, largest first, cut at the panel's limit.
 */
export function latestRanked(panel: PanelSpec, rows: Row[]): Row[] {
  const newest = newestRow(panel, rows);
  const at = newest && panel.time ? timeOf(newest, panel.time) : null;
  const current = at === null ? rows : rows.filter((r) => timeOf(r, panel.time) === at);
  const by = panel.values[0];
  const ranked =
    by === undefined ? current : [...current].sort((a, b) => (num(b[by]) ?? 0) - (num(a[by]) ?? 0));
  return ranked.slice(0, panel.limit);
}

/** The usual distance between consecutive times (the smallest positive one), or null. */
export function stepOf(times: number[]): number | null {
  let step: number | null = null;
  for (let i = 1; i < times.length; i++) {
    const d = times[i]! - times[i - 1]!;
    if (d > 0 && (step === null || d < step)) step = d;
  }
  return step;
}

/**
 * One series per value column, as [time, value] points ordered by time, with a null point where a
 * window is missing (so the line breaks instead of drawing a slope across the gap). When the panel
 * has key columns, one series per value and key.
 */
export function timeSeries(
  panel: PanelSpec,
  rows: Row[],
): Array<{ column: string; key: string | null; points: Array<[number, number | null]> }> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const key = panel.key.length ? panel.key.map((k) => String(row[k] ?? '')).join(' / ') : '';
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const out: ReturnType<typeof timeSeries> = [];
  for (const [key, group] of groups) {
    const timed = group
      .map((row) => ({ row, at: timeOf(row, panel.time) }))
      .filter((x): x is { row: Row; at: number } => x.at !== null)
      .sort((a, b) => a.at - b.at);
    const step = stepOf(timed.map((x) => x.at));
    for (const column of panel.values) {
      const points: Array<[number, number | null]> = [];
      timed.forEach(({ row, at }, i) => {
        const before = timed[i - 1]?.at;
        if (step !== null && before !== undefined && at - before > step * 1.5)
          points.push([before + step, null]);
        points.push([at, num(row[column])]);
      });
      out.push({ column, key: panel.key.length ? key : null, points });
    }
  }
  return out;
}

/**
 * Whether the panel's data is stale: the feed is not live, or nothing arrived for longer than the
 * panel allows (its job or the relay's consumer may be down).
 */
export function isStale(
  panel: PanelSpec,
  live: boolean,
  readAt: number | null,
  now: number,
): boolean {
  if (!live) return true;
  return readAt !== null && now - readAt > panel.staleAfterMs;
}
