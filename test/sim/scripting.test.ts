import { afterEach, describe, expect, it } from 'vitest';
import { KrakenSim } from '../../src/kraken/sim/index.js';
import { ledgerOf, privateCall, publicCall } from '../helpers/sim-client.js';

describe('sim /_sim/ scripting routes', () => {
  let sim: KrakenSim | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });
  const creds = KrakenSim.generateKey();
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${sim!.url}/_sim/${path}`, { method: 'POST', body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('is off unless scripting is true', async () => {
    sim = await KrakenSim.start();
    const res = await fetch(`${sim.url}/_sim/stats`);
    expect(res.status).toBe(404);
  });

  it('adds rows, moves the price and balances, injects faults and reports stats', async () => {
    sim = await KrakenSim.start({ scripting: true, keys: [creds], initialBalances: { XXDG: '10' } });
    const row = await post('ledger', { type: 'deposit', asset: 'XXDG', amount: 5, time: 1_700_000_000 });
    expect(row.status).toBe(200);
    expect(row.body).toMatchObject({ type: 'deposit', amount: '5.00000000', balance: '15.00000000' });
    expect((await post('ledger/raw', { id: 'LRAW00-00000-000000', row: { amount: 'x' } })).status).toBe(200);
    expect((await post('price', { price: '0.2' })).body).toEqual({ price: '0.2000000' });
    expect((await post('balance', { code: 'ZUSD', amount: '12.5' })).body).toEqual({ XXDG: '15.00000000', ZUSD: '12.5000' });
    expect(ledgerOf(await privateCall(sim, creds, 'Ledgers')).count).toBe(2);

    expect((await post('inject', { fault: { kind: 'error', error: 'EService:Busy' }, endpoint: 'Ticker', count: 1 })).body).toEqual({ pending: 1 });
    expect((await publicCall(sim, 'Ticker', { pair: 'XDGUSD' })).body.error).toEqual(['EService:Busy']);
    await post('inject', { fault: { kind: 'reset' } });
    await post('clear-faults', {});
    expect((await publicCall(sim, 'Ticker', { pair: 'XDGUSD' })).body.error).toEqual([]);

    const stats = (await (await fetch(`${sim.url}/_sim/stats`)).json()) as { endpoints: Record<string, { calls: number }> };
    expect(stats.endpoints['Ticker']?.calls).toBe(2);
    expect(stats.endpoints['Ledgers']?.calls).toBe(1);
  });

  it('answers 400 with a reason for a bad body', async () => {
    sim = await KrakenSim.start({ scripting: true });
    const bad = await post('ledger', { type: 'deposit', amount: '1' });
    expect(bad.status).toBe(400);
    expect(String(bad.body['error'])).toContain('asset');
    expect((await post('inject', { fault: { kind: 'explode' } })).status).toBe(400);
    expect((await post('ledger', { type: 'deposit', asset: 'XXDG', amount: 'lots' })).status).toBe(400);
  });
});
