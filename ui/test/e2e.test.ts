// @vitest-environment node
/**
 * The whole product in a real browser: log lines written to watched files become PV/UV figures
 * and attendance rates on the dashboard, equal to what this test computes from the same lines;
 * the operator page deploys a job with the operator token. Screenshots go to test-artifacts/.
 */
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import {
  ARTIFACTS,
  BROKERS,
  FLINK,
  buildUi,
  deleteTopics,
  ensureChromium,
  eventually,
  kafkaFor,
  freePort,
  jobsCopy,
  launchBrowser,
  startControlPlane,
  startTs,
  stop,
  tempDir,
  type Proc,
} from './e2e-system.js';

const TOKEN = `e2e-operator-${randomUUID()}`;
const id = randomUUID().slice(0, 8);
const T = {
  access: `e2e-access-${id}`,
  wifi: `e2e-wifi-${id}`,
  schedule: `e2e-schedule-${id}`,
  pvuv: `e2e-pvuv-${id}`,
  attendance: `e2e-attendance-${id}`,
  // Empty registry, rosters and calendar of its own: attendance counts devices, every day a class day.
  registry: `e2e-registry-${id}`,
  roster: `e2e-roster-${id}`,
  calendar: `e2e-calendar-${id}`,
};
// The jobs run under names of their own: deploying the real names would upgrade (stop and
// replace) the jobs of an `npm start` on the same cluster.
const NAMES = {
  pvuv: `pv_uv_e2e_${id}`,
  attendance: `attendance_e2e_${id}`,
  paths: `e2e_paths_${id}`,
};
const SIZE_S = 20;
const SLIDE_S = 10;
const DELAY_S = 5;
const CAMPUS_ZONE = 'Asia/Shanghai';

let dir: string;
let baseUrl: string;
let watcher: Proc | undefined;
let control: Proc | undefined;
let browser: BrowserContext | undefined;
const jobIds: string[] = [];

// ---- the input, and the numbers expected from it, computed here independently ----

interface Hit {
  t: number;
  ip: string;
}
/** 90 requests over 45 s from 12 addresses, in a fixed pseudo-random order. */
function hits(start: number): Hit[] {
  const out: Hit[] = [];
  let s = 7;
  for (let i = 0; i < 90; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    out.push({ t: start + i * 500, ip: `10.1.0.${((s >>> 16) % 12) + 1}` });
  }
  return out;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function combinedLine(h: Hit): string {
  const d = new Date(h.t);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${h.ip} - - [${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000] "GET /page/${h.t % 7} HTTP/1.1" 200 512 "-" "e2e"\n`;
}

/** The latest HOP window that the watermark has closed and that holds events: its end, PV and UV. */
function latestClosedWindow(
  all: Hit[],
  watermark: number,
): { end: number; pv: number; uv: number } {
  const ends = new Set<number>();
  for (const h of all)
    for (
      let end = Math.floor(h.t / (SLIDE_S * 1000)) * SLIDE_S * 1000 + SLIDE_S * 1000;
      end - SIZE_S * 1000 <= h.t;
      end += SLIDE_S * 1000
    )
      ends.add(end);
  const end = Math.max(...[...ends].filter((e) => e <= watermark));
  const inside = all.filter((h) => h.t >= end - SIZE_S * 1000 && h.t < end);
  return { end, pv: inside.length, uv: new Set(inside.map((h) => h.ip)).size };
}

/** Campus-local "yyyy-MM-dd HH:mm:ss" and ISO weekday of an instant. */
function campusLocal(ms: number): { text: string; date: string; weekday: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: CAMPUS_ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      weekday: 'short',
    })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  return {
    text: `${date} ${parts.hour}:${parts.minute}:${parts.second}`,
    date,
    weekday: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday as string) + 1,
  };
}

// ---- setup ----

beforeAll(async () => {
  ensureChromium();
  const uiDist = buildUi();
  dir = tempDir();
  mkdirSync(ARTIFACTS, { recursive: true });
  const kafka = kafkaFor('e2e');
  const admin = kafka.admin();
  await admin.connect();
  // One partition each: the windows close on one watermark, not the slowest of three.
  await admin.createTopics({
    topics: Object.values(T).map((topic) => ({ topic, numPartitions: 1 })),
    waitForLeaders: true,
  });
  await admin.disconnect();

  const jobsDir = jobsCopy(dir, {
    ACCESS_TOPIC: T.access,
    WIFI_TOPIC: T.wifi,
    SCHEDULE_TOPIC: T.schedule,
    PVUV_TOPIC: T.pvuv,
    ATTENDANCE_TOPIC: T.attendance,
    REGISTRY_TOPIC: T.registry,
    ROSTER_TOPIC: T.roster,
    CALENDAR_TOPIC: T.calendar,
    GROUP_PREFIX: `e2e-${id}`,
    BROKERS,
    WINDOW_SIZE: String(SIZE_S),
    WINDOW_SLIDE: String(SLIDE_S),
    WATERMARK_DELAY: String(DELAY_S),
    CHECKPOINT_INTERVAL: '2 s',
    // The lines are a minute old when the assertions run: count a device present after a minute.
    MIN_OVERLAP_MINUTES: '1',
  });

  for (const [file, name] of [
    ['pv_uv', NAMES.pvuv],
    ['attendance', NAMES.attendance],
  ] as const) {
    const path = join(jobsDir, `${file}.sql`);
    writeFileSync(path, readFileSync(path, 'utf8').replace(/^--\s*name:.*$/m, `-- name: ${name}`));
  }

  writeFileSync(join(dir, 'logs', 'access.log'), '');
  writeFileSync(join(dir, 'logs', 'wifi.log'), '');
  // A class is a campus-local day here and the Wi-Fi lines are written a minute back from the
  // test's clock: close to campus midnight they would fall on the other day, so wait it out.
  const clock = campusLocal(Date.now()).text.slice(11);
  const [hh, mm, ss] = clock.split(':').map(Number) as [number, number, number];
  const sinceMidnight = ((hh * 60 + mm) * 60 + ss) * 1000;
  const margin = 4 * 60_000;
  if (sinceMidnight > 86_400_000 - margin || sinceMidnight < margin) {
    const wait = (margin - sinceMidnight + 86_400_000) % 86_400_000;
    console.log(`waiting ${Math.round(wait / 1000)} s for campus midnight to pass`);
    await new Promise((r) => setTimeout(r, wait));
  }
  const today = campusLocal(Date.now());
  writeFileSync(
    join(dir, 'logs', 'schedule.csv'),
    [
      'course_id,section,room,aps,weekday,start_time,end_time,enrolled',
      `CSC1001,L01,TD101,AP-TD-1;AP-TD-2,${today.weekday},00:00:00,23:59:59,4`,
      `MAT2040,L02,TA202,AP-TA-9,${today.weekday},00:00:00,23:59:59,5`,
      '',
    ].join('\n'),
  );
  const watcherConfig = join(dir, 'watcher.json');
  writeFileSync(
    watcherConfig,
    JSON.stringify({
      kafka: { brokers: BROKERS.split(',') },
      stateId: `e2e-${id}`,
      http: { port: await freePort() },
      pollIntervalMs: 100,
      sources: [
        {
          name: 'web',
          paths: [join(dir, 'logs', 'access.log')],
          format: 'combined',
          topic: T.access,
          timezone: 'UTC',
        },
        {
          name: 'wifi',
          paths: [join(dir, 'logs', 'wifi.log')],
          format: 'wifi-json',
          topic: T.wifi,
          timezone: CAMPUS_ZONE,
        },
        {
          name: 'schedule',
          paths: [join(dir, 'logs', 'schedule.csv')],
          format: 'schedule-csv',
          topic: T.schedule,
          timezone: CAMPUS_ZONE,
        },
      ],
    }),
  );
  watcher = startTs('watcher/src/cli.ts', ['--config', watcherConfig], {
    KAFKA_BROKERS: BROKERS,
    LOG_LEVEL: 'warn',
  });

  ({ proc: control, baseUrl } = await startControlPlane({
    OPERATOR_TOKEN: TOKEN,
    JOBS_DIR: jobsDir,
    CONTROL_PLANE_STATE: join(dir, 'state'),
    UI_DIST: uiDist,
    RELAY_CHANNELS: `pvuv=${T.pvuv}:window,attendance=${T.attendance}:table`,
  }));
  browser = await launchBrowser(dir);
});

afterAll(async () => {
  for (const jobId of jobIds)
    await fetch(`${FLINK}/jobs/${jobId}?mode=cancel`, { method: 'PATCH' }).catch(() => {});
  await browser?.close();
  await stop(control);
  await stop(watcher);
  await deleteTopics('e2e', (t) => t.includes(id));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function newPage(): Promise<Page> {
  return (browser as BrowserContext).newPage();
}

async function jobState(
  name: string,
): Promise<{ state: string; jobId: string | null } | undefined> {
  const res = await fetch(`${baseUrl}/api/jobs`);
  const body = (await res.json()) as {
    jobs: Array<{ name: string; state: string; jobId: string | null }>;
  };
  return body.jobs.find((j) => j.name === name);
}

describe('the product end to end, in Chromium', () => {
  it('deploys pv_uv from the operator page with the token, and attendance through the API', async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/#/operator`);
    const row = page.locator(`tr[data-job="${NAMES.pvuv}"]`);
    await row.waitFor({ timeout: 30_000 });
    // The log lines of this test are written before its jobs read them: replay from the start.
    await page.getByTestId('start-from').selectOption('earliest');
    await row.locator('button[data-action="deploy"]').click();
    await page.locator('[data-testid="token-input"]').fill(TOKEN);
    await page.locator('[data-testid="token-submit"]').click();
    // Submitting a job to a busy shared cluster can take minutes; whatever comes back is shown.
    const outcome = page.locator('[data-testid="outcome"]');
    await outcome.waitFor({ timeout: 300_000 });
    expect(
      await outcome.getAttribute('data-ok'),
      `${await outcome.textContent()}\n${control?.output()}`,
    ).toBe('true');
    const running = await eventually(
      'pv_uv to run',
      async () => {
        const job = await jobState(NAMES.pvuv);
        return job?.state === 'RUNNING' ? job : undefined;
      },
      120_000,
    );
    jobIds.push(running.jobId as string);
    await page
      .locator(`tr[data-job="${NAMES.pvuv}"] [data-col="state"]`, { hasText: 'RUNNING' })
      .waitFor({ timeout: 30_000 });
    // The job's diagnostics: its steps with records, watermarks and late records, and the SQL.
    await row.locator('button[data-action="diagnose"]').click();
    const diagnostics = page.getByTestId('diagnostics');
    await diagnostics.locator('[data-testid="diagnostics-state"]', { hasText: 'RUNNING' }).waitFor({
      timeout: 30_000,
    });
    await diagnostics.locator('tr[data-vertex="Source: access_log_records"]').waitFor();
    expect(await diagnostics.getByTestId('script').textContent()).toContain('HOP(');
    await page.screenshot({ path: join(ARTIFACTS, 'operator.png'), fullPage: true });

    const res = await fetch(`${baseUrl}/api/jobs/attendance/deploy`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ start: 'earliest' }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    jobIds.push(((await res.json()) as { jobId: string }).jobId);
  });

  it('shows the PV/UV of the latest closed window and the attendance rates computed from the log lines', async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/`);
    await page
      .locator('[data-testid="connection"][data-status="live"]')
      .waitFor({ timeout: 30_000 });

    const start = Math.floor((Date.now() - 5 * 60_000) / 10_000) * 10_000 + 3_000;
    const all = hits(start);
    appendFileSync(join(dir, 'logs', 'access.log'), all.map(combinedLine).join(''));
    // A later request moves the watermark past every window of the batch above.
    const flush = { t: start + 120_000, ip: '10.9.9.9' };
    appendFileSync(join(dir, 'logs', 'access.log'), combinedLine(flush));
    const expected = latestClosedWindow(all, flush.t - DELAY_S * 1000);

    const now = Date.now();
    const wifi = [
      { mac: 'aa-00-00-00-00-01', ap: 'AP-TD-1', result: 'Success' },
      { mac: 'aa-00-00-00-00-02', ap: 'AP-TD-2', result: 'Success' },
      { mac: 'aa-00-00-00-00-01', ap: 'AP-TD-2', result: 'Success' },
      { mac: 'aa-00-00-00-00-03', ap: 'AP-TD-1', result: 'Success' },
      { mac: 'aa-00-00-00-00-04', ap: 'AP-TD-1', result: 'Fail' },
      { mac: 'aa-00-00-00-00-05', ap: 'AP-XX-0', result: 'Success' },
      { mac: 'aa-00-00-00-00-06', ap: 'AP-TA-9', result: 'Success' },
    ];
    appendFileSync(
      join(dir, 'logs', 'wifi.log'),
      wifi
        .map(
          (w, i) =>
            `${JSON.stringify({ currentapname: w.ap, apname: w.ap, ssid: 'CAMPUS', mac: w.mac, connecttime: campusLocal(now - 60_000 + i * 1000).text, connectresult: w.result, uppacketnum: 1, upbyte: 1, downpacketnum: 1, downbyte: 1 })}\n`,
        )
        .join(''),
    );
    // Independently: distinct successful devices on each room's APs, over enrolled.
    const present = (aps: string[]) =>
      new Set(wifi.filter((w) => w.result === 'Success' && aps.includes(w.ap)).map((w) => w.mac))
        .size;
    const csc = present(['AP-TD-1', 'AP-TD-2']);
    const mat = present(['AP-TA-9']);

    // pv_uv declares a figure panel (the latest window) and a time series; both come from $panels.
    const figure = page.locator('[data-kind="figure"][data-panel$=".latest"]');
    const shown = async () => ({
      pv: await figure.locator('[data-column="pv"]').textContent({ timeout: 1000 }),
      uv: await figure.locator('[data-column="uv"]').textContent({ timeout: 1000 }),
      end: await figure.getByTestId('figure-time').getAttribute('data-time', { timeout: 1000 }),
    });
    await eventually(
      `PV ${expected.pv} / UV ${expected.uv} on the page`,
      async () => {
        const { pv, uv, end } = await shown().catch(() => ({ pv: null, uv: null, end: null }));
        return pv?.trim() === String(expected.pv) &&
          uv?.trim() === String(expected.uv) &&
          Number(end) === expected.end
          ? true
          : undefined;
      },
      180_000,
    ).catch(async (err: Error) => {
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-failed.png'), fullPage: true });
      throw new Error(
        `${err.message}; page shows ${JSON.stringify(await shown().catch(() => null))}`,
      );
    });
    expect(
      await page.locator('[data-kind="timeseries"][data-panel$=".trend"] h2').textContent(),
    ).toBe('PV / UV per sliding window');

    const live = page.getByTestId('attendance-table');
    const cscRow = live.locator('tr[data-course="CSC1001"]');
    const matRow = live.locator('tr[data-course="MAT2040"]');
    await eventually(
      'attendance rows on the page',
      async () => {
        const a = await cscRow.locator('[data-col="present"]').textContent({ timeout: 1000 });
        const b = await matRow.locator('[data-col="present"]').textContent({ timeout: 1000 });
        return a === `${csc} / 4` && b === `${mat} / 5` ? true : undefined;
      },
      180_000,
    ).catch(async (err: Error) => {
      await page.screenshot({ path: join(ARTIFACTS, 'attendance-failed.png'), fullPage: true });
      const relay = await (await fetch(`${baseUrl}/ws`)).text();
      throw new Error(`${err.message}; relay: ${relay}`);
    });
    expect(await cscRow.locator('[data-col="rate"]').textContent()).toBe(
      `${((csc / 4) * 100).toFixed(1)} %`,
    );
    expect(await matRow.locator('[data-col="rate"]').textContent()).toBe(
      `${((mat / 5) * 100).toFixed(1)} %`,
    );
    expect(await matRow.locator('[data-col="rate"]').getAttribute('class')).toContain('low');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });

    await page.locator('[data-testid="language"]').click();
    await expect(
      page.locator('[data-testid="attendance-table"] th').first().textContent(),
    ).resolves.toContain('课程');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-zh.png'), fullPage: true });
  });

  it('adds the panels of a job file an analyst adds, in the open page, with no change to the UI', async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/`);
    await page.locator('[data-kind="figure"]').first().waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-panel$=".paths"]').count()).toBe(0);

    // A new job: requests per path in 20-second tumbling windows, shown as a ranked list.
    const topic = `e2e-paths-${id}`;
    writeFileSync(
      join(dir, 'jobs', 'e2e_paths.sql'),
      [
        `-- name: ${NAMES.paths}`,
        '-- description: requests per path',
        '-- panel: paths',
        '--   kind: top',
        '--   time: window_end',
        '--   key: path',
        '--   values: hits',
        '--   title.en: Requests by path',
        '--   title.zh: 各路径请求数',
        '--   limit: 3',
        '-- #include tables/common.sql',
        '-- #include tables/access_log.sql',
        'CREATE TABLE path_counts (window_end STRING, path STRING, hits BIGINT) WITH (',
        `  'connector' = 'kafka', 'topic' = '${topic}',`,
        "  'properties.bootstrap.servers' = '${BROKERS}', 'format' = 'json'",
        ');',
        'INSERT INTO path_counts',
        "SELECT DATE_FORMAT(TUMBLE_END(event_time, INTERVAL '20' SECOND), 'yyyy-MM-dd''T''HH:mm:ss''Z'''),",
        '  path, COUNT(*)',
        "FROM access_log GROUP BY TUMBLE(event_time, INTERVAL '20' SECOND), path;",
        '',
      ].join('\n'),
    );
    const res = await fetch(`${baseUrl}/api/jobs/e2e_paths/deploy`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ start: 'earliest' }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    jobIds.push(((await res.json()) as { jobId: string }).jobId);

    // Independently: the newest 20 s window the watermark has closed, its three busiest paths.
    const requests = readFileSync(join(dir, 'logs', 'access.log'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => {
        const [, d, mon, y, hms] = /\[(\d+)\/(\w+)\/(\d+):(\d+:\d+:\d+) \+0000\]/.exec(line) ?? [];
        const month = String(MONTHS.indexOf(mon ?? '') + 1).padStart(2, '0');
        return {
          t: Date.parse(`${y}-${month}-${d}T${hms}Z`),
          path: /"GET (\S+) /.exec(line)?.[1] ?? '',
        };
      });
    const watermark = Math.max(...requests.map((r) => r.t)) - DELAY_S * 1000;
    const end = Math.max(
      ...requests
        .map((r) => Math.floor(r.t / 20_000) * 20_000 + 20_000)
        .filter((e) => e <= watermark),
    );
    const counts = new Map<string, number>();
    for (const r of requests.filter((r) => r.t >= end - 20_000 && r.t < end))
      counts.set(r.path, (counts.get(r.path) ?? 0) + 1);
    const top = [...counts.values()].sort((a, b) => b - a).slice(0, 3);

    const panel = page.locator(`[data-kind="top"][data-panel="${NAMES.paths}.paths"]`);
    await panel.waitFor({ timeout: 120_000 });
    // Its title in both languages, as declared (the page keeps the language chosen earlier).
    const titles = ['Requests by path', '各路径请求数'];
    const before = (await panel.locator('h2').textContent()) ?? '';
    expect(titles).toContain(before);
    await page.locator('[data-testid="language"]').click();
    expect(await panel.locator('h2').textContent()).toBe(titles.find((t) => t !== before));
    await eventually(
      `the top paths with ${JSON.stringify(top)} requests`,
      async () => {
        const got = await panel.locator('li').evaluateAll((els) =>
          els.map((e) => ({
            path: e.getAttribute('data-item') ?? '',
            hits: Number(e.querySelector('[data-col="hits"]')?.textContent),
          })),
        );
        // Ties may come in either order: the counts in order, each path with its own count.
        return JSON.stringify(got.map((g) => g.hits)) === JSON.stringify(top) &&
          got.every((g) => counts.get(g.path) === g.hits)
          ? true
          : undefined;
      },
      180_000,
    );
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-new-panel.png'), fullPage: true });

    // On a phone every panel fits the width: nothing scrolls sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(1000);
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter(
          (e) =>
            e.getBoundingClientRect().right > 391 &&
            !e.parentElement?.closest('.scroll, [data-kind="top"] li'),
        )
        .slice(0, 8)
        .map(
          (e) =>
            `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`,
        ),
    );
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth),
      `wider than the phone: ${wide.join(', ')}`,
    ).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 1400 });

    // Stopping the job takes its panel away from the open page.
    const cancel = await fetch(`${baseUrl}/api/jobs/e2e_paths/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(cancel.status, await cancel.clone().text()).toBe(200);
    await panel.waitFor({ state: 'detached', timeout: 60_000 });
    expect(await page.locator('[data-kind="figure"]').count()).toBeGreaterThan(0);
  });
});
