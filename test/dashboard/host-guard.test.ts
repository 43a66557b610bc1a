// DNS rebinding: a page on a name the attacker controls can resolve that name to 127.0.0.1, but its requests
// carry the attacker's name in Host. Every route but the probes must refuse them (421), real server on port 0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostPolicy } from '../../src/dashboard/host-guard.js';
import { normalizeHostName, parseAuthority } from '../../src/dashboard/host-name.js';
import { makeStatus } from '../helpers/status-fixture.js';
import { rawGet, rawRequest } from '../helpers/raw-http.js';
import { startTestServer, type TestServer } from './harness.js';

const TOKEN = 'host-guard-token-0123456789';
const AUTH = `Authorization: Bearer ${TOKEN}`;
/** One route of each class: data, chart, metrics, page, static asset, unknown path, favicon. */
const GUARDED = ['/status', '/chart.svg?range=7d', '/metrics', '/', '/index.html', '/dashboard.js', '/nope', '/favicon.ico'];
const PROBES = ['/healthz', '/livez', '/readyz'];

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({
    token: TOKEN,
    status: makeStatus(),
    allowedHosts: ['sidecar.lan', '192.168.1.20'],
    metrics: async () => ({ contentType: 'text/plain', body: 'x 1\n' }),
  });
});
afterAll(() => srv.close());

const get = (target: string, host: string | null, extra: readonly string[] = [AUTH]) =>
  rawGet(srv.port, target, [...(host === null ? [] : [`Host: ${host}`]), ...extra]);

describe('Host allow-list on a live server', () => {
  it('refuses a foreign Host with 421 JSON on every guarded route, before auth, with the security headers', async () => {
    for (const path of GUARDED) {
      for (const extra of [[AUTH], []]) {
        const res = await get(path, 'attacker.example', extra);
        expect(res.status, `${path} ${extra.join()}`).toBe(421);
        expect(res.headers['content-type']?.[0]).toMatch(/^application\/json/);
        expect(JSON.parse(res.body)).toMatchObject({ error: 'misdirected request' });
        expect(res.headers['content-security-policy']).toBeDefined();
        expect(res.headers['cache-control']).toEqual(['no-store']);
        expect(res.body).not.toContain('balance'); // nothing of the payload
      }
    }
  });

  it('answers the probes whatever the Host (supervisors and load balancers use any name)', async () => {
    for (const path of PROBES) {
      for (const host of ['attacker.example', '', '::1', 'LOCALHOST']) {
        expect((await get(path, host, [])).status, `${path} ${host}`).toBe(200);
      }
      expect((await rawRequest(srv.port, `GET ${path} HTTP/1.0`)).status, `${path} HTTP/1.0`).toBe(200);
    }
    // Exactly the probes, as express routes them (any case, one trailing slash): nothing that merely looks alike.
    for (const path of ['/HEALTHZ', '/livez/', '/ReadyZ/']) expect((await get(path, 'attacker.example', [])).status, path).toBe(200);
    for (const path of ['/healthzx', '/healthz.json', '/healthz//', '/x/healthz', '/status?/healthz', '/%68ealthz']) {
      expect((await get(path, 'attacker.example', [])).status, path).toBe(421);
      expect((await get(path, '127.0.0.1', [])).status, path).toBe(401);
    }
  });

  it('answers the loopback names, HOST itself and ALLOWED_HOSTS at any port, in any case, with a trailing dot', async () => {
    const allowed = ['127.0.0.1', `127.0.0.1:${srv.port}`, 'localhost', 'LOCALHOST:1', 'localhost.', `LocalHost.:${srv.port}`, '[::1]', `[::1]:${srv.port}`,
      '[0:0:0:0:0:0:0:1]:80', '127.0.0.1.', 'sidecar.lan', 'SIDECAR.LAN.:443', '192.168.1.20:8787', `127.0.0.1:`];
    for (const host of allowed) {
      for (const path of ['/status', '/']) {
        expect((await get(path, host)).status, `${host} ${path}`).toBe(200);
      }
    }
  });

  it('refuses look-alikes of allowed names', async () => {
    const foreign = ['localhost.attacker.example', 'attacker.example.', '127.0.0.1.nip.io', 'sidecar.lan.evil', 'xlocalhost', '[::2]', '[::ffff:127.0.0.1]', '127.0.0.2', '0.0.0.0'];
    for (const host of foreign) expect((await get('/status', host)).status, host).toBe(421);
  });

  it('gives 400 to malformed Host values rather than guessing (RFC 9112 §3.2)', async () => {
    const bad = ['::1', '::1:8787', '[::1', '[::1]x', 'localhost:99999', 'localhost:80:80', 'user@localhost', 'local host', '127.0.0.01', '2130706433', '127.1', 'localhost..', '%6cocalhost', '[fe80::1%25eth0]'];
    for (const host of bad) {
      const res = await get('/status', host);
      expect(res.status, host).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ error: 'bad request' });
    }
  });

  it('refuses a missing (HTTP/1.0) or empty Host with 421; Node itself refuses HTTP/1.1 without Host', async () => {
    const http10 = await rawRequest(srv.port, ['GET /status HTTP/1.0', AUTH].join('\r\n'));
    expect(http10.status).toBe(421);
    expect(JSON.parse(http10.body)).toEqual({ error: 'misdirected request', detail: 'a Host header is required' });
    expect((await get('/status', '')).status).toBe(421);
    expect((await get('/status', null)).status).toBe(400); // HTTP/1.1 without Host: requireHostHeader
  });

  it('gives 400 to a request with two Host lines, even if both are allowed', async () => {
    for (const pair of [['127.0.0.1', 'attacker.example'], ['attacker.example', '127.0.0.1'], ['127.0.0.1', '127.0.0.1']]) {
      const res = await rawGet(srv.port, '/status', [`Host: ${pair[0]}`, `Host: ${pair[1]}`, AUTH]);
      expect(res.status, pair.join()).toBe(400);
      expect(JSON.parse(res.body)).toEqual({ error: 'bad request', detail: 'more than one Host header' });
    }
  });

  it('checks the absolute-form target, not the Host header, when they differ (RFC 9112 §3.2.2)', async () => {
    const evilTarget = await get('http://attacker.example/status', '127.0.0.1');
    expect(evilTarget.status).toBe(421);
    const ownTarget = await get(`http://127.0.0.1:${srv.port}/status`, 'attacker.example');
    expect(ownTarget.status).toBe(200);
    expect(JSON.parse(ownTarget.body)).toMatchObject({ mode: 'demo' });
    expect((await get('HTTP://LOCALHOST./status', 'attacker.example')).status).toBe(200);
    expect((await get('http://user@127.0.0.1/status', '127.0.0.1')).status).toBe(400);
    expect((await get('ftp://127.0.0.1/status', '127.0.0.1')).status).toBe(400);
    expect((await get('http://attacker.example/healthz', 'attacker.example', [])).status).toBe(200); // probes stay open
  });

  it('logs each refused name once, never the token', async () => {
    for (let i = 0; i < 3; i++) await get('/status', 'once.attacker.example');
    const lines = srv.sink.lines.filter((l) => l.includes('once.attacker.example'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ level: 40, host: 'once.attacker.example', path: '/status' });
    expect(srv.sink.text()).not.toContain(TOKEN);
  });
});

describe('Host policy and its start-up log', () => {
  it('logs what is allowed, and ALLOWED_HOSTS=* switches the check off with a warning', async () => {
    const open = await startTestServer({ status: makeStatus(), allowedHosts: '*', host: '0.0.0.0' });
    try {
      expect((await rawGet(open.port, '/status', ['Host: attacker.example'])).status).toBe(200);
      expect((await rawRequest(open.port, 'GET /status HTTP/1.0')).status).toBe(200);
      // Malformed or duplicate Host lines stay 400 even then.
      expect((await rawGet(open.port, '/status', ['Host: a', 'Host: b'])).status).toBe(400);
      const warn = open.sink.lines.map((l) => JSON.parse(l) as { level: number; msg: string }).find((l) => l.level === 40);
      expect(warn?.msg).toMatch(/ALLOWED_HOSTS=\* turns the DNS-rebinding guard off/);
    } finally {
      await open.close();
    }
    const info = srv.sink.lines.map((l) => JSON.parse(l) as { allowed_hosts?: unknown; msg: string }).find((l) => l.allowed_hosts !== undefined);
    expect(info?.allowed_hosts).toEqual(['localhost', '127.0.0.1', '[::1]', 'sidecar.lan', '192.168.1.20']);
    expect(info?.msg).toBe('answering for Host localhost, 127.0.0.1, [::1], sidecar.lan, 192.168.1.20 (any port)');
    const wild = await startTestServer({ host: '0.0.0.0' });
    try {
      const line = wild.sink.lines.map((l) => JSON.parse(l) as { allowed_hosts?: unknown; msg: string }).find((l) => l.allowed_hosts !== undefined);
      expect(line?.msg).toMatch(/HOST 0\.0\.0\.0 accepts every address: list the names clients use in ALLOWED_HOSTS/);
    } finally {
      await wild.close();
    }
  });

  it('adds the listen address itself, bracketing IPv6', () => {
    const p = hostPolicy('::1');
    expect(!p.any && [...p.names]).toEqual(['localhost', '127.0.0.1', '[::1]']);
    const lan = hostPolicy('Sidecar.Example.');
    expect(!lan.any && lan.names.has('sidecar.example')).toBe(true);
    const any = hostPolicy('0.0.0.0', ['a.example']);
    expect(!any.any && [...any.names]).toEqual(['localhost', '127.0.0.1', '[::1]', '0.0.0.0', 'a.example']);
  });

  it('normalizes names strictly', () => {
    expect(normalizeHostName('LocalHost.')).toBe('localhost');
    expect(normalizeHostName('[0:0:0:0:0:0:0:1]')).toBe('[::1]');
    expect(normalizeHostName('[::FFFF:7F00:1]')).toBe('[::ffff:7f00:1]');
    for (const bad of ['', '.', '..', 'a..b', '-a', 'a-', '::1', '[::1', '[g::1]', 'a b', '127.1', '1.2.3.4.5', 'x'.repeat(64)]) {
      expect(normalizeHostName(bad), bad).toBeNull();
    }
    expect(parseAuthority('[::1]:8787')).toEqual({ host: '[::1]', port: 8787 });
    expect(parseAuthority('localhost:')).toEqual({ host: 'localhost', port: undefined });
    expect(parseAuthority('localhost:65536')).toBeNull();
  });
});
