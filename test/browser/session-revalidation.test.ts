// In real Chromium: the token login leaves only a cookie behind (no token in the address bar, history or
// requests), and the page's polls revalidate: a second poll inside one tick is a 304 on the wire.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeStatus } from '../helpers/status-fixture.js';
import { makeReport } from '../helpers/report-fixture.js';
import type { ReportView } from '../../src/reports/types.js';
import { browserAvailable, launchBrowser, recordPage } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../dashboard/harness.js';

const RUN = browserAvailable();
const TOKEN = 'browser-session-T0ken-value';

let browser: Browser;
let srv: TestServer;

/** What the server sent for /status, from its own request log (one line per response, on the wire). */
function statusResponses(s: TestServer): number[] {
  return s.sink.lines
    .map((l) => JSON.parse(l) as { msg?: string; path?: string; status?: number })
    .filter((l) => l.msg === 'http request' && l.path === '/status')
    .map((l) => l.status ?? 0);
}

describe.skipIf(!RUN)('dashboard page: session cookie and revalidation', () => {
  beforeAll(async () => {
    [browser, srv] = await Promise.all([launchBrowser(), startTestServer({
        token: TOKEN,
        status: makeStatus({ ts: Math.floor(Date.now() / 1000) }),
        // The page's Reports card polls /report too: with the cookie it must get a 200 like /status.
        reports: () => ({ report: makeReport(Math.floor(Date.now() / 1000)) as unknown as ReportView, flows: [], equity: [] }),
      })]);
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  it('opens as /?token=..., lands on / with an HttpOnly cookie, and never sends the token again', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const rec = recordPage(page);
    const seen: { url: string; status: number; auth: string | undefined }[] = [];
    page.on('response', (r) => seen.push({ url: r.url(), status: r.status(), auth: r.request().headers()['authorization'] }));
    await page.goto(`${srv.url}?token=${TOKEN}`);
    await expect.poll(() => page.locator('#health').textContent(), { timeout: 10_000 }).toBe('healthy');
    expect(page.url()).toBe(srv.url);
    expect(await page.evaluate(() => location.href + document.cookie)).not.toContain(TOKEN);
    expect(seen[0]).toMatchObject({ url: `${srv.url}?token=${TOKEN}`, status: 303 });
    const after = seen.slice(1);
    expect(after.map((r) => new URL(r.url).pathname)).toEqual(expect.arrayContaining(['/', '/dashboard.js', '/events', '/report']));
    expect(after.every((r) => !r.url.includes('token') && r.auth === undefined && r.status < 400)).toBe(true);
    const cookies = await context.cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: 'sidecar_session', httpOnly: true, sameSite: 'Strict', path: '/', secure: false });
    expect(cookies[0]?.value).not.toContain(TOKEN);
    // A fresh context (no cookie) gets the page's own "Unauthorized" message, not the data.
    const stranger = await browser.newPage();
    const res = await stranger.goto(srv.url);
    expect(res?.status()).toBe(401);
    await stranger.close();
    expect(rec.errors).toEqual([]);
    expect(srv.sink.text()).not.toContain(TOKEN);
    await context.close();
  });

  it('logs in from a link on another site too (SameSite=Strict: the first / bounces once), and a stranger does not loop', async () => {
    const elsewhere: Server = createServer((_req, res) => {
      res.setHeader('Content-Type', 'text/html');
      res.end(`<a id="in" href="${srv.url}?token=${TOKEN}">sidecar</a><a id="plain" href="${srv.url}">sidecar</a>`);
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', () => resolve()));
    // localhost and 127.0.0.1 are different sites: the link is a cross-site navigation.
    const wiki = `http://localhost:${(elsewhere.address() as AddressInfo).port}/`;
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      const rec = recordPage(page);
      const docs: string[] = [];
      page.on('response', (r) => {
        if (r.request().resourceType() === 'document') docs.push(`${r.status()} ${r.url()}`);
      });
      await page.goto(wiki);
      await page.click('#in');
      await expect.poll(() => page.locator('#health').textContent(), { timeout: 10_000 }).toBe('healthy');
      expect(docs).toEqual([`200 ${wiki}`, `303 ${srv.url}?token=${TOKEN}`, `401 ${srv.url}`, `200 ${srv.url}`]);
      // The bounce's 401 is logged by the browser as a failed load; nothing else may be.
      expect(rec.errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
      await context.close();

      const stranger = await browser.newPage();
      const strangerDocs: number[] = [];
      stranger.on('response', (r) => {
        if (r.request().resourceType() === 'document') strangerDocs.push(r.status());
      });
      await stranger.goto(wiki);
      await stranger.click('#plain');
      await expect.poll(() => strangerDocs, { timeout: 10_000 }).toEqual([200, 401, 401]);
      await new Promise((r) => setTimeout(r, 500));
      expect(strangerDocs).toEqual([200, 401, 401]); // bounced once, then the plain 401: no loop
      expect(await stranger.locator('body').innerText()).toContain('unauthorized');
      await stranger.close();
    } finally {
      elsewhere.close();
    }
  });

  it('a second poll inside one tick is a 304 on the wire; a new tick is a 200 and renders', async () => {
    // No event stream (every stream slot taken): the page polls /status and revalidates. (Playwright's request
    // routing would switch the browser's HTTP cache off, so the stream is refused by the server instead.)
    const srv = await startTestServer({ token: TOKEN, status: makeStatus({ ts: Math.floor(Date.now() / 1000) }), eventsMaxStreams: 0 });
    const context = await browser.newContext();
    const page = await context.newPage();
    const rec = recordPage(page);
    await page.clock.install({ time: Date.now() });
    const login = await page.request.get(`${srv.url}?token=${TOKEN}`, { maxRedirects: 0 });
    expect(login.status()).toBe(303);
    const before = statusResponses(srv).length;
    await page.goto(srv.url);
    await expect.poll(() => page.locator('#health').textContent(), { timeout: 10_000 }).toBe('healthy');
    expect(statusResponses(srv).slice(before)).toEqual([]); // the first payload came inlined in the page

    await page.clock.fastForward(4_500); // the first poll: the browser holds no body yet
    await expect.poll(() => statusResponses(srv).slice(before), { timeout: 10_000 }).toEqual([200]);
    await page.clock.fastForward(4_500); // the next poll, same tick
    await expect.poll(() => statusResponses(srv).slice(before), { timeout: 10_000 }).toEqual([200, 304]);
    await page.clock.fastForward(4_500);
    await expect.poll(() => statusResponses(srv).slice(before), { timeout: 10_000 }).toEqual([200, 304, 304]);
    expect(await page.locator('#health').textContent()).toBe('healthy'); // the cached body was handed to the page

    const price = await page.locator('#price').textContent();
    srv.setStatus(makeStatus({ ts: Math.floor(Date.now() / 1000) + 9, price: { last: 0.4321, ts: Math.floor(Date.now() / 1000) + 9, ok: true, last_error: null } }));
    await page.clock.fastForward(4_500);
    await expect.poll(() => statusResponses(srv).slice(before), { timeout: 10_000 }).toEqual([200, 304, 304, 200]);
    await expect.poll(() => page.locator('#price').textContent(), { timeout: 10_000 }).not.toBe(price);
    expect(await page.locator('#price').textContent()).toContain('0.4321');
    expect(rec.errors.filter((e) => !/Failed to load resource|ERR_FAILED/.test(e))).toEqual([]);
    await context.close();
    await srv.close();
  });
});
