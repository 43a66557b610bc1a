// In real Chromium: the page follows /events (a new flow shows without any /status poll), falls back to ETag
// polling when the stream is cut and returns to the stream; the 7-day toggle fetches the week from /flows;
// the header shows /status.live.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusPayload } from '../../src/bot/status-types.js';
import type { FlowRecord } from '../../src/recon/types.js';
import { DEFAULT_FLOWS, flowJson, flowMarker, makeStatus, markersInWindow, type FixtureFlow } from '../helpers/status-fixture.js';
import { browserAvailable, launchBrowser, recordPage, type PageRecorder } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../dashboard/harness.js';

const RUN = browserAvailable();
const DAY = 86_400;

/** The payload as the server builds it now: markers of the last 24 h only; the week is at /flows. */
function splitStatus(now: number, flows: readonly FixtureFlow[], overrides: Parameters<typeof makeStatus>[0] = {}): StatusPayload {
  const s = makeStatus(overrides, { now, flows });
  const markers = flows.map((f) => flowMarker(f, now)).filter((m) => m.ts >= now - DAY).sort((a, b) => a.ts - b.ts);
  return { ...s, equity_history: { ...s.equity_history, flow_markers: markers, flow_markers_from: now - DAY } };
}

function records(flows: readonly FixtureFlow[], now: number): FlowRecord[] {
  return flows.map((f) => {
    const j = flowJson(f, now);
    return { ...j, amount: String(j.amount), fee: String(j.fee), net: String(j.net), side: f.asset === 'DOGE' ? 'base' : 'quote', detected_ts: j.time };
  });
}

let browser: Browser;
let srv: TestServer;
let page: Page;
let rec: PageRecorder;
let flows: FixtureFlow[] = [...DEFAULT_FLOWS];
let now = Math.floor(Date.now() / 1000);

const statusRequests = (): number[] =>
  srv.sink.lines
    .map((l) => JSON.parse(l) as { msg?: string; path?: string; status?: number })
    .filter((l) => l.msg === 'http request' && l.path === '/status')
    .map((l) => l.status ?? 0);
const markerCount = () => page.locator('svg.equity-chart .marker').count();

describe.skipIf(!RUN)('dashboard page: pushed by /events, polled when the stream breaks', () => {
  beforeAll(async () => {
    [browser, srv] = await Promise.all([
      launchBrowser(),
      startTestServer({ status: splitStatus(now, flows, { live: { mode: 'poll', connected: false, reason: 'stall' } }), flows: () => records(flows, now) }),
    ]);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    rec = recordPage(page);
    await page.goto(srv.url);
    await page.locator('svg.equity-chart path.line-eq').waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  it('shows /status.live quietly in the header', async () => {
    await expect.poll(() => page.locator('#live').getAttribute('data-transport'), { timeout: 5000 }).toBe('stream');
    expect(await page.locator('#live').textContent()).toBe('poll · stall');
    expect(await page.locator('#live').getAttribute('title')).toMatch(/REST polling \(stall\).*this page: live stream/);
  });

  it('draws a new flow pushed by the stream, with no /status request', async () => {
    const polled = statusRequests().length;
    expect(await markerCount()).toBe(3);
    now += 5;
    flows = [{ ago: 1, asset: 'DOGE', net: 777, ledger_id: 'LPUSH-STREAM-000001' }, ...flows];
    srv.setStatus(splitStatus(now, flows, { live: { mode: 'push', connected: true, reason: null } }));
    await expect.poll(() => markerCount(), { timeout: 2000 }).toBe(4);
    await page.click('#flows summary');
    await expect.poll(() => page.locator('#flow-list').innerText(), { timeout: 2000 }).toContain('LPUSH-STREAM-000001');
    expect(await page.locator('#live').textContent()).toBe('push');
    expect(statusRequests().length).toBe(polled);
  });

  it('fetches the week from /flows on the 7 d toggle and draws every flow of the week', async () => {
    const week = markersInWindow(flows.map((f) => flowMarker(f, now)), 7 * DAY, now);
    expect(week).toBe(7);
    await page.click('button[data-range="7d"]');
    await expect.poll(() => markerCount(), { timeout: 5000 }).toBe(week);
    await page.click('button[data-range="24h"]');
    await expect.poll(() => markerCount(), { timeout: 5000 }).toBe(4);
  });

  it('polls /status when the stream is cut, and returns to the stream', async () => {
    await page.route('**/events', (route) => route.abort());
    srv.feed.disconnectAll();
    await expect.poll(() => page.locator('#live').getAttribute('data-transport'), { timeout: 5000 }).toBe('poll');
    const polled = statusRequests().length;
    now += 5;
    flows = [{ ago: 1, asset: 'USD', net: -42, ledger_id: 'LPOLL-FALLBK-000002', type: 'withdrawal' }, ...flows];
    srv.setStatus(splitStatus(now, flows));
    await expect.poll(() => page.locator('#flow-list').innerText(), { timeout: 8000 }).toContain('LPOLL-FALLBK-000002');
    expect(statusRequests().length).toBeGreaterThan(polled);
    expect(statusRequests().slice(polled)).toContain(200);

    await page.unroute('**/events');
    await expect.poll(() => page.locator('#live').getAttribute('data-transport'), { timeout: 15_000 }).toBe('stream');
    now += 5;
    flows = [{ ago: 1, asset: 'DOGE', net: 31, ledger_id: 'LBACK-STREAM-000003' }, ...flows];
    srv.setStatus(splitStatus(now, flows));
    await expect.poll(() => page.locator('#flow-list').innerText(), { timeout: 2000 }).toContain('LBACK-STREAM-000003');
    expect(rec.errors.filter((e) => !/Failed to load resource|ERR_FAILED/.test(e))).toEqual([]);
  });
});
