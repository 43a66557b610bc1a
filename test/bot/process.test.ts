import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KrakenSim } from '../../src/kraken/sim/index.js';
import { spawnSidecar } from '../helpers/process.js';

let dataDir = '';
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sidecar-proc-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('the sidecar process', () => {
  it('stops with exit 0 within 10 s even when Supabase hangs', async () => {
    const sockets: Socket[] = [];
    const hang = createServer((s) => sockets.push(s)); // accepts, never answers
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', () => r()));
    const port = (hang.address() as AddressInfo).port;
    const creds = KrakenSim.generateKey();
    const sim = await KrakenSim.start({ keys: [creds], initialBalances: { XXDG: '100.00000000', ZUSD: '10.0000' } });
    try {
      const p = spawnSidecar({
        KRAKEN_API_KEY: creds.key,
        KRAKEN_API_SECRET: creds.secret,
        KRAKEN_API_URL: sim.url, KRAKEN_WS_URL: sim.wsUrl,
        SUPABASE_URL: `http://127.0.0.1:${port}`,
        SUPABASE_KEY: 'service-key-for-a-hanging-supabase',
        EQUITY_TS_ENABLED: 'true',
        PORT: '0',
        LOOP_INTERVAL_SEC: '1',
        DATA_DIR: dataDir,
      });
      await p.listening();
      await new Promise((r) => setTimeout(r, 1500));
      const started = Date.now();
      p.child.kill('SIGTERM');
      const { code } = await p.exited();
      expect(code).toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      for (const s of sockets) s.destroy();
      hang.close();
      await sim.close();
    }
  }, 30_000);

  it('the demo ignores a configured Supabase and says so', async () => {
    const { PostgrestDouble } = await import('../helpers/postgrest-double.js');
    const db = await new PostgrestDouble().start();
    try {
      const p = spawnSidecar({ SUPABASE_URL: db.url, SUPABASE_KEY: 'service-key-demo-must-not-use', PORT: '0', DATA_DIR: dataDir });
      const url = await p.listening(90_000); // after the demo's simulated week (seconds; more on a loaded machine)
      await new Promise((r) => setTimeout(r, 3000));
      const status = (await (await fetch(`${url}status`)).json()) as { mode: string; persistence: { supabase: { configured: boolean } } };
      p.child.kill('SIGTERM');
      expect((await p.exited()).code).toBe(0);
      expect(status.mode).toBe('demo');
      expect(status.persistence.supabase.configured).toBe(false);
      expect(db.requests).toEqual([]);
      expect(p.output()).toMatch(/demo mode: SUPABASE_URL\/SUPABASE_KEY are ignored/);
    } finally {
      await db.close();
    }
  }, 120_000);

  it('exits with code 2 and names the variable on a bad value', async () => {
    const p = spawnSidecar({ PORT: '99999', KRAKEN_TIER: 'gold', DATA_DIR: dataDir });
    const { code } = await p.exited();
    expect(code).toBe(2);
    expect(p.output()).toMatch(/^config error: KRAKEN_TIER: must be one of starter, intermediate, pro/m);
    expect(p.output()).toMatch(/^config error: PORT: out of range/m);
  });

  it('exits with code 2 when a key comes without a secret', async () => {
    const p = spawnSidecar({ KRAKEN_API_KEY: 'abc', DATA_DIR: dataDir });
    expect((await p.exited()).code).toBe(2);
    expect(p.output()).toMatch(/KRAKEN_API_SECRET: missing/);
  });

  it('never writes the API secret, key or status token to its output, and stops cleanly on SIGTERM', async () => {
    const creds = KrakenSim.generateKey();
    const sim = await KrakenSim.start({ keys: [creds], initialBalances: { XXDG: '100.00000000', ZUSD: '10.0000' } });
    const token = 'status-token-0123456789abcdef';
    try {
      // A second, wrong secret makes Kraken answer errors too: error paths must not leak either.
      const p = spawnSidecar({
        KRAKEN_API_KEY: creds.key,
        KRAKEN_API_SECRET: creds.secret,
        KRAKEN_API_URL: sim.url, KRAKEN_WS_URL: sim.wsUrl,
        STATUS_TOKEN: token,
        PORT: '0',
        LOOP_INTERVAL_SEC: '1',
        LOG_LEVEL: 'trace',
        DATA_DIR: dataDir,
        FLOW_DETECTION_ENABLED: 'true',
      });
      const url = await p.listening();
      const res = await fetch(`${url}status`, { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status === 200 || res.status === 503).toBe(true);
      sim.inject({ kind: 'error', error: 'EAPI:Invalid signature' }, { endpoint: 'Balance' });
      await new Promise((r) => setTimeout(r, 2500));
      const status = await (await fetch(`${url}status`, { headers: { Authorization: `Bearer ${token}` } })).text();
      const started = Date.now();
      p.child.kill('SIGTERM');
      p.child.kill('SIGTERM'); // a repeated signal (npm forwards to the process group) is harmless
      const { code } = await p.exited();
      expect(code).toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
      const out = p.output();
      expect(out).toMatch(/stopped cleanly/);
      for (const secret of [creds.secret, creds.key, token]) {
        expect(out).not.toContain(secret);
        expect(status).not.toContain(secret);
      }
    } finally {
      await sim.close();
    }
  }, 30_000);
});
