/**
 * Generated web requests for the history job tests, and what the history must hold for them,
 * computed here without Flink: traffic per minute, UTC hour and campus day (Asia/Shanghai, a fixed
 * UTC+8), and the PV/UV sliding windows.
 */
import { seeded } from './history-helpers.js';
import { sqlTimestamp } from './kafka-helpers.js';

export interface Request {
  t: number;
  visitor: string;
  status: number | null;
}

export interface Totals {
  pv: number;
  uv: number;
  status_2xx: number;
  status_3xx: number;
  status_4xx: number;
  status_5xx: number;
  status_other: number;
}

const STATUSES = [200, 200, 200, 200, 200, 200, 200, 304, 404, 404, 500, 101, null, 999];
const CAMPUS_OFFSET_MS = 8 * 3_600_000;

/** `count` requests evenly over [start, end), shuffled by at most `disorderMs`, from skewed visitors. */
export function requests(
  count: number,
  start: number,
  end: number,
  disorderMs: number,
  seed: number,
) {
  const rnd = seeded(seed);
  const out: Request[] = [];
  for (let i = 0; i < count; i++) {
    out.push({
      t: start + Math.floor((i / count) * (end - start)),
      visitor: `v${Math.floor(rnd() ** 2 * 3000)}`,
      status: STATUSES[Math.floor(rnd() * STATUSES.length)]!,
    });
  }
  for (let i = 0; i < out.length; i++) {
    const j = Math.min(out.length - 1, i + Math.floor(rnd() * 40));
    if (Math.abs(out[j]!.t - out[i]!.t) < disorderMs) [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The access_log record the watcher would write for a request. */
export function accessRecord(r: Request, i: number, partition?: number) {
  return {
    key: r.visitor,
    ...(partition === undefined ? {} : { partition }),
    value: JSON.stringify({
      event_time: sqlTimestamp(r.t),
      ts_ms: r.t,
      client_ip: '10.0.0.1',
      visitor_id: r.visitor,
      method: 'GET',
      path: '/',
      protocol: 'HTTP/1.1',
      status: r.status,
      bytes: 100,
      referrer: '-',
      user_agent: 'test',
      source_file: '/logs/access.log',
      source_offset: i * 100,
    }),
  };
}

function statusColumn(status: number | null): keyof Totals {
  if (status === null || status < 200 || status >= 600) return 'status_other';
  return `status_${Math.floor(status / 100)}xx` as keyof Totals;
}

function totals(groups: Map<string, Request[]>): Map<string, Totals> {
  const out = new Map<string, Totals>();
  for (const [key, rs] of groups) {
    const t: Totals = {
      pv: rs.length,
      uv: new Set(rs.map((r) => r.visitor)).size,
      status_2xx: 0,
      status_3xx: 0,
      status_4xx: 0,
      status_5xx: 0,
      status_other: 0,
    };
    for (const r of rs) t[statusColumn(r.status)]++;
    out.set(key, t);
  }
  return out;
}

function group(rs: Request[], key: (r: Request) => string): Map<string, Request[]> {
  const out = new Map<string, Request[]>();
  for (const r of rs) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Expected rows: minute and hour buckets whose window closed (end at or before `watermark`), keyed
 * by their UTC start; every campus day of `all` (the day rows count every request, late or not).
 */
export function expectedTraffic(all: Request[], watermark: number) {
  const tumbling = (size: number) =>
    totals(
      group(
        all.filter((r) => Math.floor(r.t / size) * size + size <= watermark),
        (r) => iso(Math.floor(r.t / size) * size),
      ),
    );
  return {
    minute: tumbling(60_000),
    hour: tumbling(3_600_000),
    day: totals(group(all, (r) => iso(r.t + CAMPUS_OFFSET_MS).slice(0, 10))),
  };
}

/**
 * PV (requests) and UV (distinct visitors) per HOP window of `sizeS` seconds sliding by `slideS`,
 * keyed by the window's end (epoch ms); only windows ending at or before `watermark`.
 */
export function hopWindows(
  all: { t: number; visitor: string }[],
  sizeS: number,
  slideS: number,
  watermark = Number.POSITIVE_INFINITY,
): Map<number, { pv: number; uv: number }> {
  const windows = new Map<number, { pv: number; visitors: Set<string> }>();
  for (const r of all) {
    const lastStart = Math.floor(r.t / (slideS * 1000)) * slideS * 1000;
    for (let start = lastStart; start > r.t - sizeS * 1000; start -= slideS * 1000) {
      const end = start + sizeS * 1000;
      if (end > watermark) continue;
      const w = windows.get(end) ?? { pv: 0, visitors: new Set<string>() };
      w.pv++;
      w.visitors.add(r.visitor);
      windows.set(end, w);
    }
  }
  return new Map([...windows].map(([end, w]) => [end, { pv: w.pv, uv: w.visitors.size }]));
}

/** PV and UV per HOP window (size and slide in seconds), keyed by "start/end", closed windows only. */
export function expectedWindows(all: Request[], sizeS: number, slideS: number, watermark: number) {
  return new Map(
    [...hopWindows(all, sizeS, slideS, watermark)].map(
      ([end, w]) => [`${iso(end - sizeS * 1000)}/${iso(end)}`, w] as const,
    ),
  );
}
