// The first page load of the demo (the real process, no configuration): the simulated week is there at once,
// a continuous 7-day equity line with one marker per flow of the week.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusPayload } from '../../src/bot/status-types.js';
import { browserAvailable, launchBrowser, recordPage, screenshot, type PageRecorder } from '../helpers/browser.js';
import { spawnSidecar, type SpawnedSidecar } from '../helpers/process.js';

const RUN = browserAvailable();
const DAY = 86_400;

let dataDir = '';
let proc: SpawnedSidecar;
let url = '';
let first: StatusPayload;
let weekFlows = 0;
let browser: Browser;
let page: Page;
let rec: PageRecorder;

describe.skipIf(!RUN)('the demo page at its first load', () => {
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'demo-page-'));
    proc = spawnSidecar({ PORT: '0', DATA_DIR: dataDir });
    url = await proc.listening(90_000);
    // The server listens only once the week is done: its very first answer is the full page's data.
    first = (await (await fetch(`${url}status`)).json()) as StatusPayload;
    weekFlows = ((await (await fetch(`${url}flows?category=external&limit=500&since=${first.ts - 7 * DAY}`)).json()) as { total: number }).total;
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    rec = recordPage(page);
    await page.goto(url);
    await page.locator('svg.equity-chart path.line-eq').waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    proc?.child.kill('SIGTERM');
    await proc?.exited();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves a week of history from the first /status', () => {
    const spark = first.equity_history.sparkline_7d;
    expect(first.ts - (spark[0]?.[0] ?? first.ts)).toBeGreaterThanOrEqual(6.9 * DAY);
    // /status carries the last 24 h of markers; the week's are the external flows of /flows.
    expect(first.equity_history.flow_markers_from).toBeGreaterThanOrEqual(first.ts - DAY - 1);
    expect(weekFlows).toBe(first.external_flows.flow_count);
    expect(first.external_flows.flow_count).toBeGreaterThanOrEqual(5);
  });

  it('draws the 7-day chart across the whole week, with a marker per flow', async () => {
    await page.click('button[data-range="7d"]');
    await expect.poll(() => page.locator('svg.equity-chart .marker').count(), { timeout: 5000 }).toBeGreaterThanOrEqual(weekFlows);
    // Flows only add up while the demo runs live; none of the week's disappear.
    const status = (await (await fetch(`${url}status`)).json()) as StatusPayload;
    expect(await page.locator('svg.equity-chart .marker').count()).toBeLessThanOrEqual(status.external_flows.flow_count);
    // The line runs across the whole plot: from the week's start to now. Both are measured in one evaluation:
    // a live push redraws the chart, and two separate lookups could straddle that redraw.
    const lineOverAxis = (): Promise<number> => page.evaluate(() => {
      const line = document.querySelector('svg.equity-chart path.line-eq')?.getBoundingClientRect();
      const axis = document.querySelector('svg.equity-chart .axis-line')?.getBoundingClientRect();
      return line && axis && axis.width > 0 ? line.width / axis.width : 0;
    });
    expect(await lineOverAxis()).toBeGreaterThan(0.95);
    // Midnight labels across the whole width: the x axis covers seven days.
    const labels = await page.locator('svg.equity-chart .axis-x text').allInnerTexts();
    expect(labels.length).toBeGreaterThanOrEqual(6);
    await screenshot(page, 'demo-week-7d');
  });

  it('the 24-hour view is continuous too (the week cadence stays inside the chart\'s gap rule)', async () => {
    await page.click('button[data-range="24h"]');
    await expect.poll(async () => ((await page.locator('svg.equity-chart path.line-eq').getAttribute('d')) ?? '').match(/M/g)?.length, { timeout: 5000 }).toBe(1);
    await screenshot(page, 'demo-week-24h');
  });

  it('loads without console errors and without requests leaving localhost', () => {
    expect(rec.errors).toEqual([]);
    for (const u of rec.requests) expect(new URL(u).hostname).toBe('127.0.0.1');
  });
});
