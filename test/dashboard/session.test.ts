// Browser sessions on a live server: /?token= → 303 + cookie, cookie-only requests on every guarded route,
// and the cookies an attacker or time can produce: forged, tampered, expired, from an old token, oversized.
import { afterEach, describe, expect, it } from 'vitest';
import { SESSION_COOKIE, SESSION_MAX_AGE_SEC, sessionCandidates, sessionValid, sessionValue } from '../../src/dashboard/session.js';
import { makeStatus } from '../helpers/status-fixture.js';
import { rawGet } from '../helpers/raw-http.js';
import { startTestServer, type TestServer } from './harness.js';

const TOKEN = 'session-token-0123456789abc';
const NEW_TOKEN = 'rotated-token-9876543210xyz';
const GUARDED = ['status', 'chart.svg?range=7d', 'metrics', '', 'index.html', 'dashboard.js', 'dashboard.css'];
const NOW = Date.UTC(2026, 0, 2);

let servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function start(token = TOKEN, nowMs: () => number = () => NOW): Promise<TestServer> {
  const srv = await startTestServer({ token, status: makeStatus(), nowMs, metrics: async () => ({ contentType: 'text/plain', body: 'x 1\n' }) });
  servers.push(srv);
  return srv;
}

/** Logs in like a browser; returns the raw Set-Cookie line and the `name=value` pair to send back. */
async function login(srv: TestServer, headers: Record<string, string> = {}): Promise<{ setCookie: string; cookie: string }> {
  const res = await fetch(`${srv.url}?token=${encodeURIComponent(TOKEN)}`, { redirect: 'manual', headers });
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toBe('/');
  expect(res.headers.get('cache-control')).toBe('no-store');
  const setCookie = res.headers.get('set-cookie') ?? '';
  return { setCookie, cookie: setCookie.split(';')[0] ?? '' };
}

const get = (srv: TestServer, path: string, cookie: string): Promise<Response> => fetch(srv.url + path, { headers: { Cookie: cookie } });

describe('browser session cookie', () => {
  it('/?token= answers 303 to / with an HttpOnly, SameSite=Strict, Path=/ cookie that is not the token', async () => {
    const srv = await start();
    const { setCookie, cookie } = await login(srv);
    const attrs = setCookie.split(';').map((a) => a.trim());
    expect(attrs).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/', `Max-Age=${SESSION_MAX_AGE_SEC}`]));
    expect(attrs).not.toContain('Secure'); // plain http on loopback: a Secure cookie would not be stored
    expect(setCookie).not.toContain(TOKEN);
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=v1\\.\\d{10}\\.[A-Za-z0-9_-]{43}$`));
    // Also from /index.html?token=, and the redirect body never echoes the token.
    const viaIndex = await fetch(`${srv.url}index.html?token=${TOKEN}`, { redirect: 'manual' });
    expect(viaIndex.status).toBe(303);
    expect(await viaIndex.text()).not.toContain(TOKEN);
  });

  it('the cookie alone opens every guarded route; the probes never needed it', async () => {
    const srv = await start();
    const { cookie } = await login(srv);
    for (const path of GUARDED) {
      expect((await fetch(srv.url + path)).status, `${path} without`).toBe(401);
      expect((await get(srv, path, cookie)).status, `${path} with cookie`).toBe(200);
    }
    const body = (await (await get(srv, 'status', cookie)).json()) as { mode: string };
    expect(body.mode).toBe('demo');
    // The page itself, with the cookie, is served (no second redirect) and carries no token anywhere.
    const page = await get(srv, '', cookie);
    expect(page.status).toBe(200);
    expect(await page.text()).not.toContain('token=');
  });

  it('a wrong ?token= sets no cookie, and a wrong header or query is refused even with a valid cookie', async () => {
    const srv = await start();
    for (const q of ['?token=nope', `?token=${TOKEN}x`, `?token=${TOKEN.slice(0, -1)}`]) {
      const res = await fetch(srv.url + q, { redirect: 'manual' });
      expect(res.status, q).toBe(401);
      expect(res.headers.get('set-cookie'), q).toBeNull();
    }
    const { cookie } = await login(srv);
    expect((await fetch(`${srv.url}status`, { headers: { Cookie: cookie, Authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${srv.url}status?token=wrong`, { headers: { Cookie: cookie } })).status).toBe(401);
    // A header login is not turned into a cookie (scripts do not need one).
    const scripted = await fetch(srv.url, { headers: { Authorization: `Bearer ${TOKEN}` }, redirect: 'manual' });
    expect(scripted.status).toBe(200);
    expect(scripted.headers.get('set-cookie')).toBeNull();
  });

  it('refuses forged and tampered cookies', async () => {
    const srv = await start();
    const { cookie } = await login(srv);
    const value = cookie.slice(SESSION_COOKIE.length + 1);
    const [, exp, mac] = value.split('.') as [string, string, string];
    const flip = (s: string): string => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    const forged = [
      TOKEN, // the token itself is not a session
      `v1.${exp}.${flip(mac)}`, // one character of the MAC
      `v1.${Number(exp) + 86_400}.${mac}`, // extended expiry, old MAC
      `v2.${exp}.${mac}`,
      `v1.${exp}.${mac}=`,
      `v1.${exp}.${mac.slice(0, -1)}`,
      sessionValue('some-other-token-00000000', Number(exp)), // right format, wrong key
      '',
      'x'.repeat(4000),
    ];
    for (const f of forged) expect((await get(srv, 'status', `${SESSION_COOKIE}=${f}`)).status, f.slice(0, 40)).toBe(401);
    expect((await get(srv, 'status', `other_${SESSION_COOKIE}=${value}`)).status).toBe(401); // another cookie's name
  });

  it('a cookie is stale once STATUS_TOKEN changes, and after its expiry', async () => {
    const first = await start();
    const { cookie } = await login(first);
    const rotated = await start(NEW_TOKEN);
    expect((await get(rotated, 'status', cookie)).status).toBe(401);
    expect((await get(first, 'status', cookie)).status).toBe(200);
    let now = NOW;
    const later = await start(TOKEN, () => now);
    expect((await get(later, 'status', cookie)).status).toBe(200); // same token: survives a restart
    now = NOW + SESSION_MAX_AGE_SEC * 1000 - 1000;
    expect((await get(later, 'status', cookie)).status).toBe(200);
    now = NOW + SESSION_MAX_AGE_SEC * 1000;
    expect((await get(later, 'status', cookie)).status).toBe(401);
  });

  it('finds its cookie among others (other local apps share cookies across ports), within a bounded search', async () => {
    const srv = await start();
    const { cookie } = await login(srv);
    const noise = Array.from({ length: 200 }, (_, i) => `app${i}=${'v'.repeat(40)}`).join('; ');
    expect((await get(srv, 'status', `${noise}; ${cookie}`)).status).toBe(200);
    // Several same-named cookies (an old one on another path first): any valid one counts.
    expect((await get(srv, 'status', `${SESSION_COOKIE}=stale; ${cookie}`)).status).toBe(200);
    // ...but only the first four are looked at, so a header cannot make us compute MACs without end.
    const many = Array.from({ length: 4 }, () => `${SESSION_COOKIE}=v1.9999999999.${'A'.repeat(43)}`).join('; ');
    expect((await get(srv, 'status', `${many}; ${cookie}`)).status).toBe(401);
  });

  it('an oversized Cookie header is refused by the HTTP parser (431) before any MAC work', async () => {
    const srv = await start();
    const { cookie } = await login(srv);
    const res = await rawGet(srv.port, '/status', ['Host: 127.0.0.1', `Cookie: big=${'x'.repeat(20_000)}; ${cookie}`]);
    expect(res.status).toBe(431);
    expect(res.body).not.toContain('balance');
  });

  it('sets Secure over https and behind a proxy that says X-Forwarded-Proto: https', async () => {
    const srv = await start();
    for (const xfp of ['https', 'HTTPS', 'https, http']) {
      const { setCookie } = await login(srv, { 'X-Forwarded-Proto': xfp });
      expect(setCookie.split(';').map((a) => a.trim()), xfp).toContain('Secure');
    }
    const { setCookie } = await login(srv, { 'X-Forwarded-Proto': 'http' });
    expect(setCookie).not.toMatch(/Secure/);
  });

  it('answers a cross-site navigation without credentials with a 401 page that reloads itself once', async () => {
    const srv = await start();
    const nav = ['Host: 127.0.0.1', 'Sec-Fetch-Site: cross-site', 'Sec-Fetch-Mode: navigate', 'Sec-Fetch-Dest: document'];
    const bounce = await rawGet(srv.port, '/', nav);
    expect(bounce.status).toBe(401);
    expect(bounce.headers['content-type']?.[0]).toMatch(/^text\/html/);
    expect(bounce.body).toContain('<meta http-equiv="refresh" content="0">');
    expect(bounce.body).not.toMatch(/<script|doge|"ts"|usd/i);
    expect(bounce.headers['content-security-policy']?.[0]).toContain("default-src 'self'");
    expect(bounce.headers['cache-control']).toEqual(['no-store']);
    // Same-origin (the reload itself), fetches and explicit wrong credentials keep the JSON 401.
    const others = [
      ['Host: 127.0.0.1', 'Sec-Fetch-Site: same-origin', 'Sec-Fetch-Mode: navigate'],
      ['Host: 127.0.0.1', 'Sec-Fetch-Site: cross-site', 'Sec-Fetch-Mode: cors'],
      [...nav, 'Authorization: Bearer nope'],
    ];
    for (const headers of others) {
      const res = await rawGet(srv.port, '/status', headers);
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body)).toEqual({ error: 'unauthorized' });
    }
    // With the cookie the page itself is served, whatever the navigation.
    const { cookie } = await login(srv);
    expect((await rawGet(srv.port, '/', [...nav, `Cookie: ${cookie}`])).status).toBe(200);
  });

  it('never writes the token or the cookie into the log', async () => {
    const srv = await start();
    const { cookie } = await login(srv);
    await get(srv, 'status', cookie);
    await get(srv, 'status', `${SESSION_COOKIE}=forged`);
    expect(srv.sink.text()).not.toContain(TOKEN);
    expect(srv.sink.text()).not.toContain(cookie.slice(SESSION_COOKIE.length + 1));
  });
});

describe('session helpers', () => {
  it('validates only its own format, in constant time per candidate', () => {
    const nowSec = NOW / 1000;
    const v = sessionValue(TOKEN, nowSec + 60);
    expect(sessionValid(v, TOKEN, nowSec)).toBe(true);
    expect(sessionValid(v, NEW_TOKEN, nowSec)).toBe(false);
    expect(sessionValid(v, TOKEN, nowSec + 60)).toBe(false);
    // 43 base64url characters carry 258 bits for a 256-bit MAC: a last character that differs only in the two
    // unused bits decodes to the same bytes. Only the canonical spelling, the one issued, is a session.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(v.slice(-1));
    for (const bits of [1, 2, 3]) expect(sessionValid(`${v.slice(0, -1)}${alphabet[last ^ bits] ?? ''}`, TOKEN, nowSec), `alias ${bits}`).toBe(false);
    expect(sessionCandidates(`a=1; ${SESSION_COOKIE}="${v}"; b=2`)).toEqual([v]);
    expect(sessionCandidates(undefined)).toEqual([]);
  });
});
