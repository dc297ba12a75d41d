import type { Random } from './random.js';
import { clfTime, localClock } from './time.js';

const PAGES = [
  '/',
  '/index.html',
  '/news',
  '/courses',
  '/library',
  '/login',
  '/search?q=timetable',
  '/events',
  '/admissions',
  '/about',
  '/contact',
  '/library/opening-hours',
  '/canteen/menu',
  '/sports/booking',
  '/research',
  '/alumni',
  '/jobs',
  '/it/help/wifi',
  '/it/help/vpn',
  '/student/portal',
  ...Array.from({ length: 80 }, (_, i) => `/news/2026/article-${i + 1}`),
  ...Array.from({ length: 40 }, (_, i) => `/courses/CS${100 + i * 7}`),
];
const ASSETS = ['/static/app.js', '/static/app.css', '/static/logo.svg', '/favicon.ico'];
const BROWSERS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0',
];
const BOTS = [
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
  'Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)',
];
const REFERRERS = [
  '-',
  '-',
  '-',
  'https://www.google.com/',
  'https://www.baidu.com/',
  'https://campus.example.edu/news',
];

interface Visitor {
  ip: string;
  agent: string;
  bot: boolean;
  /** Requests left in the current session. */
  remaining: number;
  lastPage: string;
}

/** Relative traffic by local hour: quiet at night, peaks late morning and evening. */
export function dayNightFactor(hour: number): number {
  return 0.15 + 0.85 * Math.max(0, Math.sin(((hour - 6) / 18) * Math.PI)) ** 0.8;
}

/** Web traffic with returning visitors and sessions, a Zipf page mix, bots and bursts. */
export class WebTraffic {
  private readonly visitors: Visitor[] = [];
  private burstUntil = 0;

  constructor(
    private readonly rng: Random,
    private readonly offsetMinutes: number,
    private readonly population = 2_000,
  ) {}

  private newVisitor(): Visitor {
    const bot = this.rng.chance(0.04);
    const ip = bot
      ? `66.249.${this.rng.int(64, 95)}.${this.rng.int(1, 254)}`
      : this.rng.chance(0.6)
        ? `10.${this.rng.int(10, 40)}.${this.rng.int(0, 255)}.${this.rng.int(1, 254)}`
        : `${this.rng.int(36, 223)}.${this.rng.int(0, 255)}.${this.rng.int(0, 255)}.${this.rng.int(1, 254)}`;
    return {
      ip,
      agent: bot ? this.rng.pick(BOTS) : this.rng.pick(BROWSERS),
      bot,
      remaining: bot ? this.rng.int(20, 60) : this.rng.int(1, 12),
      lastPage: '-',
    };
  }

  private visitor(): Visitor {
    const active = this.visitors.filter((v) => v.remaining > 0);
    if (active.length > 0 && this.rng.chance(0.7)) return this.rng.pick(active);
    if (this.visitors.length < this.population) {
      const v = this.newVisitor();
      this.visitors.push(v);
      return v;
    }
    // A returning visitor starts a new session.
    const v = this.rng.pick(this.visitors);
    v.remaining = v.bot ? this.rng.int(20, 60) : this.rng.int(1, 12);
    return v;
  }

  /** Requests per second to aim for at this instant, before Poisson noise. */
  rateAt(nowMs: number, baseRate: number): number {
    if (nowMs > this.burstUntil && this.rng.chance(0.002))
      this.burstUntil = nowMs + this.rng.int(5, 20) * 1000;
    const burst = nowMs < this.burstUntil ? 4 : 1;
    return baseRate * dayNightFactor(localClock(nowMs, this.offsetMinutes).hour) * burst;
  }

  /** One combined-format line for a request at `ms`. */
  line(ms: number): string {
    const v = this.visitor();
    v.remaining--;
    const asset = !v.bot && this.rng.chance(0.15);
    const path = asset
      ? this.rng.pick(ASSETS)
      : v.bot
        ? this.rng.pick(PAGES)
        : PAGES[this.rng.zipf(PAGES.length)]!;
    const roll = this.rng.next();
    const status =
      asset && roll < 0.3
        ? 304
        : roll < 0.9
          ? 200
          : roll < 0.95
            ? 404
            : roll < 0.97
              ? 301
              : roll < 0.99
                ? 302
                : 500;
    const bytes =
      status === 304 ? 0 : status === 200 ? this.rng.int(300, 90_000) : this.rng.int(150, 600);
    const method = !asset && path === '/login' && this.rng.chance(0.5) ? 'POST' : 'GET';
    const referrer =
      v.lastPage !== '-' && !v.bot
        ? `https://campus.example.edu${v.lastPage}`
        : this.rng.pick(REFERRERS);
    if (!asset) v.lastPage = path;
    return `${v.ip} - - [${clfTime(ms, this.offsetMinutes)}] "${method} ${path} HTTP/1.1" ${status} ${bytes} "${referrer}" "${v.agent}"`;
  }
}
