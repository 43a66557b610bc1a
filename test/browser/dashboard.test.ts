// The page against a rich stage-4 payload: chart, markers per range, toggle, tooltip, 375 px, screenshots.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeStatus, markersInWindow } from '../helpers/status-fixture.js';
import { browserAvailable, launchBrowser, recordPage, screenshot, type PageRecorder } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../dashboard/harness.js';

const RUN = browserAvailable();
const status = makeStatus();
const markers = status.equity_history.flow_markers;
const in24h = markersInWindow(markers, 86_400, status.ts);
const in7d = markersInWindow(markers, 604_800, status.ts);

let browser: Browser;
let srv: TestServer;
let page: Page;
let rec: PageRecorder;

describe.skipIf(!RUN)('dashboard page (stage 4)', () => {
  beforeAll(async () => {
    [browser, srv] = await Promise.all([launchBrowser(), startTestServer({ status })]);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    rec = recordPage(page);
    await page.goto(srv.url);
    await page.locator('svg.equity-chart path.line-eq').waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  it('renders the header and the reconciliation card from the payload', async () => {
    await expect.poll(() => page.locator('#health').textContent(), { timeout: 5000 }).toBe('healthy');
    expect(await page.locator('#mode').textContent()).toBe('DEMO');
    expect(await page.locator('#pair').textContent()).toBe('DOGE/USD');
    expect(await page.locator('#hero-label').textContent()).toBe('Unexplained');
    expect(await page.locator('#hero-status').textContent()).toBe(status.balance_recon.adjusted_status.toUpperCase());
    const metrics = await page.locator('#recon-metrics').innerText();
    for (const label of ['Baseline', 'Current', 'Bot P&L', 'Drift (raw)', 'Deposits', 'Withdrawals']) expect(metrics).toContain(label);
  });

  it('draws the equity path and one marker per flow in the 24 h range', async () => {
    const d = await page.locator('svg.equity-chart path.line-eq').getAttribute('d');
    expect(d).toMatch(/^M[\d.]+,[\d.]+L/);
    expect(await page.locator('svg.equity-chart path.line-ex').count()).toBe(1);
    expect(in24h).toBe(3);
    expect(await page.locator('svg.equity-chart .marker').count()).toBe(in24h);
    expect(await page.locator('svg.equity-chart .axis-x text').first().textContent()).toMatch(/^\d\d:\d\d$/);
  });

  it('switches to 7 d with the toggle, and back', async () => {
    await page.click('button[data-range="7d"]');
    await expect.poll(() => page.locator('svg.equity-chart .marker').count(), { timeout: 5000 }).toBe(in7d);
    expect(in7d).toBe(6);
    expect(await page.locator('button[data-range="7d"]').getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('svg.equity-chart .axis-x text').first().textContent()).toMatch(/^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) \d{1,2}$/);
    await page.click('button[data-range="24h"]');
    await expect.poll(() => page.locator('svg.equity-chart .marker').count(), { timeout: 5000 }).toBe(in24h);
  });

  it('shows amount, asset and ledger id in a marker tooltip', async () => {
    const i = markers.findIndex((m) => m.ledger_id === 'LWDR1-CCCCC-DDDDDD');
    await page.locator(`svg.equity-chart .marker[data-i="${i}"] .marker-shape`).hover();
    const tip = page.locator('#chart-tip');
    await tip.waitFor({ state: 'visible' });
    const text = await tip.innerText();
    expect(text).toContain('Withdrawal');
    expect(text).toContain('150.00 USD');
    expect(text).toContain('LWDR1-CCCCC-DDDDDD');
    expect(text).toMatch(/937\.50 DOGE-eq/);
    await page.mouse.move(5, 5);
    await tip.waitFor({ state: 'hidden' });
  });

  it('lists recent flows in the collapsible history', async () => {
    expect(await page.locator('#flows').getAttribute('open')).toBeNull();
    await page.click('#flows summary');
    await expect.poll(() => page.locator('#flow-list tbody tr').count(), { timeout: 5000 }).toBe(status.external_flows.recent_flows.length);
    expect(await page.locator('#flow-list').innerText()).toContain('LDEP3-IIIII-JJJJJ');
  });

  it('saves screenshots (1280 light and dark)', async () => {
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'dashboard-1280');
    const dark = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' });
    const darkRec = recordPage(dark);
    await dark.goto(srv.url);
    await dark.locator('svg.equity-chart path.line-eq').waitFor();
    await dark.click('#flows summary');
    await dark.locator(`svg.equity-chart .marker .marker-shape`).first().hover();
    await screenshot(dark, 'dashboard-1280-dark');
    expect(darkRec.errors).toEqual([]);
    await dark.close();
  });

  it('fits 375 px without horizontal scrolling, flows open and 7 d shown', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const narrow = await browser.newPage({ viewport: { width: 375, height: 800 }, colorScheme: scheme });
      const narrowRec = recordPage(narrow);
      await narrow.goto(srv.url);
      await narrow.locator('svg.equity-chart path.line-eq').waitFor();
      await narrow.click('#flows summary');
      await narrow.click('button[data-range="7d"]');
      await expect.poll(() => narrow.locator('svg.equity-chart .marker').count(), { timeout: 5000 }).toBe(in7d);
      expect(await narrow.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      const svgBox = await narrow.locator('svg.equity-chart').boundingBox();
      expect(svgBox!.x + svgBox!.width).toBeLessThanOrEqual(375);
      await screenshot(narrow, scheme === 'light' ? 'dashboard-375' : 'dashboard-375-dark');
      expect(narrowRec.errors).toEqual([]);
      await narrow.close();
    }
  });

  it('made no console errors, no page errors, and no request beyond the sidecar', async () => {
    expect(rec.errors).toEqual([]);
    const origin = new URL(srv.url).origin;
    const outside = rec.requests.filter((u) => !u.startsWith(origin + '/') && !u.startsWith('data:'));
    expect(outside).toEqual([]);
    // The first payload came inlined in the page and the rest over the stream: no /status request at all.
    expect(rec.requests.some((u) => u.endsWith('/events'))).toBe(true);
    expect(rec.requests.filter((u) => u.endsWith('/status'))).toEqual([]);
  });
});
