// The real entry point wires HOST, ALLOWED_HOSTS and STATUS_TOKEN into the dashboard: the start-up log says
// which names are allowed, a foreign Host gets 421, a listed one the payload, and a browser login works.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawGet } from '../helpers/raw-http.js';
import { spawnSidecar } from '../helpers/process.js';

let dataDir = '';
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sidecar-edge-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('sidecar process: HTTP edge', () => {
  it('answers only for the allowed names, logs them at start, and trades /?token= for a cookie', async () => {
    const token = 'edge-process-token-0123456789';
    const p = spawnSidecar({ PORT: '0', DATA_DIR: dataDir, STATUS_TOKEN: token, ALLOWED_HOSTS: 'Sidecar.LAN', LOG_LEVEL: 'info' });
    try {
      const url = await p.listening();
      const port = Number(new URL(url).port);
      const line = p.output().split('\n').find((l) => l.includes('"allowed_hosts"')) ?? '{}';
      expect((JSON.parse(line) as { allowed_hosts?: unknown }).allowed_hosts).toEqual(['localhost', '127.0.0.1', '[::1]', 'sidecar.lan']);
      const auth = `Authorization: Bearer ${token}`;
      expect((await rawGet(port, '/status', ['Host: attacker.example', auth])).status).toBe(421);
      expect((await rawGet(port, '/healthz', ['Host: attacker.example'])).status).not.toBe(421);
      const listed = await rawGet(port, '/status', ['Host: sidecar.lan:8787', auth]);
      expect([200, 503]).toContain(listed.status);
      const login = await fetch(`${url}?token=${token}`, { redirect: 'manual' });
      expect(login.status).toBe(303);
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      expect(cookie).toMatch(/^sidecar_session=v1\./);
      expect([200, 503]).toContain((await fetch(`${url}status`, { headers: { Cookie: cookie } })).status);
      expect((await fetch(`${url}status`, { headers: { Cookie: 'sidecar_session=forged' } })).status).toBe(401);
      expect(p.output()).not.toContain(token);
    } finally {
      p.child.kill('SIGTERM');
      await p.exited();
    }
  }, 30_000);
});
