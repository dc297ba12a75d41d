/**
 * bench:ui-memory — does the dashboard stay the same size while it draws live data for hours?
 *
 *   npm run bench:ui-memory -- [--minutes 5] [--rate 50] [--hours 24]
 *
 * Serves the built dashboard and opens it in Debian's Chromium with a stand-in relay inside the
 * page (the same protocol: `$panels`, snapshots, sequenced updates): a time series, a figure and a
 * top list, fed `rate` updates a second, each a new 10-second window, kept for an hour as the
 * relay keeps them. Every 30 s it collects garbage and reads the page's JavaScript heap, then
 * prints the heap at the start and the end, the growth per simulated hour (at one update a second)
 * and the rows the page holds. The stand-in relay lets a few minutes stand for hours of updates.
 */
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM, buildUi, ensureChromium } from '../test/e2e-system.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    rate: { type: 'string', default: '50' },
    // Stop once this many simulated hours (updates at one a second) have been drawn, even before
    // --minutes are up: `--hours 24 --minutes 60` draws a whole day as fast as the page takes it.
    hours: { type: 'string' },
  },
});
const HOURS = values.hours === undefined ? Number.POSITIVE_INFINITY : Number(values.hours);
if (!(HOURS > 0)) throw new Error('--hours must be a positive number');
const MINUTES = Number(values.minutes);
const RATE = Number(values.rate);
if (!(MINUTES > 0) || !(RATE > 0)) throw new Error('--minutes and --rate must be positive numbers');

ensureChromium();
console.log('building the dashboard…');
const dist = buildUi();
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
};
const server = createServer((req, res) => {
  const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/'));
  const file = join(dist, path === '/' ? 'index.html' : path);
  readFile(file.startsWith(dist) ? file : join(dist, 'index.html'))
    .then((body) => {
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    })
    .catch(() => {
      // The page also asks the API (history, runtime): nothing here, which it shows as such.
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"NOT_FOUND","message":"not served by the benchmark"}');
    });
});
await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
const { port } = server.address() as { port: number };

/**
 * The stand-in relay, run inside the page in place of WebSocket. Plain JavaScript in a string: a
 * function passed to the page would arrive with the helpers the TypeScript loader adds to it.
 */
function fakeRelay(rate: number): string {
  return `(() => {
  const panel = (id, kind, extra) => Object.assign({
    id: 'bench.' + id, job: 'bench', panel: id, kind, channel: 'bench_minute',
    title: { en: id, zh: id }, key: [], values: ['requests', 'visitors'], labels: {},
    order: 1, format: 'number', limit: 10, stack: false, staleAfterMs: 600000, time: 'window_end',
  }, extra);
  const panels = [
    panel('trend', 'timeseries', {}),
    panel('latest', 'figure', {}),
    panel('pages', 'top', { channel: 'bench_pages', key: ['path'], values: ['views'] }),
  ];
  const counters = { updates: 0 };
  globalThis.benchRelay = counters;
  function FakeSocket() {
    const self = this;
    self.readyState = 0;
    self.seq = new Map();
    setTimeout(() => { self.readyState = 1; self.onopen && self.onopen(); }, 10);
  }
  FakeSocket.prototype.push = function (m) { this.onmessage && this.onmessage({ data: JSON.stringify(m) }); };
  FakeSocket.prototype.next = function (channel) {
    const n = (this.seq.get(channel) || 0) + 1;
    this.seq.set(channel, n);
    return n;
  };
  FakeSocket.prototype.send = function (data) {
    const m = JSON.parse(data);
    if (m.type !== 'subscribe' || !m.channel) return;
    this.seq.set(m.channel, 0);
    this.push({
      type: 'snapshot', channel: m.channel, epoch: 'bench', seq: 0,
      kind: m.channel === '$panels' ? 'table' : 'window', retainMs: 3600000,
      rows: m.channel === '$panels' ? panels.map((p) => ({ key: p.id, row: p })) : [],
    });
    if (m.channel === 'bench_minute') this.start();
  };
  FakeSocket.prototype.start = function () {
    let t = Date.UTC(2026, 0, 1);
    this.timer = setInterval(() => {
      t += 10000;
      this.push({ type: 'update', channel: 'bench_minute', seq: this.next('bench_minute'),
        op: 'upsert', key: String(t), readAt: Date.now(),
        row: { window_end: t, requests: 100 + (t % 97), visitors: 40 + (t % 31) } });
      for (let i = 0; i < 3; i++)
        this.push({ type: 'update', channel: 'bench_pages', seq: this.next('bench_pages'),
          op: 'upsert', key: t + '/' + i, readAt: Date.now(),
          row: { window_end: t, path: '/page/' + ((t / 10000 + i) % 50), views: 10 - i } });
      counters.updates++;
    }, ${1000 / rate});
  };
  FakeSocket.prototype.close = function () { clearInterval(this.timer); this.readyState = 3; };
  globalThis.WebSocket = FakeSocket;
})();`;
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
page.on('pageerror', (err) => console.error(`page error: ${err.message}`));
await page.addInitScript({ content: fakeRelay(RATE) });
await page.goto(`http://127.0.0.1:${port}/`);
await page.locator('[data-panel="bench.trend"]').waitFor({ timeout: 30_000 });
const cdp = await page.context().newCDPSession(page);
const heap = async (): Promise<number> => {
  await cdp.send('HeapProfiler.collectGarbage');
  return ((await cdp.send('Runtime.getHeapUsage')) as { usedSize: number }).usedSize;
};
const updates = () =>
  page.evaluate(
    () => (globalThis as unknown as { benchRelay: { updates: number } }).benchRelay.updates,
  );

// The first hour of windows fills the page's hour of retention; growth is judged after that.
const warmup = Math.ceil((360 / RATE) * 1000) + 5_000;
console.log(`warming up for ${(warmup / 1000).toFixed(0)} s (the page's first hour of windows)…`);
await page.waitForTimeout(warmup);
const samples: { at: number; heap: number; updates: number }[] = [];
const end = Date.now() + MINUTES * 60_000;
while (Date.now() < end) {
  samples.push({ at: Date.now(), heap: await heap(), updates: await updates() });
  const s = samples.at(-1)!;
  if (s.updates - samples[0]!.updates >= HOURS * 3600) break;
  console.log(
    `  ${((s.at - samples[0]!.at) / 1000).toFixed(0).padStart(4)} s  heap ${(s.heap / 1048576).toFixed(1)} MiB  after ${s.updates.toLocaleString()} updates`,
  );
  await page.waitForTimeout(
    Math.min(
      30_000,
      Math.max(1_000, ((HOURS * 3600 - (s.updates - samples[0]!.updates)) / RATE) * 1000),
    ),
  );
}
samples.push({ at: Date.now(), heap: await heap(), updates: await updates() });
const points = await page
  .locator('[data-testid="panel-chart"]')
  .first()
  .getAttribute('data-points');
const first = samples[0]!;
const last = samples.at(-1)!;
const simulatedHours = (last.updates - first.updates) / 3600;
const achieved = (last.updates - first.updates) / ((last.at - first.at) / 1000);
console.log(
  `\nDashboard memory over ${(last.updates - first.updates).toLocaleString()} live updates (${simulatedHours.toFixed(1)} h at one a second; ${achieved.toFixed(0)}/s drawn here, ${RATE}/s asked):`,
);
const heaps = samples.map((x) => x.heap);
console.log(
  `  heap range over the run:              ${(Math.min(...heaps) / 1048576).toFixed(1)} to ${(Math.max(...heaps) / 1048576).toFixed(1)} MiB`,
);
console.log(`  heap after the first hour of windows: ${(first.heap / 1048576).toFixed(1)} MiB`);
console.log(`  heap at the end:                      ${(last.heap / 1048576).toFixed(1)} MiB`);
console.log(
  `  growth: ${((last.heap - first.heap) / 1024 / simulatedHours).toFixed(1)} KiB per simulated hour; rows the chart holds: ${points} (an hour of 10-second windows is 360)`,
);
await browser.close();
server.close();
process.exit(0);
