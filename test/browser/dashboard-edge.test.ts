// The page in harder situations: blocks missing, hostile text, data that stops, fetches that fail, a token.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusPayload } from '../../src/bot/status-types.js';
import { DEFAULT_FLOWS, makeStatus, withoutBlocks } from '../helpers/status-fixture.js';
import { browserAvailable, launchBrowser, recordPage, screenshot, type PageRecorder } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../dashboard/harness.js';

const RUN = browserAvailable();
const XSS_ID = '<img src=x onerror="window.__xss=1">';
const TOKEN = 'browser-t0ken-Secret';

let browser: Browser;
let srv: TestServer;

async function open(path = '', width = 1280): Promise<{ page: Page; rec: PageRecorder }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const rec = recordPage(page);
  await page.goto(srv.url + path);
  return { page, rec };
}

describe.skipIf(!RUN)('dashboard page, edge cases', () => {
  beforeAll(async () => {
    [browser, srv] = await Promise.all([launchBrowser(), startTestServer()]);
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  it('shows quiet placeholders when blocks are missing (stage 0, no equity_history, no external_flows)', async () => {
    const stage0 = makeStatus({
      rollout: { stage: 0, flags: { FLOW_DETECTION_ENABLED: false, FLOW_BASELINE_AUTO_ADJUST: false, EQUITY_TS_ENABLED: false, DASHBOARD_FLOW_PANELS_ENABLED: false } },
    });
    srv.setStatus(withoutBlocks(stage0, 'equity_history', 'external_flows'));
    const { page, rec } = await open('', 375);
    await expect.poll(() => page.locator('#health').textContent(), { timeout: 5000 }).toBe('healthy');
    expect(await page.locator('#chart-placeholder').isVisible()).toBe(true);
    expect(await page.locator('#chart-placeholder').textContent()).toMatch(/stage 4/);
    expect(await page.locator('#flows-placeholder-text').isVisible()).toBe(true);
    expect(await page.locator('svg.equity-chart').count()).toBe(0);
    expect(await page.locator('.seg').isVisible()).toBe(false);
    // Flow detection is off: the headline is the legacy drift.
    expect(await page.locator('#hero-label').textContent()).toBe('Drift');
    expect(await page.locator('#hero-note').textContent()).toMatch(/flow detection off/);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(page, 'dashboard-stage0-375');

    // Stage 4 flag on, but blocks null or missing: still no exception.
    const broken = { ...makeStatus(), equity_history: null, balance_recon: null, loop: undefined, budget: null } as unknown as StatusPayload;
    srv.setStatus(broken);
    await page.reload();
    await expect.poll(() => page.locator('#chart-placeholder').textContent(), { timeout: 5000 }).toMatch(/No equity history/);
    expect(await page.locator('#recon-placeholder').isVisible()).toBe(true);
    expect(rec.errors).toEqual([]);
    await page.close();
  });

  it('renders a hostile ledger id as text: no <img> is created and nothing runs', async () => {
    const now = Math.floor(Date.now() / 1000);
    const flows = [{ ...DEFAULT_FLOWS[0]!, ledger_id: XSS_ID }, ...DEFAULT_FLOWS.slice(1)];
    const s = makeStatus({}, { now, flows });
    (s.external_flows.recent_flows[0] as { asset: string }).asset = '<b>DOGE</b>';
    // The chart's SVG goes in through the HTML parser: a marker's text must stay in its attribute.
    const evilAsset = `"'><img src=x onerror="window.__xss=2"></svg><script>window.__xss=3</script>`;
    const i = s.equity_history.flow_markers.findIndex((m) => m.ledger_id === XSS_ID);
    (s.equity_history.flow_markers[i] as { asset: string }).asset = evilAsset;
    srv.setStatus(s);
    const { page, rec } = await open();
    await page.locator('svg.equity-chart .marker').first().waitFor();
    await page.click('#flows summary');
    await expect.poll(() => page.locator('#flow-list').innerText(), { timeout: 5000 }).toContain(XSS_ID);
    expect(await page.locator('#flow-list').innerText()).toContain('<b>DOGE</b>');
    await page.locator(`svg.equity-chart .marker[data-i="${i}"] .marker-shape`).hover();
    await expect.poll(() => page.locator('#chart-tip').innerText(), { timeout: 5000 }).toContain(XSS_ID);
    expect(await page.locator(`svg.equity-chart .marker[data-i="${i}"]`).getAttribute('aria-label')).toContain(evilAsset);
    expect(await page.locator('svg.equity-chart').count()).toBe(1);
    expect(await page.locator('#chart script, #chart img').count()).toBe(0);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('#flow-list b').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(rec.errors).toEqual([]);
    await page.close();
  });

  it('goes stale when ts stops advancing, and when fetches fail; recovers when ticks resume', async () => {
    const s = makeStatus({ loop: { interval_sec: 5 } });
    srv.setStatus(s);
    const page = await browser.newPage();
    const rec = recordPage(page);
    await page.clock.install({ time: Date.now() });
    await page.goto(srv.url);
    await expect.poll(() => page.locator('#health').textContent(), { timeout: 5000 }).toBe('healthy');
    expect(await page.locator('#banner').isVisible()).toBe(false);

    // The server keeps answering with the same ts: after 3 intervals (+ a poll) the page says so.
    await page.clock.fastForward(25_000);
    await expect.poll(() => page.locator('#health').textContent(), { timeout: 5000 }).toBe('stale');
    expect(await page.locator('#banner').innerText()).toMatch(/stale/i);
    expect(await page.evaluate(() => document.body.classList.contains('is-stale'))).toBe(true);
    await screenshot(page, 'dashboard-stale');

    // Ticks resume.
    srv.setStatus(makeStatus({ ts: Math.floor(Date.now() / 1000) + 25, loop: { interval_sec: 5 } }));
    await page.clock.fastForward(5_000);
    await expect.poll(() => page.locator('#health').textContent(), { timeout: 5000 }).toBe('healthy');
    expect(await page.evaluate(() => document.body.classList.contains('is-stale'))).toBe(false);

    // The sidecar becomes unreachable: the stream breaks and polls fail.
    await page.route('**/status', (route) => route.abort());
    await page.route('**/events', (route) => route.abort());
    srv.feed.disconnectAll();
    await page.clock.fastForward(5_000);
    await expect.poll(() => page.locator('#health').textContent(), { timeout: 5000 }).toBe('offline');
    expect(await page.locator('#banner').innerText()).toMatch(/Cannot reach the sidecar/);
    expect(await page.evaluate(() => document.body.classList.contains('is-stale'))).toBe(true);
    // Aborted requests log "Failed to load resource"; anything else is a real error.
    expect(rec.errors.filter((e) => !/Failed to load resource|ERR_FAILED/.test(e))).toEqual([]);
    await page.close();
  });

  it('works when opened as /?token=...: the session cookie carries its requests (stream, report), no token in them', async () => {
    const guarded = await startTestServer({ token: TOKEN, status: makeStatus() });
    try {
      expect((await fetch(guarded.url)).status).toBe(401);
      const page = await browser.newPage();
      const rec = recordPage(page);
      const auth: (string | undefined)[] = [];
      page.on('request', (r) => {
        if (/\/(status|events|report)$/.test(r.url())) auth.push(r.headers()['authorization'] ?? r.headers()['cookie']);
      });
      await page.goto(`${guarded.url}?token=${TOKEN}`);
      await page.locator('svg.equity-chart path.line-eq').waitFor();
      await expect.poll(() => page.locator('#health').textContent(), { timeout: 5000 }).toBe('healthy');
      expect(page.url()).toBe(guarded.url);
      expect(auth.length).toBeGreaterThan(0);
      expect(auth.every((a) => a === undefined || !a.includes(TOKEN))).toBe(true);
      expect(rec.errors).toEqual([]);
      expect(guarded.sink.text()).not.toContain(TOKEN);
      await page.close();
    } finally {
      await guarded.close();
    }
  });
});
