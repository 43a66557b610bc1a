import { afterEach, describe, expect, it } from 'vitest';
import { KrakenSim } from '../../src/kraken/sim/index.js';
import { publicCall } from '../helpers/sim-client.js';

describe('sim public endpoints', () => {
  let sim: KrakenSim | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('serves Ticker with the last price in c[0] as a string', async () => {
    sim = await KrakenSim.start({ price: '0.1234567' });
    const reply = await publicCall(sim, 'Ticker', { pair: 'XDGUSD' });
    expect(reply.status).toBe(200);
    const t = (reply.body.result as Record<string, Record<string, unknown>>)['XDGUSD'];
    expect(t).toMatchObject({ a: ['0.1234568', '1', '1.000'], b: ['0.1234566', '1', '1.000'], o: '0.1234567' });
    expect((t?.['c'] as string[])[0]).toBe('0.1234567');
    for (const f of ['v', 'p', 't', 'l', 'h']) expect(t?.[f]).toHaveLength(2);
  });

  it('moves the price with setPrice and tracks low and high', async () => {
    sim = await KrakenSim.start({ price: 0.1 });
    sim.setPrice('0.12345678');
    expect(sim.getPrice()).toBe('0.1234568');
    sim.setPrice(0.09);
    const t = ((await publicCall(sim, 'Ticker', { pair: 'XDGUSD' })).body.result as Record<string, Record<string, string[]>>)['XDGUSD'];
    expect(t?.['c']?.[0]).toBe('0.0900000');
    expect(t?.['l']?.[0]).toBe('0.0900000');
    expect(t?.['h']?.[0]).toBe('0.1234568');
    expect(() => sim!.setPrice(0)).toThrow(RangeError);
  });

  it('serves AssetPairs for the pair, also under its other names', async () => {
    sim = await KrakenSim.start();
    for (const pair of ['XDGUSD', 'XXDGZUSD', 'DOGEUSD', 'XDG/USD']) {
      const reply = await publicCall(sim, 'AssetPairs', { pair });
      expect(reply.body.error).toEqual([]);
      expect(reply.body.result?.['XDGUSD']).toMatchObject({
        altname: 'XDGUSD',
        wsname: 'XDG/USD',
        base: 'XXDG',
        quote: 'ZUSD',
        pair_decimals: 7,
        lot_decimals: 8,
      });
    }
    expect(Object.keys((await publicCall(sim, 'AssetPairs')).body.result ?? {})).toEqual(['XDGUSD']);
  });

  it('answers EQuery:Unknown asset pair for another pair', async () => {
    sim = await KrakenSim.start();
    expect((await publicCall(sim, 'Ticker', { pair: 'XBTUSD' })).body).toEqual({ error: ['EQuery:Unknown asset pair'] });
    expect((await publicCall(sim, 'AssetPairs', { pair: 'XDGUSD,ETHUSD' })).body).toEqual({ error: ['EQuery:Unknown asset pair'] });
  });

  it('simulates another pair when configured', async () => {
    sim = await KrakenSim.start({ pair: { altname: 'XBTUSD', wsname: 'XBT/USD', base: 'XXBT', quote: 'ZUSD', pairDecimals: 1 }, price: '65000.04' });
    const t = (await publicCall(sim, 'Ticker', { pair: 'XBTUSD' })).body.result?.['XBTUSD'] as Record<string, string[]>;
    expect(t['c']?.[0]).toBe('65000.0');
    expect(sim.getBalances()).toEqual({ XXBT: '0.00000000', ZUSD: '0.0000' });
  });

  it('answers EGeneral:Unknown method for other paths', async () => {
    sim = await KrakenSim.start();
    const res = await fetch(`${sim.url}/0/public/SystemStatus`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: ['EGeneral:Unknown method'] });
  });

  it('serves Time on its own clock, as Kraken does', async () => {
    sim = await KrakenSim.start({ now: () => 1_700_000_123_900 });
    const res = await fetch(`${sim.url}/0/public/Time`);
    expect(await res.json()).toEqual({ error: [], result: { unixtime: 1_700_000_123, rfc1123: new Date(1_700_000_123_900).toUTCString() } });
  });

  it('counts calls per endpoint and logs them with params', async () => {
    sim = await KrakenSim.start({ requestLogMax: 2 });
    await publicCall(sim, 'Ticker', { pair: 'XDGUSD' });
    await publicCall(sim, 'Ticker', { pair: 'NOPE' });
    await publicCall(sim, 'AssetPairs', { pair: 'XDGUSD' });
    const stats = sim.stats();
    expect(stats.endpoints.Ticker).toEqual({ calls: 2, accepted: 1, rejected: 1 });
    expect(stats.endpoints.AssetPairs).toEqual({ calls: 1, accepted: 1, rejected: 0 });
    expect([stats.calls, stats.accepted, stats.rejected]).toEqual([3, 2, 1]);
    expect(stats.requests).toHaveLength(2);
    expect(stats.requests[0]).toMatchObject({ endpoint: 'Ticker', params: { pair: 'NOPE' }, outcome: 'error', error: 'EQuery:Unknown asset pair' });
  });
});
