import { afterEach, describe, expect, it } from 'vitest';
import { KrakenSim } from '../../src/kraken/sim/index.js';
import { fakeClock, nextNonce, privateCall, publicCall } from '../helpers/sim-client.js';

describe('sim injected faults', () => {
  let sim: KrakenSim | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });
  const creds = KrakenSim.generateKey();
  const start = (extra: Parameters<typeof KrakenSim.start>[0] = {}) =>
    KrakenSim.start({ keys: [creds], now: fakeClock().now, maxCounter: 10, decayPerSec: 1, ...extra });

  it.each(['EService:Unavailable', 'EService:Busy', 'EGeneral:Internal error', 'EGeneral:Temporary lockout', 'EAPI:Invalid key'])(
    'serves the Kraken error %s with HTTP 200, consuming the nonce but not the counter',
    async (error) => {
      sim = await start();
      sim.inject({ kind: 'error', error }, { endpoint: 'Balance' });
      const nonce = nextNonce();
      const reply = await privateCall(sim, creds, 'Balance', {}, { nonce });
      expect(reply).toEqual({ status: 200, body: { error: [error] } });
      expect(sim.counter(creds.key)).toBe(0);
      expect(sim.lastNonce(creds.key)).toBe(nonce);
      expect((await privateCall(sim, creds, 'Balance', {}, { nonce })).body.error).toEqual(['EAPI:Invalid nonce']);
      expect((await privateCall(sim, creds, 'Balance')).body.error).toEqual([]);
    },
  );

  it('applies a fault to the next `count` calls of its endpoint only', async () => {
    sim = await start();
    sim.inject({ kind: 'error', error: 'EService:Busy' }, { endpoint: 'Ledgers', count: 2 });
    expect((await privateCall(sim, creds, 'Balance')).body.error).toEqual([]);
    expect((await publicCall(sim, 'Ticker', { pair: 'XDGUSD' })).body.error).toEqual([]);
    expect((await privateCall(sim, creds, 'Ledgers')).body.error).toEqual(['EService:Busy']);
    expect((await privateCall(sim, creds, 'Ledgers')).body.error).toEqual(['EService:Busy']);
    expect((await privateCall(sim, creds, 'Ledgers')).body.error).toEqual([]);
    expect(sim.pendingFaults()).toBe(0);
  });

  it('without an endpoint, hits the next calls of any endpoint in order', async () => {
    sim = await start();
    sim.inject({ kind: 'error', error: 'EService:Unavailable' }, { count: 2 });
    expect((await publicCall(sim, 'AssetPairs', { pair: 'XDGUSD' })).body.error).toEqual(['EService:Unavailable']);
    expect((await privateCall(sim, creds, 'Balance')).body.error).toEqual(['EService:Unavailable']);
    expect((await publicCall(sim, 'AssetPairs', { pair: 'XDGUSD' })).body.error).toEqual([]);
  });

  it('an injected rate-limit error fills the key counter so the next call is refused for real', async () => {
    const clock = fakeClock();
    sim = await KrakenSim.start({ keys: [creds], now: clock.now, maxCounter: 5, decayPerSec: 1 });
    sim.inject({ kind: 'error', error: 'EAPI:Rate limit exceeded' }, { endpoint: 'Balance' });
    expect((await privateCall(sim, creds, 'Balance')).body.error).toEqual(['EAPI:Rate limit exceeded']);
    expect(sim.counter(creds.key)).toBe(5);
    expect((await privateCall(sim, creds, 'Balance')).body.error).toEqual(['EAPI:Rate limit exceeded']);
    clock.advance(1000);
    expect((await privateCall(sim, creds, 'Balance')).body.error).toEqual([]);
    const stats = sim.stats();
    expect(stats.faultsServed).toBe(1);
    expect(stats.rateLimitRejections).toBe(1);
  });

  it.each([502, 503, 500, 520])('serves HTTP %i with a Cloudflare-like HTML page', async (status) => {
    sim = await start();
    sim.inject({ kind: 'http', status }, { endpoint: 'Balance' });
    const res = await fetch(`${sim.url}/0/private/Balance`, { method: 'POST', body: `nonce=${nextNonce()}` });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('text/html');
    const text = await res.text();
    expect(text).toContain(`<title>${status} `);
    expect(text).toContain('cloudflare');
  });

  it('serves a custom http body and content type', async () => {
    sim = await start();
    sim.inject({ kind: 'http', status: 503, body: 'down for maintenance', contentType: 'text/plain' }, { endpoint: 'Ticker' });
    const res = await fetch(`${sim.url}/0/public/Ticker?pair=XDGUSD`);
    expect([res.status, res.headers.get('content-type'), await res.text()]).toEqual([503, 'text/plain', 'down for maintenance']);
  });

  it('serves truncated JSON with HTTP 200 for malformed-json', async () => {
    sim = await start();
    sim.inject({ kind: 'malformed-json' }, { endpoint: 'Balance' });
    const nonce = nextNonce();
    const res = await fetch(`${sim.url}/0/private/Balance`, { method: 'POST', body: `nonce=${nonce}` });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
  });

  it('destroys the socket without an answer for reset', async () => {
    sim = await start();
    sim.inject({ kind: 'reset' }, { endpoint: 'Balance' });
    await expect(privateCall(sim, creds, 'Balance')).rejects.toThrow();
    expect((await privateCall(sim, creds, 'Balance')).body.error).toEqual([]);
    expect(sim.stats().requests.map((r) => r.outcome)).toEqual(['fault', 'ok']);
  });

  it('answers late for delay: a client timeout fires, yet the call was processed and charged', async () => {
    sim = await start();
    sim.inject({ kind: 'delay', ms: 400 }, { endpoint: 'Balance' });
    const nonce = nextNonce();
    await expect(privateCall(sim, creds, 'Balance', {}, { nonce, signal: AbortSignal.timeout(50) })).rejects.toThrow();
    expect(sim.lastNonce(creds.key)).toBe(nonce);
    expect(sim.counter(creds.key)).toBe(1);
    const entry = sim.stats().requests[0];
    expect(entry).toMatchObject({ endpoint: 'Balance', outcome: 'ok', fault: 'delay', cost: 1 });
  });

  it('delivers the real answer after the delay', async () => {
    sim = await start({ initialBalances: { ZUSD: '3' } });
    sim.inject({ kind: 'delay', ms: 150 }, { endpoint: 'Balance' });
    const t0 = performance.now();
    const reply = await privateCall(sim, creds, 'Balance');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    expect(reply.body).toEqual({ error: [], result: { ZUSD: '3.0000' } });
  });

  it('drops a late answer harmlessly when the client already gave up', async () => {
    sim = await start();
    sim.inject({ kind: 'delay', ms: 150 }, { endpoint: 'Balance' });
    await expect(privateCall(sim, creds, 'Balance', {}, { signal: AbortSignal.timeout(30) })).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await privateCall(sim, creds, 'Balance')).body.error).toEqual([]);
  });

  it('clearFaults drops everything pending', async () => {
    sim = await start();
    sim.inject({ kind: 'reset' }, { count: 5 });
    sim.clearFaults();
    expect((await privateCall(sim, creds, 'Balance')).body.error).toEqual([]);
  });

  it('refuses nonsense faults', async () => {
    sim = await start();
    expect(() => sim!.inject({ kind: 'http', status: 42 })).toThrow(RangeError);
    expect(() => sim!.inject({ kind: 'delay', ms: -1 })).toThrow(RangeError);
    expect(() => sim!.inject({ kind: 'reset' }, { count: 0 })).toThrow(RangeError);
  });
});
