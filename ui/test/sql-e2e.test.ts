// @vitest-environment node
/**
 * The SQL page in a real browser, against the control plane's SQL gateway, the planner and the
 * real Flink cluster: an analyst types a CREATE TABLE over a Kafka topic this test filled, then
 * a GROUP BY over it; the preview rows arrive and equal the counts computed here from the same
 * events. Bad SQL is marked in the editor where Flink says. Stop cancels the preview's job, and
 * leaving the page closes its session. Screenshots go to test-artifacts/.
 */
import { mkdirSync, rmSync } from 'node:fs';
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
  launchBrowser,
  startControlPlane,
  stop,
  tempDir,
  type Proc,
} from './e2e-system.js';

const id = randomUUID().slice(0, 8);
const TOPIC = `sql-e2e-clicks-${id}`;

/** 60 clicks over 5 paths, some of them failed, in a fixed pseudo-random order. */
function clicks(): Array<{ path: string; status: number }> {
  let s = 11;
  return Array.from({ length: 60 }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const r = s >>> 16;
    return { path: `/p/${r % 5}`, status: r % 7 === 0 ? 404 : 200 };
  });
}
const EVENTS = clicks();
/** What the analyst's query must show: successful clicks per path, computed independently. */
const EXPECTED = (() => {
  const counts = new Map<string, number>();
  for (const e of EVENTS) if (e.status === 200) counts.set(e.path, (counts.get(e.path) ?? 0) + 1);
  return [...counts].map(([path, n]) => [path, String(n)]).sort();
})();

const CREATE = [
  'CREATE TABLE clicks (path STRING, status INT) WITH (',
  "'connector' = 'kafka', ",
  `'topic' = '${TOPIC}', `,
  `'properties.bootstrap.servers' = '${BROKERS}', `,
  `'properties.group.id' = 'sql-e2e-${id}', `,
  "'scan.startup.mode' = 'earliest-offset', ",
  "'format' = 'json')",
].join('');
const QUERY = 'SELECT path, COUNT(*) AS hits FROM clicks WHERE status = 200 GROUP BY path';
const BAD = 'SELECT path, nope_id FROM clicks';
const VALUES = "SELECT * FROM (VALUES (1, 'a'), (2, CAST(NULL AS STRING))) AS t (n, s)";

let dir: string;
let baseUrl: string;
let control: Proc | undefined;
let browser: BrowserContext | undefined;
const previewJobs: string[] = [];

beforeAll(async () => {
  ensureChromium();
  const uiDist = buildUi();
  dir = tempDir();
  mkdirSync(ARTIFACTS, { recursive: true });
  const kafka = kafkaFor('sql-e2e');
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: TOPIC,
    messages: EVENTS.map((e) => ({ value: JSON.stringify(e) })),
  });
  await producer.disconnect();

  ({ proc: control, baseUrl } = await startControlPlane({
    OPERATOR_TOKEN: `sql-e2e-${randomUUID()}`,
    CONTROL_PLANE_STATE: join(dir, 'state'),
    UI_DIST: uiDist,
  }));
  browser = await launchBrowser(dir);
});

afterAll(async () => {
  for (const job of previewJobs)
    await fetch(`${FLINK}/jobs/${job}?mode=cancel`, { method: 'PATCH' }).catch(() => {});
  await browser?.close();
  await stop(control);
  await deleteTopics('sql-e2e', (t) => t === TOPIC);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Replaces the editor's text by typing, as an analyst does, and runs it with Ctrl+Enter. */
async function typeAndRun(page: Page, sql: string): Promise<void> {
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.type(sql);
  // What was typed is what the editor holds (auto-closed brackets and quotes typed over).
  expect(await page.locator('.cm-content').innerText()).toBe(sql);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+Enter');
}

/** The result table as the analyst reads it, sorted. */
async function resultRows(page: Page): Promise<string[][]> {
  const rows = await page
    .locator('[data-testid=sql-result] tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())),
    );
  return rows.sort();
}

async function sessionState(handle: string): Promise<number> {
  return (await fetch(`${baseUrl}/sql-gateway/v2/sessions/${handle}`)).status;
}

describe('the SQL page, in Chromium', () => {
  it('previews a GROUP BY typed in the editor, live, with the counts computed from the events', async () => {
    const page = await browser!.newPage();
    await page.goto(`${baseUrl}/#/sql`);
    // The shared tables are there from the start, with their columns.
    await page
      .locator('[data-testid=sql-tables] [data-table=access_log] [data-column=path]')
      .waitFor({ state: 'attached', timeout: 60_000 });
    const session = (await page.locator('.sql-page').getAttribute('data-session')) as string;
    expect(session).not.toBe('');

    await typeAndRun(page, CREATE);
    await expect.poll(() => resultRows(page), { timeout: 60_000 }).toEqual([['OK']]);
    // The side list reads the tables again after a CREATE: the new one and its columns.
    await page
      .locator('[data-testid=sql-tables] [data-table=clicks] [data-column=status]')
      .waitFor({ state: 'attached', timeout: 60_000 });

    await typeAndRun(page, QUERY);
    const status = page.getByTestId('sql-status');
    await expect
      .poll(() => resultRows(page), { timeout: 240_000, interval: 1000 })
      .toEqual(EXPECTED);
    expect(await status.getAttribute('data-status')).toBe('running');
    expect(await status.textContent()).toContain(`${EXPECTED.length} rows`);
    const job = (await status.getAttribute('data-job')) as string;
    expect(job).toMatch(/^[0-9a-f]{32}$/);
    previewJobs.push(job);
    await page.screenshot({ path: join(ARTIFACTS, 'sql-preview.png'), fullPage: true });

    // Stop closes the operation: the page says so and the preview's job goes away.
    await page.getByTestId('sql-stop').click();
    await expect.poll(() => status.getAttribute('data-reason')).toBe('stopped');
    await eventually(
      'the preview job to be cancelled',
      async () => {
        const body = (await (await fetch(`${FLINK}/jobs/${job}`)).json()) as { state: string };
        return body.state === 'CANCELED' ? true : undefined;
      },
      60_000,
    );

    // A row limit SET in the session ends the next preview, and the page says which limit.
    await typeAndRun(page, "SET 'sql-gateway.preview.max-rows' = '5'");
    await expect.poll(() => resultRows(page), { timeout: 60_000 }).toEqual([['OK']]);
    await typeAndRun(page, QUERY);
    await expect
      .poll(() => status.getAttribute('data-reason'), { timeout: 240_000, interval: 1000 })
      .toBe('rowLimit');
    expect(await status.textContent()).toContain('5 changes');
    previewJobs.push((await status.getAttribute('data-job')) as string);

    // A bounded query ends by itself once its rows are read.
    await typeAndRun(page, VALUES);
    await expect
      .poll(() => status.getAttribute('data-reason'), { timeout: 240_000, interval: 1000 })
      .toBe('finished');
    expect(await resultRows(page)).toEqual([
      ['1', 'a'],
      ['2', 'NULL'],
    ]);
    previewJobs.push((await status.getAttribute('data-job')) as string);

    // Bad SQL: Flink's message, and the column it names marked in the editor.
    await typeAndRun(page, BAD);
    const error = page.getByTestId('sql-error');
    await error.waitFor({ timeout: 60_000 });
    expect(await error.textContent()).toContain('nope_id');
    expect(await error.textContent()).toContain('Line 1, column 14');
    expect(await page.getByTestId('sql-result').count()).toBe(0);
    await expect
      .poll(() => page.locator('.cm-lintRange-error').allTextContents())
      .toEqual(['nope_id']);
    await page.screenshot({ path: join(ARTIFACTS, 'sql-error.png'), fullPage: true });

    await page.getByTestId('language').click();
    expect(await page.getByTestId('sql-run').textContent()).toContain('运行');
    await page.screenshot({ path: join(ARTIFACTS, 'sql-zh.png'), fullPage: true });
    await page.getByTestId('language').click();

    // Leaving the page closes its session.
    await page.getByTestId('nav-dashboard').click();
    await expect.poll(() => sessionState(session), { timeout: 30_000 }).toBe(404);
    await page.close();
  });

  it('closes the session when the browser leaves the page', async () => {
    const page = await browser!.newPage();
    await page.goto(`${baseUrl}/#/sql`);
    const root = page.locator('.sql-page');
    await expect.poll(() => root.getAttribute('data-session'), { timeout: 60_000 }).not.toBe('');
    const session = (await root.getAttribute('data-session')) as string;
    expect(await sessionState(session)).toBe(200);
    await page.goto('about:blank');
    await expect.poll(() => sessionState(session), { timeout: 30_000 }).toBe(404);
    await page.close();
  });
});
