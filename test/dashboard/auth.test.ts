import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenMatches } from '../../src/dashboard/auth.js';
import { makeStatus } from '../helpers/status-fixture.js';
import { startTestServer, type TestServer } from './harness.js';

const TOKEN = 'Zq9-s3cr3t-T0KEN_value';
let srv: TestServer;

beforeAll(async () => {
  srv = await startTestServer({ token: TOKEN, status: makeStatus() });
});
afterAll(() => srv.close());

const get = (path: string, headers: Record<string, string> = {}): Promise<Response> => fetch(srv.url + path.replace(/^\//, ''), { headers });

describe('token auth', () => {
  it('rejects a missing token with 401 JSON and WWW-Authenticate: Bearer', async () => {
    for (const path of ['/status', '/', '/dashboard.js', '/chart.svg', '/metrics', '/nope']) {
      const res = await get(path);
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await res.json()).toEqual({ error: 'unauthorized' });
    }
  });

  it('rejects a wrong token, in the header or the query', async () => {
    expect((await get('/status', { Authorization: 'Bearer nope' })).status).toBe(401);
    expect((await get('/status', { Authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    expect((await get('/status', { Authorization: TOKEN })).status).toBe(401); // no scheme
    expect((await get('/status', { Authorization: `Basic ${TOKEN}` })).status).toBe(401);
    expect((await get('/status?token=nope')).status).toBe(401);
    // A wrong header is not rescued by a right query.
    expect((await get(`/status?token=${TOKEN}`, { Authorization: 'Bearer nope' })).status).toBe(401);
  });

  it('accepts the right token in the header or in ?token=', async () => {
    expect((await get('/status', { Authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await get('/status', { Authorization: `bearer ${TOKEN}` })).status).toBe(200);
    expect((await get(`/status?token=${TOKEN}`)).status).toBe(200);
    expect((await get(`/dashboard.css?token=${TOKEN}`)).status).toBe(200);
    expect((await get(`/chart.svg?range=7d&token=${TOKEN}`)).status).toBe(200);
  });

  it('leaves /healthz open', async () => {
    expect((await get('/healthz')).status).toBe(200);
  });

  it('trades /?token= for a session cookie and a 303 to /, and serves the page as-is to a header', async () => {
    const login = await fetch(`${srv.url}?token=${TOKEN}`, { redirect: 'manual' });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/');
    expect(login.headers.get('set-cookie')).toMatch(/^sidecar_session=v1\./);
    const viaHeader = await (await get('/', { Authorization: `Bearer ${TOKEN}` })).text();
    expect(viaHeader).toContain('src="dashboard.js"');
    expect(viaHeader).not.toContain('token=');
  });
});

describe('auth helpers', () => {
  it('compares tokens of any length without throwing', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abc', 'abcd')).toBe(false);
    expect(tokenMatches('', 'abc')).toBe(false);
    expect(tokenMatches('ä', 'a')).toBe(false);
  });
});
