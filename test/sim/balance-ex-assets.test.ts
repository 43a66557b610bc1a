import { afterEach, describe, expect, it } from 'vitest';
import { KrakenSim } from '../../src/kraken/sim/index.js';
import { privateCall, publicCall } from '../helpers/sim-client.js';

describe('sim BalanceEx and Assets', () => {
  let sim: KrakenSim | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });
  const creds = KrakenSim.generateKey();

  it('serves BalanceEx as code → {balance, hold_trade, credit, credit_used}, cost 1, needing Query Funds', async () => {
    const ledgerOnly = { ...KrakenSim.generateKey(), permissions: ['query_ledger' as const] };
    sim = await KrakenSim.start({ keys: [creds, ledgerOnly], initialBalances: { XXDG: '1000', ZUSD: '0' } });
    sim.activity.deposit('ZUSD', '50');
    sim.activity.setAutoEarn('ZUSD', true);
    sim.setHoldTrade('XXDG', '12.5');
    const reply = await privateCall(sim, creds, 'BalanceEx');
    expect(reply.body).toEqual({
      error: [],
      result: {
        XXDG: { balance: '1000.00000000', hold_trade: '12.50000000', credit: '0.00000000', credit_used: '0.00000000' },
        ZUSD: { balance: '0.0000', hold_trade: '0.0000', credit: '0.0000', credit_used: '0.0000' },
        'USD.F': { balance: '50.0000', hold_trade: '0.0000', credit: '0.0000', credit_used: '0.0000' },
      },
    });
    expect(sim.counter(creds.key)).toBeCloseTo(1, 1);
    expect(sim.stats().endpoints.BalanceEx).toEqual({ calls: 1, accepted: 1, rejected: 0 });
    expect((await privateCall(sim, ledgerOnly, 'BalanceEx')).body.error).toEqual(['EGeneral:Permission denied']);
    sim.inject({ kind: 'error', error: 'EService:Busy' }, { endpoint: 'BalanceEx' });
    expect((await privateCall(sim, creds, 'BalanceEx')).body.error).toEqual(['EService:Busy']);
  });

  it('serves Assets for the codes it knows, by code or altname, and refuses an unknown one', async () => {
    sim = await KrakenSim.start({ initialBalances: { XXDG: '1', ZUSD: '1' } });
    sim.activity.stakingMove('XXDG', '1', 'to');
    const all = (await publicCall(sim, 'Assets')).body.result as Record<string, Record<string, unknown>>;
    expect(Object.keys(all).sort()).toEqual(['USD.F', 'XDG.F', 'XDG.S', 'XXDG', 'ZUSD']);
    expect(all['XXDG']).toEqual({ aclass: 'currency', altname: 'XDG', decimals: 8, display_decimals: 2, status: 'enabled' });
    expect(all['ZUSD']).toEqual({ aclass: 'currency', altname: 'USD', decimals: 4, display_decimals: 2, status: 'enabled' });
    expect(all['USD.F']).toMatchObject({ altname: 'USD.F', decimals: 4 });
    const some = await publicCall(sim, 'Assets', { asset: 'xdg,ZUSD' });
    expect(Object.keys(some.body.result ?? {})).toEqual(['XXDG', 'ZUSD']);
    expect((await publicCall(sim, 'Assets', { asset: 'XXBT' })).body.error).toEqual(['EQuery:Unknown asset']);
  });
});
