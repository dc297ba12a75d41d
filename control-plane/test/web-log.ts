/**
 * A deterministic access log for the web analytics test: people and bots (cut and missing user
 * agents among them), pages, assets, 404s, external and internal referrers, IPv6 clients, a few
 * seconds out of order.
 */
import type { Request } from './web-expectations.js';

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
