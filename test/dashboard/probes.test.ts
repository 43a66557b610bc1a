import { afterEach, describe, expect, it } from 'vitest';
import { makeStatus } from '../helpers/status-fixture.js';
import { startTestServer, type TestServer } from './harness.js';

let srv: TestServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

describe('probes and metrics', () => {
  it('serves /livez and /readyz separately from /healthz, without the token', async () => {
    let ready = false;
    srv = await startTestServer({
      token: 'probe-token-0123456789',
      status: makeStatus(),
      health: () => ({ ok: ready }),
      live: () => ({ ok: true }),
      ready: () => ({ ok: ready }),
    });
    const code = async (path: string): Promise<number> => (await fetch(srv?.url + path)).status;
    expect(await code('livez')).toBe(200);
    expect(await code('readyz')).toBe(503);
    expect(await code('healthz')).toBe(503);
    ready = true;
    expect(await code('readyz')).toBe(200);
    expect(await code('healthz')).toBe(200);
  });

  it('protects /metrics with the status token and serves the provider text', async () => {
    srv = await startTestServer({
      token: 'probe-token-0123456789',
      status: makeStatus(),
      metrics: async () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', body: 'kraken_sidecar_up 1\n' }),
    });
    expect((await fetch(`${srv.url}metrics`)).status).toBe(401);
    const res = await fetch(`${srv.url}metrics`, { headers: { Authorization: 'Bearer probe-token-0123456789' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).toBe('kraken_sidecar_up 1\n');
  });
});

describe('/status compression', () => {
  it('serves gzip to clients that accept it, identical JSON once decoded, and plain JSON otherwise', async () => {
    const { request } = await import('undici');
    const { gunzipSync } = await import('node:zlib');
    const status = makeStatus();
    srv = await startTestServer({ status });
    const gz = await request(`${srv.url}status`, { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers['vary']).toMatch(/Accept-Encoding/i);
    const body = Buffer.from(await gz.body.arrayBuffer());
    expect(JSON.parse(gunzipSync(body).toString('utf8'))).toEqual(JSON.parse(JSON.stringify(status)));
    const plain = await request(`${srv.url}status`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    const text = await plain.body.text();
    expect(body.length).toBeLessThan(text.length);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(status)));
  });
});
