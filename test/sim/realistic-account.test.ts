import Big from 'big.js';
import { afterEach, describe, expect, it } from 'vitest';
import { KrakenSim } from '../../src/kraken/sim/index.js';
import type { LedgerRow } from '../../src/kraken/sim/index.js';
import { checkLedgerSums } from '../helpers/ledger-sums.js';
import { buildRealisticAccount, dogeEq, poolTotals, truthOfSteps } from '../helpers/realistic-account.js';
import { fakeClock, privateCall } from '../helpers/sim-client.js';

describe('realistic account scenario (test/helpers/realistic-account.ts)', () => {
  let sim: KrakenSim | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });
  const creds = KrakenSim.generateKey();

  async function build(price = '0.1250000') {
    const clock = fakeClock();
    sim = await KrakenSim.start({ now: clock.now, keys: [creds], price, seed: 4 });
    const names: string[] = [];
    const account = await buildRealisticAccount(sim, {
      before: (name) => {
        names.push(name);
        clock.advance(60_000);
      },
    });
    const rows = account.steps.flatMap((s) => s.rows);
    return { sim, clock, names, rows, ...account };
  }

  const groups = (rows: readonly LedgerRow[]): Map<string, LedgerRow[]> => {
    const out = new Map<string, LedgerRow[]>();
    for (const r of rows) out.set(r.refid, [...(out.get(r.refid) ?? []), r]);
    return out;
  };

  it('keeps every row balance and Balance equal to the ledger running sums per code, over HTTP too', async () => {
    const { sim: s } = await build();
    const check = checkLedgerSums(s);
    expect(check.mismatches).toEqual([]);
    for (const code of ['XXDG', 'ZUSD', 'USD.F', 'XDG.S', 'XXBT']) expect(check.sums[code]).toBeDefined();
    const reply = await privateCall(s, creds, 'Balance');
    expect(reply.body.result).toEqual(s.getBalances());
    for (const v of Object.values(s.getBalances())) expect(new Big(v).gte(0)).toBe(true);
  });

  it('writes every kind of row a real account has, in Kraken shapes', async () => {
    const { rows } = await build();
    const kinds = new Set(rows.map((r) => `${r.type}/${r.subtype}`));
    for (const k of [
      'transfer/autoallocate', 'earn/autoallocation', 'earn/deallocation', 'earn/reward', 'staking/', 'spend/', 'receive/',
      'transfer/spottofutures', 'transfer/spottostaking', 'transfer/stakingfromspot', 'trade/', 'deposit/', 'withdrawal/',
      'adjustment/', 'credit/', 'giftcard/',
    ]) expect(kinds, k).toContain(k);
    const byRefid = groups(rows);

    const auto = [...byRefid.values()].find((g) => g[0]?.subtype === 'autoallocate') ?? [];
    expect(auto.map((r) => r.asset)).toEqual(['ZUSD', 'USD.F']);
    expect(new Set(auto.map((r) => r.time)).size).toBe(1);
    expect(new Big(auto[0]?.amount ?? '0').plus(auto[1]?.amount ?? '0').eq(0)).toBe(true);

    const trades = [...byRefid.values()].filter((g) => g.every((r) => r.type === 'trade'));
    const assetsOf = (g: LedgerRow[]): string => g.map((r) => r.asset).sort().join(',');
    expect(trades.map(assetsOf)).toEqual(expect.arrayContaining([
      'XXDG,ZUSD', // from spot
      'USD.F,XXDG', // from USD.F
      'USD.F,XXDG,ZUSD', // one order from spot and earn: one row per wallet, one refid
      'USD.F,XXBT', // another pair
      'XXDG', // the fiat leg rounded away
    ]));

    const purchase = rows.filter((r) => r.type === 'spend' || r.type === 'receive');
    expect(new Set(purchase.map((r) => r.refid)).size).toBe(1);
    expect(purchase.find((r) => r.type === 'spend')).toMatchObject({ asset: 'ZUSD', amount: '-29.5500', fee: '0.4500' });

    const staking = rows.filter((r) => r.subtype === 'spottostaking' || r.subtype === 'stakingfromspot');
    expect(staking.map((r) => r.asset)).toEqual(['XXDG', 'XDG.S']);
    expect(staking[0]?.refid).toBe(staking[1]?.refid);

    const failed = [...byRefid.values()].find((g) => g.length === 2 && g.every((r) => r.type === 'withdrawal')) ?? [];
    const [out, back] = failed;
    expect(back?.subtype).toBe(out?.subtype);
    expect(new Big(back?.amount ?? '0').eq(new Big(out?.amount ?? '1').neg())).toBe(true);
    expect(new Big(back?.fee ?? '0').eq(new Big(out?.fee ?? '1').neg())).toBe(true);
  });

  it('computes a truth that adds up: pool change = external + income + trading + unclassified', async () => {
    const { truth, sim: s } = await build();
    for (const side of ['base', 'quote'] as const) {
      const explained = new Big(truth.external[side]).plus(truth.income[side]).plus(truth.trading[side]).plus(truth.unclassified[side]);
      expect(new Big(truth.pool_end[side]).minus(truth.pool_start[side]).eq(explained), side).toBe(true);
    }
    expect(truth.pool_end).toEqual(poolTotals(s));
    expect(truth.unclassified).toEqual({ base: '2', quote: '0', rows: 1, types: { giftcard: 1 } });
    expect(truth.income).toEqual({ base: '0', quote: '1.7623' }); // earn reward + credit; the staking reward is outside the pool
    expect(truth.external).toEqual({
      base: '17696.00000054', // 20000 + 200 received − 500 futures − 1000 staked − 1004 withdrawn + 0.00000054
      quote: '1949.87', // 2000 + 30 − 30 app purchase − 50.13 XBT/USD; the failed withdrawal nets to 0
    });
    expect(truth.skipped_rows).toBe(3); // XDG.S leg, XDG.S reward, XXBT leg
    expect(truth.internal_moves).toBeGreaterThanOrEqual(6);
    expect(truth.internal_rows).toBe(2 * truth.internal_moves);
    expect(new Big(truth.trading.base).gt(0)).toBe(true);
    expect(new Big(truth.trading.quote).lt(0)).toBe(true);
    expect(dogeEq(truth.unclassified, s.getPrice())).toBe('2');
  });

  it('nets every internal move to zero on its asset, and gives the same truth at another price', async () => {
    const a = await build('0.1250000');
    const internal = a.rows.filter((r) => r.type === 'earn' || (r.type === 'transfer' && r.subtype === 'autoallocate'))
      .filter((r) => r.subtype !== 'reward');
    for (const g of groups(internal).values()) {
      expect(g).toHaveLength(2);
      expect(new Big(g[0]?.amount ?? '0').plus(g[1]?.amount ?? '0').eq(0)).toBe(true);
    }
    await a.sim.close();
    sim = undefined;
    const b = await build('0.0871000');
    expect(b.truth.external).toEqual(a.truth.external);
    expect(b.truth.income).toEqual(a.truth.income);
    expect(b.truth.unclassified).toEqual(a.truth.unclassified);
    expect(checkLedgerSums(b.sim).mismatches).toEqual([]);
  });

  it('gives the truth of the steps after a later baseline, still adding up', async () => {
    const { steps, sim: s, truth } = await build();
    const k = steps.findIndex((st) => st.name === 'app purchase');
    const later = truthOfSteps(s, steps.slice(k));
    expect(later.pool_start).toEqual(steps[k]?.pool_before);
    for (const side of ['base', 'quote'] as const) {
      const explained = new Big(later.external[side]).plus(later.income[side]).plus(later.trading[side]).plus(later.unclassified[side]);
      expect(new Big(later.pool_end[side]).minus(later.pool_start[side]).eq(explained), side).toBe(true);
    }
    expect(later.unclassified).toEqual(truth.unclassified);
    expect(later.income).toEqual({ base: '0', quote: '1.25' }); // the credit; the earn reward came before
    expect(truthOfSteps(s, steps)).toEqual(truth);
  });

  it('calls `before` once per step, in order, so a test can tick or restart a daemon between steps', async () => {
    const { names, steps } = await build();
    expect(names).toEqual(steps.map((s) => s.name));
    expect(names.length).toBeGreaterThan(20);
    const times = steps.flatMap((s) => s.rows.map((r) => r.time));
    expect([...times].sort((x, y) => x - y)).toEqual(times);
  });
});
