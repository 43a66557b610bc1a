import Big from 'big.js';
import { afterEach, describe, expect, it } from 'vitest';
import { KrakenSim, SyntheticBot } from '../../src/kraken/sim/index.js';
import type { BotEvent } from '../../src/kraken/sim/index.js';
import { fakeClock } from '../helpers/sim-client.js';

const LIVELY = {
  tradeProbability: 0.8,
  depositProbability: 0.1,
  withdrawalProbability: 0.1,
  failedWithdrawalProbability: 0.05,
  reversalDelaySteps: 3,
  volatility: 0.01,
};

describe('synthetic bot', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((c) => c()));
  });

  async function setup(seed = 11) {
    const clock = fakeClock();
    const sim = await KrakenSim.start({ now: clock.now, seed, price: '0.1', initialBalances: { XXDG: '10000', ZUSD: '1000' } });
    closers.push(() => sim.close());
    const bot = new SyntheticBot(sim, { seed, ...LIVELY });
    const events: BotEvent[] = [];
    const run = (steps: number): void => {
      for (let i = 0; i < steps; i++) {
        clock.advance(1000);
        events.push(...bot.step());
        for (const v of Object.values(sim.getBalances())) expect(new Big(v).gte(0)).toBe(true);
      }
    };
    return { sim, bot, clock, events, run };
  }

  it('reports trade P&L marked to market, so balances − flows − P&L leaves no drift', async () => {
    const { sim, bot, run, events } = await setup();
    run(400);
    for (const kind of ['trade', 'deposit', 'withdrawal', 'failed-withdrawal', 'reversal']) {
      expect(events.some((e) => e.kind === kind)).toBe(true);
    }
    const flows = { XXDG: new Big(0), ZUSD: new Big(0) };
    for (const { row } of sim.ledgerRows()) {
      if (row['type'] !== 'deposit' && row['type'] !== 'withdrawal') continue;
      const asset = row['asset'] as 'XXDG' | 'ZUSD';
      flows[asset] = flows[asset].plus(row['amount'] as string).minus(row['fee'] as string);
    }
    const b = sim.getBalances();
    const p = new Big(sim.getPrice());
    const explained = new Big(b['XXDG'] ?? '0').minus(10000).times(p)
      .plus(new Big(b['ZUSD'] ?? '0').minus(1000))
      .minus(flows.XXDG.times(p).plus(flows.ZUSD));
    expect(explained.minus(bot.pnlUsdExact()).abs().lt('1e-8')).toBe(true);
    expect(Math.abs(explained.toNumber() - bot.pnlUsd())).toBeLessThan(1e-6);
    expect(bot.pnlUsd()).not.toBe(0);
    expect(bot.totals().flowBase).toBe(flows.XXDG.toString());
    expect(bot.totals().flowQuote).toBe(flows.ZUSD.toString());
  });

  it('writes trades as two rows sharing a refid, with the 0.26% fee on the USD row', async () => {
    const { sim, run, events } = await setup();
    run(50);
    const trade = events.find((e): e is Extract<BotEvent, { kind: 'trade' }> => e.kind === 'trade');
    expect(trade).toBeDefined();
    const rows = sim.ledgerRows().map((r) => r.row).filter((r) => r['refid'] === trade?.refid);
    expect(rows.map((r) => r['type'])).toEqual(['trade', 'trade']);
    const usd = rows.find((r) => r['asset'] === 'ZUSD');
    const doge = rows.find((r) => r['asset'] === 'XXDG');
    expect(new Big(doge?.['fee'] as string).eq(0)).toBe(true);
    const cost = new Big(usd?.['amount'] as string).abs();
    expect(new Big(usd?.['fee'] as string).minus(cost.times(0.0026)).abs().lte('0.0001')).toBe(true);
    expect(Math.sign(Number(usd?.['amount']))).toBe(-Math.sign(Number(doge?.['amount'])));
  });

  it('reverses a failed withdrawal later with an opposite withdrawal row, subtype "", same refid', async () => {
    const { sim, run, events } = await setup();
    run(400);
    const reversal = events.find((e) => e.kind === 'reversal');
    expect(reversal).toBeDefined();
    const rows = sim.ledgerRows().map((r) => r.row).filter((r) => r['refid'] === reversal?.refid);
    expect(rows).toHaveLength(2);
    const [later, earlier] = rows;
    expect(later).toMatchObject({ type: 'withdrawal', subtype: '' });
    expect(new Big(later?.['amount'] as string).eq(new Big(earlier?.['amount'] as string).neg())).toBe(true);
    expect(new Big(later?.['fee'] as string).eq(new Big(earlier?.['fee'] as string).neg())).toBe(true);
    expect(later?.['time'] as number).toBeGreaterThan(earlier?.['time'] as number);
  });

  it('replays identically from the same seeds', async () => {
    const a = await setup(5);
    const b = await setup(5);
    a.run(100);
    b.run(100);
    expect(a.sim.ledgerRows()).toEqual(b.sim.ledgerRows());
    expect(a.bot.pnlUsdExact()).toBe(b.bot.pnlUsdExact());
    expect(a.sim.getPrice()).toBe(b.sim.getPrice());
  });

  it('does nothing but move the price with all probabilities at 0', async () => {
    const clock = fakeClock();
    const sim = await KrakenSim.start({ now: clock.now, price: '0.1' });
    closers.push(() => sim.close());
    const bot = new SyntheticBot(sim, { tradeProbability: 0, depositProbability: 0, withdrawalProbability: 0, failedWithdrawalProbability: 0 });
    for (let i = 0; i < 20; i++) expect(bot.step()).toEqual([]);
    expect(sim.ledgerRows()).toEqual([]);
    expect(sim.getPrice()).not.toBe('0.1000000');
    expect(bot.pnlUsd()).toBe(0);
  });

  it('serves GET /pnl as {pnl_usd, ts}', async () => {
    const { bot, run, clock } = await setup();
    run(30);
    const server = await bot.startPnlServer({ host: '127.0.0.1', port: 0 });
    closers.push(() => server.close());
    expect(server.pnlUrl).toBe(`${server.url}/pnl`);
    const res = await fetch(server.pnlUrl);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ pnl_usd: bot.pnlUsd(), ts: Math.floor(clock.now() / 1000) });
    expect((await fetch(`${server.url}/other`)).status).toBe(404);
  });
});
