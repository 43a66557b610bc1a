import Big from 'big.js';
import { afterEach, describe, expect, it } from 'vitest';
import { KrakenSim, SyntheticBot } from '../../src/kraken/sim/index.js';
import { checkLedgerSums } from '../helpers/ledger-sums.js';
import { fakeClock } from '../helpers/sim-client.js';

describe('sim account activity', () => {
  let sim: KrakenSim | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  async function start(initialBalances: Record<string, string> = { XXDG: '0', ZUSD: '0' }) {
    const clock = fakeClock();
    sim = await KrakenSim.start({ now: clock.now, price: '0.1000000', initialBalances });
    return { sim, clock };
  }

  it('Auto Earn allocates the spot balance when switched on, then every spot increase, in one-refid one-time pairs', async () => {
    const { sim: s, clock } = await start({ XXDG: '0', ZUSD: '100' });
    const on = s.activity.setAutoEarn('ZUSD', true);
    expect(on.map((r) => [r.type, r.subtype, r.asset, r.amount])).toEqual([
      ['transfer', 'autoallocate', 'ZUSD', '-100.0000'],
      ['transfer', 'autoallocate', 'USD.F', '100.0000'],
    ]);
    expect(on[0]?.refid).toBe(on[1]?.refid);
    clock.advance(5000);
    const dep = s.activity.deposit('ZUSD', '25.5', { fee: '0.5' });
    expect(dep.rows.map((r) => `${r.type}/${r.subtype} ${r.asset} ${r.amount} ${r.balance}`)).toEqual([
      'deposit/ ZUSD 25.5000 25.0000',
      'transfer/autoallocate ZUSD -25.0000 0.0000',
      'transfer/autoallocate USD.F 25.0000 125.0000',
    ]);
    expect(new Set(dep.rows.map((r) => r.time)).size).toBe(1);
    // The plain scripting path (addLedgerRow) is auto-allocated too; outgoing rows are not.
    s.addLedgerRow({ type: 'deposit', asset: 'ZUSD', amount: '10' });
    s.addLedgerRow({ type: 'deposit', asset: 'XXDG', amount: '10' });
    expect(s.getBalances()).toMatchObject({ ZUSD: '0.0000', 'USD.F': '135.0000', XXDG: '10.00000000' });
    expect(s.activity.autoEarnStatus()).toEqual({ ZUSD: 'transfer' });
    // The later form, then off.
    s.activity.setAutoEarn('ZUSD', true, { form: 'earn' });
    const later = s.activity.credit('ZUSD', '1');
    expect(later.rows.slice(1).map((r) => `${r.type}/${r.subtype}`)).toEqual(['earn/autoallocation', 'earn/autoallocation']);
    s.activity.setAutoEarn('ZUSD', false);
    expect(s.activity.deposit('ZUSD', '3').rows).toHaveLength(1);
    expect(s.getBalances()['ZUSD']).toBe('3.0000');
    expect(() => s.activity.setAutoEarn('USD.F', true)).toThrow(/spot asset code/);
    expect(checkLedgerSums(s, { ZUSD: '100' }).mismatches).toEqual([]);
  });

  it('draws a buy from spot first, then USD.F, one trade row per wallet under one refid, fee on the spot row', async () => {
    const { sim: s } = await start({ XXDG: '0', ZUSD: '10', 'USD.F': '100' });
    const t = s.activity.trade({ side: 'buy', volume: '500', price: '0.1', fee: '0.13' });
    expect(t.rows.map((r) => [r.asset, r.amount, r.fee])).toEqual([
      ['ZUSD', '-9.8700', '0.1300'],
      ['USD.F', '-40.1300', '0.0000'],
      ['XXDG', '500.00000000', '0.00000000'],
    ]);
    expect(new Set(t.rows.map((r) => r.refid))).toEqual(new Set([t.refid]));
    expect(t.refid.startsWith('T')).toBe(true);
    expect(s.getBalances()).toMatchObject({ ZUSD: '0.0000', 'USD.F': '59.8700' });
    const fromEarn = s.activity.trade({ side: 'buy', volume: '100', price: '0.1', fee: '0.03', from: 'earn' });
    expect(fromEarn.rows.map((r) => r.asset)).toEqual(['USD.F', 'XXDG']);
    expect(() => s.activity.trade({ side: 'buy', volume: '100000', price: '0.1' })).toThrow(/insufficient/);
    expect(checkLedgerSums(s, { ZUSD: '10', 'USD.F': '100' }).mismatches).toEqual([]);
  });

  it('writes no fiat leg when it rounds to zero, so the trade is a one-row group', async () => {
    const { sim: s } = await start({ XXDG: '1', ZUSD: '0' });
    const t = s.activity.trade({ side: 'sell', volume: '0.0004', price: '0.1' });
    expect(t.rows.map((r) => [r.type, r.asset, r.amount])).toEqual([['trade', 'XXDG', '-0.00040000']]);
  });

  it('deallocates from USD.F what spot lacks before a withdrawal, and reverses a failed one exactly', async () => {
    const { sim: s } = await start({ XXDG: '0', ZUSD: '0', 'USD.F': '50' });
    s.activity.setAutoEarn('ZUSD', true);
    const w = s.activity.failedWithdrawal('ZUSD', '20', { fee: '2' });
    expect(w.rows.map((r) => `${r.type}/${r.subtype} ${r.asset} ${r.amount} ${r.fee}`)).toEqual([
      'earn/deallocation USD.F -22.0000 0.0000',
      'earn/deallocation ZUSD 22.0000 0.0000',
      'withdrawal/ ZUSD -20.0000 2.0000',
      'withdrawal/ ZUSD 20.0000 -2.0000',
      'transfer/autoallocate ZUSD -22.0000 0.0000',
      'transfer/autoallocate USD.F 22.0000 0.0000',
    ]);
    expect(w.rows[2]?.refid).toBe(w.rows[3]?.refid);
    expect(() => s.activity.reverseWithdrawal(w.refid)).toThrow(/already reversed/);
    expect(() => s.activity.withdraw('ZUSD', '-1')).toThrow(/negative/);
  });

  it('writes app purchases, futures and staking transfers, rewards, adjustments, credits and unknown types', async () => {
    const { sim: s } = await start({ XXDG: '1000', ZUSD: '100' });
    const a = s.activity;
    const buy = a.appPurchase({ spend: 'ZUSD', spendAmount: '29.55', fee: '0.45', receive: 'XXDG', receiveAmount: '200' });
    expect(buy.rows.map((r) => `${r.type} ${r.asset} ${r.amount} ${r.fee} ${r.refid === buy.refid}`)).toEqual([
      'spend ZUSD -29.5500 0.4500 true',
      'receive XXDG 200.00000000 0.00000000 true',
    ]);
    expect(a.futuresTransfer('XXDG', '10', 'to').rows[0]).toMatchObject({ type: 'transfer', subtype: 'spottofutures', amount: '-10.00000000' });
    expect(a.futuresTransfer('XXDG', '4', 'from').rows[0]).toMatchObject({ subtype: 'spotfromfutures', amount: '4.00000000' });
    const stake = a.stakingMove('XXDG', '100', 'to');
    expect(stake.rows.map((r) => `${r.subtype} ${r.asset} ${r.amount}`)).toEqual([
      'spottostaking XXDG -100.00000000',
      'stakingfromspot XDG.S 100.00000000',
    ]);
    const unstake = a.stakingMove('XXDG', '40', 'from');
    expect(unstake.rows.map((r) => `${r.subtype} ${r.asset}`)).toEqual(['stakingtospot XDG.S', 'spotfromstaking XXDG']);
    expect(a.reward('ZUSD', '0.25').rows[0]).toMatchObject({ type: 'earn', subtype: 'reward', asset: 'USD.F' });
    expect(a.reward('XXDG', '1', { type: 'staking', wallet: 'S' }).rows[0]).toMatchObject({ type: 'staking', subtype: '', asset: 'XDG.S' });
    expect(a.adjustment('XXDG', '0.0000000054').rows[0]?.amount).toBe('0.00000001');
    expect(a.credit('ZUSD', '1').rows[0]?.type).toBe('credit');
    expect(a.unknownRow('XXDG', '2').rows[0]).toMatchObject({ type: 'giftcard', amount: '2.00000000' });
    const other = a.otherPairTrade({ spend: 'ZUSD', spendAmount: '20', fee: '0.05', receive: 'XXBT', receiveAmount: '0.0002' });
    expect(other.rows.map((r) => `${r.type} ${r.asset}`)).toEqual(['trade ZUSD', 'trade XXBT']);
    expect(checkLedgerSums(s, { XXDG: '1000', ZUSD: '100' }).mismatches).toEqual([]);
  });

  it('lets the synthetic bot trade from USD.F under Auto Earn and pay rewards by the clock, P&L still exact', async () => {
    const { sim: s, clock } = await start({ XXDG: '10000', ZUSD: '1000' });
    s.activity.setAutoEarn('ZUSD', true);
    const bot = new SyntheticBot(s, {
      seed: 3, tradeProbability: 0.8, depositProbability: 0.05, withdrawalProbability: 0.05,
      failedWithdrawalProbability: 0.02, reversalDelaySteps: 3, rewardApr: 50, rewardIntervalMs: 10_000,
    });
    const events = [];
    for (let i = 0; i < 300; i++) {
      clock.advance(1000);
      events.push(...bot.step());
    }
    const rows = s.ledgerRows().map((r) => r.row);
    expect(rows.some((r) => r['type'] === 'trade' && r['asset'] === 'USD.F')).toBe(true);
    expect(events.filter((e) => e.kind === 'reward').length).toBeGreaterThanOrEqual(29);
    expect(events[0]?.kind === 'reward' || events.some((e, i) => i < 3 && e.kind === 'reward')).toBe(true);
    expect(checkLedgerSums(s, { XXDG: '10000', ZUSD: '1000' }).mismatches).toEqual([]);
    const b = s.getBalances();
    const p = new Big(s.getPrice());
    const tot = bot.totals();
    const usd = new Big(b['ZUSD'] ?? '0').plus(b['USD.F'] ?? '0').minus(1000).minus(tot.flowQuote).minus(tot.incomeQuote);
    const doge = new Big(b['XXDG'] ?? '0').minus(10000).minus(tot.flowBase).minus(tot.incomeBase);
    expect(doge.times(p).plus(usd).minus(bot.pnlUsdExact()).abs().lt('1e-8')).toBe(true);
    expect(new Big(tot.incomeQuote).gt(0)).toBe(true);
  });
});
