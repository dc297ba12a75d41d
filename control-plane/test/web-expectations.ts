/**
 * An independent TypeScript reading of what web_analytics.sql counts (its header is the spec):
 * every output the job should write for a given access log.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@pulse/stack';

export interface Request {
  t: number;
  visitor: string;
  ip: string;
  method: string;
  path: string;
  status: number;
  bytes: number;
  referrer: string;
  agent: string;
}

/**
 * The robot patterns, read from tables/bots.sql: analysts edit that list, and the expectation
 * follows it instead of keeping a copy that would drift. The matching itself is done here.
 */
const BOT_PATTERNS = (() => {
  const sql = readFileSync(join(REPO_ROOT, 'jobs', 'sql', 'tables', 'bots.sql'), 'utf8');
  const args = /CONCAT_WS\('\|',([\s\S]*?)\)\)\s*THEN/.exec(sql)?.[1] ?? '';
  const patterns = [...args.replace(/--.*$/gm, '').matchAll(/'((?:[^']|'')*)'/g)].map(
    (m) => new RegExp(m[1]!.replace(/''/g, "'")),
  );
  if (patterns.length === 0) throw new Error('tables/bots.sql lists no robot pattern');
  return patterns;
})();
const FILE_EXTENSIONS = new Set(
  (
    'css js mjs map json xml txt png jpg jpeg gif svg ico webp avif bmp tif tiff woff woff2 ttf ' +
    'otf eot mp4 webm mp3 m4a ogg wav pdf zip gz tgz rar 7z doc docx xls xlsx ppt pptx apk exe dmg iso'
  ).split(' '),
);

export function isBot(agent: string): boolean {
  const a = agent.trim();
  if (a === '' || a === '-') return true;
  const lower = a.toLowerCase();
  return BOT_PATTERNS.some((p) => p.test(lower));
}

/** The path without its query string or fragment. */
export const pageOf = (path: string) => path.split(/[?#]/)[0]!;

function isFile(page: string): boolean {
  const lower = page.toLowerCase();
  if (lower.startsWith('/.well-known/')) return true;
  const last = lower.split('/').pop() ?? '';
  const dot = last.lastIndexOf('.');
  return dot >= 0 && FILE_EXTENSIONS.has(last.slice(dot + 1));
}

export function isPageView(r: Request): boolean {
  const page = pageOf(r.path);
  return (
    r.method === 'GET' &&
    ((r.status >= 200 && r.status < 300) || r.status === 304) &&
    page.startsWith('/') &&
    !isFile(page) &&
    !isBot(r.agent)
  );
}

/** The referring host of a page view from another site, or null. */
export function externalSource(referrer: string, siteHosts: string[]): string | null {
  const ref = referrer.trim();
  if (ref === '' || ref === '-') return null;
  let host: string;
  try {
    host = new URL(ref).hostname.toLowerCase();
  } catch {
    return ref;
  }
  if (host === '') return ref;
  return siteHosts.includes(host) ? null : host;
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

interface Window {
  start: number;
  items: Request[];
}

function windows(all: Request[], sizeMs: number): Map<number, Window> {
  const out = new Map<number, Window>();
  for (const r of all) {
    const start = Math.floor(r.t / sizeMs) * sizeMs;
    const w = out.get(start) ?? { start, items: [] };
    w.items.push(r);
    out.set(start, w);
  }
  return out;
}

const count = (items: Request[], f: (r: Request) => boolean) => items.filter(f).length;
const distinct = (items: { visitor: string }[]) => new Set(items.map((r) => r.visitor)).size;

/** The rows of the per-minute output, by window_end. */
export function perMinute(all: Request[]): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const { start, items } of windows(all, 60_000).values()) {
    const cls = (lo: number) => count(items, (r) => r.status >= lo && r.status < lo + 100);
    const bots = count(items, (r) => isBot(r.agent));
    out.set(iso(start + 60_000), {
      window_start: iso(start),
      window_end: iso(start + 60_000),
      requests: items.length,
      page_views: count(items, isPageView),
      visitors: distinct(items),
      bytes: items.reduce((s, r) => s + r.bytes, 0),
      status_2xx: cls(200),
      status_3xx: cls(300),
      status_4xx: cls(400),
      status_5xx: cls(500),
      error_rate: (cls(400) + cls(500)) / items.length,
      bot_requests: bots,
      human_requests: items.length - bots,
    });
  }
  return out;
}

/** The rows of the per-hour output, by window_end. */
export function perHour(all: Request[]): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const { start, items } of windows(all, 3_600_000).values())
    out.set(iso(start + 3_600_000), {
      window_start: iso(start),
      window_end: iso(start + 3_600_000),
      requests: items.length,
      page_views: count(items, isPageView),
      visitors: distinct(items),
    });
  return out;
}

/** "Today so far" per campus day in Asia/Shanghai (UTC+8 all year), by campus_day. */
export function today(all: Request[]): Map<string, Record<string, unknown>> {
  const byDay = new Map<string, Request[]>();
  const day = new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  for (const r of all) {
    const d = day.format(new Date(r.t));
    byDay.set(d, [...(byDay.get(d) ?? []), r]);
  }
  return new Map(
    [...byDay].map(([d, items]) => [
      d,
      {
        campus_day: d,
        day_start: iso(Date.parse(`${d}T00:00:00+08:00`)),
        requests: items.length,
        page_views: count(items, isPageView),
        visitors: distinct(items),
      },
    ]),
  );
}

/** The first `n` items by count, ties by name, for every window, keyed `window_end|rank_no`. */
function ranked(
  all: Request[],
  sizeMs: number,
  n: number,
  item: (r: Request) => string | null,
  names: [string, string],
): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const { start, items } of windows(all, sizeMs).values()) {
    const counts = new Map<string, number>();
    for (const r of items) {
      const it = item(r);
      if (it !== null) counts.set(it, (counts.get(it) ?? 0) + 1);
    }
    [...counts]
      .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, n)
      .forEach(([name, c], i) => {
        const end = iso(start + sizeMs);
        out.set(`${end}|${i + 1}`, {
          window_start: iso(start),
          window_end: end,
          rank_no: i + 1,
          [names[0]]: name,
          [names[1]]: c,
        });
      });
  }
  return out;
}

/** The three top lists of TOP_WINDOW-minute windows. */
export function topLists(all: Request[], windowMin: number, n: number, siteHosts: string[]) {
  const size = windowMin * 60_000;
  return {
    pages: ranked(all, size, n, (r) => (isPageView(r) ? pageOf(r.path) : null), [
      'page',
      'page_views',
    ]),
    referrers: ranked(
      all,
      size,
      n,
      (r) => (isPageView(r) ? externalSource(r.referrer, siteHosts) : null),
      ['referrer', 'page_views'],
    ),
    notFound: ranked(all, size, n, (r) => (r.status === 404 ? pageOf(r.path) : null), [
      'path',
      'requests',
    ]),
  };
}

/** An upsert topic read to its end: the last value of every key (tombstones delete it). */
export function lastPerKey(
  records: { key: string | null; value: string | null }[],
  keyFields: string[],
): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const r of records) {
    const key = JSON.parse(r.key!) as Record<string, unknown>;
    const k = keyFields.map((f) => String(key[f])).join('|');
    if (r.value === null) out.delete(k);
    else out.set(k, JSON.parse(r.value) as Record<string, unknown>);
  }
  return out;
}
