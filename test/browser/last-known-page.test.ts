// The page after a restart, before Kraken answers: the last known figures, said to be stale and how old.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeStatus } from '../helpers/status-fixture.js';
import { browserAvailable, launchBrowser, recordPage } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../dashboard/harness.js';

const RUN = browserAvailable();
let browser: Browser;
let srv: TestServer;

describe.skipIf(!RUN)('dashboard page with last known figures', () => {
  beforeAll(async () => {
    [browser, srv] = await Promise.all([launchBrowser(), startTestServer()]);
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  it('says "stale, N s old" while the figures come from disk, and nothing once they are fresh', async () => {
    const stale = makeStatus({ price: { ok: false, stale: true, age_sec: 120 }, balances: { ok: false, stale: true, age_sec: 120 }, balance_recon: { stale: true, age_sec: 121 } });
    srv.setStatus(stale);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const rec = recordPage(page);
    await page.goto(srv.url);
    await expect.poll(() => page.locator('#banner').textContent(), { timeout: 5000 }).toMatch(/last known figures from before the restart: stale, 12\d s old/);
    expect(await page.locator('#health').textContent()).toBe('degraded');
    // The figures themselves are shown, not dashes.
    expect(await page.locator('#price').textContent()).not.toBe('—');

    srv.setStatus(makeStatus({ price: { stale: false, age_sec: null }, balances: { stale: false, age_sec: null }, balance_recon: { stale: false, age_sec: null } }));
    await expect.poll(() => page.locator('#health').textContent(), { timeout: 8000 }).toBe('healthy');
    expect(await page.locator('#banner').isHidden()).toBe(true);
    expect(rec.errors).toEqual([]);
    await page.close();
  });
});
