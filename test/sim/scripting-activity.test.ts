import { afterEach, describe, expect, it } from 'vitest';
import { KrakenSim } from '../../src/kraken/sim/index.js';
import { ledgerOf, privateCall } from '../helpers/sim-client.js';

describe('sim /_sim/activity and /_sim/auto-earn', () => {
  let sim: KrakenSim | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${sim!.url}/_sim/${path}`, { method: 'POST', body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('runs the account activities from another process', async () => {
    sim = await KrakenSim.start({ scripting: true, price: '0.1', initialBalances: { XXDG: '0', ZUSD: '0' } });
    await post('activity', { kind: 'deposit', asset: 'ZUSD', amount: 100 });
    const on = await post('activity', { kind: 'auto-earn', asset: 'ZUSD', enabled: true, form: 'earn' });
    expect(on.status).toBe(200);
    expect(on.body['auto_earn']).toEqual({ ZUSD: 'earn' });
    expect(await (await fetch(`${sim.url}/_sim/auto-earn`)).json()).toEqual({ ZUSD: 'earn' });
    const trade = await post('activity', { kind: 'trade', side: 'buy', volume: '100' });
    expect(trade.status).toBe(200);
    expect((trade.body['rows'] as Array<{ asset: string }>).map((r) => r.asset)).toEqual(['USD.F', 'XXDG']);
    await post('activity', { kind: 'reward', asset: 'ZUSD', amount: '0.01' });
    await post('activity', { kind: 'unknown-row', asset: 'XXDG', amount: '2', type: 'mystery' });
    const failed = await post('activity', { kind: 'failed-withdrawal', asset: 'XXDG', amount: '10', fee: '1' });
    expect((failed.body['rows'] as unknown[]).length).toBe(2);
    expect((await post('hold', { code: 'XXDG', amount: '1' })).status).toBe(200);
    expect(sim.getBalances()).toMatchObject({ XXDG: '102.00000000', ZUSD: '0.0000', 'USD.F': '89.9840' });
  });

  it('answers 400 with a reason for an unknown kind, a bad amount or insufficient funds', async () => {
    sim = await KrakenSim.start({ scripting: true });
    expect((await post('activity', { kind: 'explode' })).status).toBe(400);
    expect((await post('activity', { kind: 'deposit', asset: 'ZUSD', amount: 'lots' })).status).toBe(400);
    const broke = await post('activity', { kind: 'trade', side: 'buy', volume: '1', price: '1' });
    expect(broke.status).toBe(400);
    expect(String(broke.body['error'])).toContain('insufficient');
  });
});

describe('sim ledger lag', () => {
  it('hides a row from Ledgers until the clock is the lag past its time, while Balance already moved', async () => {
    const creds = KrakenSim.generateKey();
    let t = 1_700_000_000_000;
    const sim = await KrakenSim.start({ keys: [creds], now: () => t, scripting: true });
    try {
      const res = await fetch(`${sim.url}/_sim/ledger-lag`, { method: 'POST', body: JSON.stringify({ ms: 2000 }) });
      expect(res.status).toBe(200);
      sim.activity.deposit('XXDG', '5');
      expect((await privateCall(sim, creds, 'Balance')).body.result).toMatchObject({ XXDG: '5.00000000' });
      expect(ledgerOf(await privateCall(sim, creds, 'Ledgers'))).toMatchObject({ ledger: {}, count: 0 });
      t += 2000;
      expect(ledgerOf(await privateCall(sim, creds, 'Ledgers')).count).toBe(1);
      expect(() => sim.setLedgerLag(-1)).toThrow(RangeError);
    } finally {
      await sim.close();
    }
  });
});
