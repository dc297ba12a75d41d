/**
 * An independent TypeScript reading of what web_analytics.sql counts (its header is the spec): a
 * deterministic access log with pages, assets, bots, 404s and referrers, and every output the job
 * should write for it.
 */

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

/** User-agent fragments of robots, as tables/bots.sql lists them. */
const BOT_WORDS = [
  'bot',
  'crawl',
  'spider',
  'slurp',
  'archiver',
  'facebookexternalhit',
  'headless',
  'phantomjs',
  'lighthouse',
  'pingdom',
  'uptime',
  'monitor',
  'curl/',
  'wget/',
  'python-requests',
  'python-urllib',
  'aiohttp',
  'go-http-client',
  'java/',
  'okhttp',
  'apache-httpclient',
  'libwww-perl',
  'scrapy',
  'axios/',
  'node-fetch',
];
const FILE_EXTENSIONS = new Set(
  (
    'css js mjs map json xml txt png jpg jpeg gif svg ico webp avif bmp tif tiff woff woff2 ttf ' +
    'otf eot mp4 webm mp3 m4a ogg wav pdf zip gz tgz rar 7z doc docx xls xlsx ppt pptx apk exe dmg iso'
  ).split(' '),
);

export function isBot(agent: string): boolean {
  const a = agent.trim();
  if (a === '' || a === '-') return true;
  return BOT_WORDS.some((w) => a.toLowerCase().includes(w));
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

const HUMAN_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49',
  'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0',
  // Cut in the log (no closing quote): still a person's browser.
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWeb',
];
const BOT_AGENTS = [
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)',
  'curl/8.5.0',
  'python-requests/2.31.0',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0',
  '-',
  '',
];
const PAGES = [
  '/',
  '/news',
  '/news?id=3',
  '/courses',
  '/library',
  '/search?q=timetable',
  '/login',
  '/News',
  '/events#today',
  '/about',
  '/courses/CS101',
  '/news/2026/article-7',
];
const ASSETS = [
  '/static/app.js',
  '/static/app.css?v=3',
  '/img/Logo.PNG',
  '/favicon.ico',
  '/fonts/a.woff2',
  '/robots.txt',
  '/.well-known/security.txt',
  '/docs/guide.pdf',
  '/static/app.js.map',
];
const MISSING = ['/wp-login.php', '/old-page', '/missing.html', '/admin/.env', '/news/2019'];
const EXTERNAL = [
  'https://www.google.com/search?q=campus',
  'https://www.baidu.com/s?wd=x',
  'https://WWW.Google.com/',
  'https://t.co/abc',
  'android-app://com.google.android.gm/',
  'weird-not-url',
  'https://www.bing.com/',
  // Cut in the log.
  'https://www.baidu.co',
];
const INTERNAL = [
  'https://campus.example.edu/news',
  'http://Campus.Example.edu:8080/x',
  'https://www.campus.example.edu/',
];

/** `count` requests over `spanS` seconds from `start`, out of order by up to 3 s. */
export function generateRequests(
  count: number,
  start: number,
  spanS: number,
  seed: number,
): Request[] {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(xs: readonly T[], skew = 1): T => xs[Math.floor(rnd() ** skew * xs.length)]!;
  const humans = Array.from({ length: 200 }, (_, i) => ({
    visitor: `h${i}`,
    ip: i % 7 === 0 ? `2001:db8::${i.toString(16)}` : `10.0.${i >> 8}.${i & 255}`,
    agent: pick(HUMAN_AGENTS),
  }));
  const bots = Array.from({ length: 14 }, (_, i) => ({
    visitor: `b${i}`,
    ip: `66.249.66.${i}`,
    agent: BOT_AGENTS[i % BOT_AGENTS.length]!,
  }));
  const out: Request[] = [];
  for (let i = 0; i < count; i++) {
    const t = start + Math.floor((i / count) * spanS * 1000);
    const bot = rnd() < 0.15;
    const who = bot ? pick(bots) : pick(humans, 2);
    const kind = rnd();
    const path = kind < 0.65 ? pick(PAGES, 2) : kind < 0.9 ? pick(ASSETS) : pick(MISSING, 2);
    const roll = rnd();
    const status = MISSING.includes(path)
      ? 404
      : ASSETS.includes(path)
        ? roll < 0.7
          ? 200
          : 304
        : roll < 0.78
          ? 200
          : roll < 0.84
            ? 304
            : roll < 0.88
              ? 301
              : roll < 0.91
                ? 500
                : roll < 0.93
                  ? 503
                  : roll < 0.95
                    ? 206
                    : 403;
    const m = rnd();
    const method = path === '/login' && m < 0.5 ? 'POST' : m > 0.97 ? 'HEAD' : 'GET';
    const r = rnd();
    const referrer = bot
      ? '-'
      : r < 0.3
        ? '-'
        : r < 0.35
          ? ''
          : r < 0.7
            ? pick(EXTERNAL, 1.5)
            : pick(INTERNAL);
    out.push({
      t,
      visitor: who.visitor,
      ip: who.ip,
      method,
      path,
      status,
      bytes: status === 304 ? 0 : 100 + Math.floor(rnd() * 50_000),
      referrer,
      agent: who.agent,
    });
  }
  // Bounded disorder, less than the job's watermark delay.
  for (let i = 0; i < out.length; i++) {
    const j = Math.min(out.length - 1, i + Math.floor(rnd() * 10));
    if (Math.abs(out[j]!.t - out[i]!.t) < 3000) [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
