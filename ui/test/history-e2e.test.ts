// @vitest-environment node
/**
 * The history in a real browser: the control plane (built UI, history API) over a fresh
 * PostgreSQL database holding weeks of past attendance and traffic. Picking a past campus date
 * shows that date's attendance, exactly the stored rows; a section's trend covers its classes up
 * to that date; the traffic history switches between hours and days; Chinese labels work.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { dropDatabase, ensureDatabase, migrate, withClient, withDatabase } from '@pulse/db';
import { endpoints, loadConfig as loadStackConfig } from '@pulse/stack';
import {
  ARTIFACTS,
  buildUi,
  ensureChromium,
  launchBrowser,
  startControlPlane,
  stop,
  tempDir,
  type Proc,
} from './e2e-system.js';

// A database of its own on the stack's PostgreSQL (PG_PORT, or DATABASE_URL's server).
const DB = withDatabase(
  endpoints(loadStackConfig()).databaseUrl,
  `pulse_history_e2e_${randomUUID().slice(0, 8)}`,
);
const PAST = '2026-09-08';
const SECTIONS = [
  ['CSC1001', 'L01'],
  ['CSC1001', 'L02'],
  ['MAT2040', 'L01'],
  ['PHY1002', 'L03'],
] as const;
const HOUR = 3_600_000;

/** Three weeks of classes (Tuesdays and Thursdays from 1 September), with fixed numbers. */
function attendance() {
  const rows = [];
  for (let d = 0; d < 21; d++) {
    const date = new Date(Date.UTC(2026, 8, 1 + d));
    if (![2, 4].includes(date.getUTCDay())) continue;
    for (const [i, [course_id, section]] of SECTIONS.entries()) {
      const enrolled = 30 + i * 10;
      const present = Math.min(enrolled, 10 + ((d * 7 + i * 5) % enrolled));
      rows.push({
        course_id,
        section,
        class_date: date.toISOString().slice(0, 10),
        unit: 'students',
        present,
        enrolled,
        rate: present / enrolled,
        late: d % 3,
        left_early: i,
        other_devices: 2,
        over_capacity: false,
      });
    }
  }
  return rows;
}

let dir: string;
let baseUrl: string;
let control: Proc | undefined;
let browser: BrowserContext | undefined;
const rows = attendance();
const now = Date.now();
const hourStart = Math.floor(now / HOUR) * HOUR;
// Hours over the last 3 days (the view shows 7 days), the hour in progress not yet closed.
const hours = Array.from({ length: 72 }, (_, i) => ({
  bucket_start: new Date(hourStart - (72 - i) * HOUR).toISOString().replace('Z', ''),
  pv: 100 + i,
  uv: 10 + (i % 7),
  status_2xx: 90 + i,
  status_3xx: 5,
  status_4xx: 4,
  status_5xx: 1,
  status_other: 0,
}));

beforeAll(async () => {
  ensureChromium();
  const uiDist = buildUi();
  dir = tempDir();
  mkdirSync(ARTIFACTS, { recursive: true });
  await ensureDatabase(DB);
  await migrate(DB);
  await withClient(DB, async (c) => {
    await c.query(
      'INSERT INTO attendance SELECT * FROM json_populate_recordset(null::attendance, $1)',
      [JSON.stringify(rows)],
    );
    await c.query(
      'INSERT INTO traffic_hour SELECT * FROM json_populate_recordset(null::traffic_hour, $1)',
      [JSON.stringify(hours)],
    );
  });
  ({ proc: control, baseUrl } = await startControlPlane({
    OPERATOR_TOKEN: `e2e-history-${randomUUID()}`,
    CONTROL_PLANE_STATE: join(dir, 'state'),
    UI_DIST: uiDist,
    DATABASE_URL: DB,
  }));
  browser = await launchBrowser(dir, {
    viewport: { width: 1280, height: 2200 },
    // The viewer is in New York: the picker still works in campus dates (Asia/Shanghai).
    timezoneId: 'America/New_York',
  });
});

afterAll(async () => {
  await browser?.close();
  await stop(control);
  await dropDatabase(DB).catch(() => {});
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The history table as a viewer reads it: one line per section. */
async function tableText(page: Page): Promise<string[][]> {
  return page
    .locator('[data-testid=history-table] tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())),
    );
}

describe('history on the dashboard', () => {
  it("shows a past date's attendance when the date picker is set to it", async () => {
    const page = await browser!.newPage();
    await page.goto(baseUrl);
    const info = (await (await fetch(`${baseUrl}/api/history`)).json()) as {
      campusToday: string;
    };
    const picker = page.locator('[data-testid=history-date]');
    await expect.poll(() => picker.inputValue(), { timeout: 30_000 }).toBe(info.campusToday);
    expect(await picker.getAttribute('min')).toBe('2026-09-01');

    await picker.fill(PAST);
    await page.locator(`[data-testid=history-table][data-date="${PAST}"]`).waitFor();
    const expected = rows
      .filter((r) => r.class_date === PAST)
      .map((r) => [
        r.course_id,
        r.section,
        `${r.present} / ${r.enrolled}`,
        `${(r.rate * 100).toFixed(1)} %`,
        String(r.late),
        String(r.left_early),
        String(r.other_devices),
      ]);
    expect(expected).toHaveLength(SECTIONS.length);
    await expect.poll(() => tableText(page), { timeout: 10_000 }).toEqual(expected);
    await page.screenshot({ path: join(ARTIFACTS, 'history-attendance-en.png'), fullPage: true });

    // A section's trend: its classes from the first date held up to the picked date.
    await page.locator('[data-testid=history-table] tr[data-course=MAT2040]').click();
    const trend = page.locator('[data-testid=section-trend]');
    const classes = rows.filter(
      (r) => r.course_id === 'MAT2040' && r.section === 'L01' && r.class_date <= PAST,
    ).length;
    await expect.poll(() => trend.getAttribute('data-points')).toBe(String(classes));
    expect(await trend.getAttribute('data-section')).toBe('MAT2040 L01');
    await page.close();
  });

  it('switches the traffic history between hours and days, and speaks Chinese', async () => {
    const page = await browser!.newPage();
    await page.goto(baseUrl);
    const traffic = page.locator('[data-testid=traffic-history]');
    await expect.poll(() => traffic.getAttribute('data-rows'), { timeout: 30_000 }).toBe('72');
    const pv = hours.reduce((s, h) => s + h.pv, 0);
    expect(await page.locator('[data-testid=traffic-totals]').textContent()).toContain(
      pv.toLocaleString('en-GB'),
    );
    await page.locator('[data-testid=traffic-step-day]').click();
    await expect.poll(() => traffic.getAttribute('data-step')).toBe('day');
    await expect.poll(() => traffic.getAttribute('data-rows')).toBe('0');

    await page.locator('[data-testid=language]').click();
    await expect
      .poll(() => page.locator('[data-testid=attendance-history] h2').textContent())
      .toBe('按日期查看出勤');
    await page.screenshot({ path: join(ARTIFACTS, 'history-zh.png'), fullPage: true });
    await page.locator('[data-testid=language]').click();
    await page.close();
  });
});
