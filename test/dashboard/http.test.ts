import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeStatus } from '../helpers/status-fixture.js';
import { startTestServer, type TestServer } from './harness.js';

let srv: TestServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
  vi.restoreAllMocks();
});

const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

function expectSecurityHeaders(res: Response): void {
  expect(res.headers.get('content-security-policy')).toBe(CSP);
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(res.headers.get('x-powered-by')).toBeNull();
}

describe('dashboard HTTP', () => {
  it('sets the security headers on every kind of response', async () => {
    srv = await startTestServer({ status: makeStatus() });
    for (const path of ['/', '/index.html', '/dashboard.js', '/dashboard.css', '/chart.js', '/status', '/healthz', '/chart.svg', '/nope', '/chart.svg?range=1y']) {
      const res = await fetch(srv.url + path.slice(1));
      expectSecurityHeaders(res);
    }
    const withToken = await startTestServer({ token: 't0k' });
    try {
      const res = await fetch(withToken.url + 'status');
      expect(res.status).toBe(401);
      expectSecurityHeaders(res);
    } finally {
      await withToken.close();
    }
  });

  it('answers 503 "warming up" (no-store) before the first tick, then the cached payload (no-cache, revalidated by ETag)', async () => {
    srv = await startTestServer();
    const cold = await fetch(srv.url + 'status');
    expect(cold.status).toBe(503);
    expect(cold.headers.get('cache-control')).toBe('no-store');
    expect(await cold.json()).toEqual({ error: 'warming up' });

    const status = makeStatus();
    srv.setStatus(status);
    const res = await fetch(srv.url + 'status');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]{8}-\d+(-gzip)?"$/);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(status)));
  });

  it('serializes a payload once per tick, not once per request', async () => {
    srv = await startTestServer();
    const first = makeStatus();
    srv.setStatus(first);
    const spy = vi.spyOn(JSON, 'stringify');
    const countFor = (v: unknown): number => spy.mock.calls.filter((c) => c[0] === v).length;
    for (let i = 0; i < 3; i += 1) expect((await fetch(srv.url + 'status')).status).toBe(200);
    expect(countFor(first)).toBe(1);
    const second = makeStatus({ ts: first.ts + 30 });
    srv.setStatus(second);
    const body = (await (await fetch(srv.url + 'status')).json()) as { ts: number };
    expect(body.ts).toBe(first.ts + 30);
    expect(countFor(second)).toBe(1);
  });

  it('/healthz reports 200 or 503 from the loop health and never needs the token', async () => {
    srv = await startTestServer({ token: 'secret-token' });
    const ok = await fetch(srv.url + 'healthz');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ok: true });
    srv.setHealth({ ok: false, last_tick_age_sec: 400 });
    const bad = await fetch(srv.url + 'healthz');
    expect(bad.status).toBe(503);
    expect(await bad.json()).toEqual({ ok: false, last_tick_age_sec: 400 });
  });

  it('serves the page and its assets from public/', async () => {
    srv = await startTestServer();
    const page = await fetch(srv.url);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<script type="module" src="dashboard.js"></script>');
    expect(html).not.toMatch(/<script>|<style|style="/); // nothing the CSP would block
    const js = await fetch(srv.url + 'chart.js');
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(srv.url + 'chart.d.ts')).status).toBe(404);
  });

  it('serves /metrics when a provider is given, 404 otherwise', async () => {
    srv = await startTestServer();
    expect((await fetch(srv.url + 'metrics')).status).toBe(404);
    await srv.close();
    srv = await startTestServer({ metrics: async () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', body: 'sidecar_up 1\n' }) });
    const res = await fetch(srv.url + 'metrics');
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await res.text()).toBe('sidecar_up 1\n');
  });
});
