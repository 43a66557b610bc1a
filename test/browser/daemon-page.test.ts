// The page served by the real daemon running on the simulated Kraken with a scripted account history.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, startServer, type RunningServer } from '../../src/dashboard/index.js';
import { createStatusFeed } from '../../src/dashboard/status-feed.js';
import { browserAvailable, launchBrowser, recordPage, screenshot, type PageRecorder } from '../helpers/browser.js';
import { startHarness, type Harness } from '../helpers/daemon-harness.js';

const RUN = browserAvailable();
const DAY = 86_400;
const EVIL_ID = 'L<img src=x onerror=window.__pwned=1>';

let h: Harness;
let srv: RunningServer;
let browser: Browser;
let page: Page;
let rec: PageRecorder;

/** Flows at these offsets (seconds after the start): two older than 24 h, three inside it. */
const SCRIPT = [
  { at: 0.3 * DAY, type: 'deposit', asset: 'XXDG', amount: '2000.00000000', fee: '0' },
  { at: 0.8 * DAY, type: 'withdrawal', asset: 'ZUSD', amount: '-100.0000', fee: '2.5000' },
  { at: 1.5 * DAY, type: 'deposit', asset: 'ZUSD', amount: '300.0000', fee: '0', id: EVIL_ID },
  { at: 1.7 * DAY, type: 'withdrawal', asset: 'XXDG', amount: '-500.00000000', fee: '4.00000000' },
  { at: 1.9 * DAY, type: 'deposit', asset: 'XXDG', amount: '750.00000000', fee: '0' },
] as const;

describe.skipIf(!RUN)('dashboard on the live daemon (simulated Kraken, scripted flows)', () => {
  beforeAll(async () => {
    h = await startHarness({
      env: {
        FLOW_DETECTION_ENABLED: 'true',
        FLOW_BASELINE_AUTO_ADJUST: 'true',
        EQUITY_TS_ENABLED: 'true',
        DASHBOARD_FLOW_PANELS_ENABLED: 'true',
        LOOP_INTERVAL_SEC: '300',
        FLOW_POLL_INTERVAL_SEC: '300',
      },
    });
    const start = h.clock.now() / 1000;
    await h.step();
    const pending = [...SCRIPT];
    for (let t = 300; t <= 2 * DAY; t += 300) {
      while (pending[0] !== undefined && pending[0].at <= t - 300 + 150) {
        const { at, ...row } = pending.shift()!;
        h.sim.addLedgerRow({ ...row, time: start + at });
        h.sim.setPrice(String(0.1 + 0.01 * Math.sin(at / 20_000)));
      }
      await h.step(300);
    }
    srv = await startServer(createApp({ getStatus: () => h.daemon.status, reports: () => h.daemon.reports.exports, health: () => h.daemon.health(), feed: createStatusFeed(), logger: h.log.logger }), {
      host: '127.0.0.1',
      port: 0,
      logger: h.log.logger,
      tokenSet: false,
    });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    rec = recordPage(page);
    await page.goto(srv.url);
    await page.locator('svg.equity-chart path.line-eq').waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
    await h?.close();
  });

  it('the daemon saw every scripted flow and explains all of it', () => {
    const s = h.daemon.status;
    expect(s?.external_flows.flow_count).toBe(SCRIPT.length);
    expect(Math.abs(s?.balance_recon.adjusted_drift_doge ?? NaN)).toBeLessThan(1e-6);
  });

  it('draws one marker per flow in range: 3 in 24 h, 5 in 7 d', async () => {
    expect(await page.locator('svg.equity-chart .marker').count()).toBe(3);
    await page.click('button[data-range="7d"]');
    await expect.poll(() => page.locator('svg.equity-chart .marker').count(), { timeout: 5000 }).toBe(5);
    await page.click('button[data-range="24h"]');
    await expect.poll(() => page.locator('svg.equity-chart .marker').count(), { timeout: 5000 }).toBe(3);
  });

  it('shows a hostile ledger id as text, never as markup', async () => {
    await page.click('#flows summary');
    await expect.poll(() => page.locator('#flow-list').innerText(), { timeout: 5000 }).toContain(EVIL_ID);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    // The marker tooltip shows it as text too.
    const tips: string[] = [];
    const shapes = page.locator('svg.equity-chart .marker .marker-shape');
    for (let i = 0; i < (await shapes.count()); i++) {
      await shapes.nth(i).hover();
      tips.push(await page.locator('#chart-tip').innerText());
    }
    expect(tips.filter((t) => t.includes(EVIL_ID))).toHaveLength(1);
    expect(await page.locator('img').count()).toBe(0);
  });

  it('loads without console errors and without requests leaving localhost', async () => {
    await screenshot(page, 'daemon-1280');
    expect(rec.errors).toEqual([]);
    for (const url of rec.requests) expect(new URL(url).hostname).toBe('127.0.0.1');
  });
});
