import { describe, expect, it } from 'vitest';
import { computeRow } from '../../src/reports/rows.js';
import { DAY, identityGap, sample, sides, T0 } from './fixtures.js';

const bounds = { start_ts: T0, end_ts: T0 + DAY, open: false };

describe('a period roll-forward row (DESIGN.md section 17)', () => {
  it('a quiet day with a price move: the move is price effect, nothing unexplained', () => {
    const { row } = computeRow(bounds, sample(), sample({ ts: T0 + DAY - 30, price: 0.12 }));
    expect(row.complete).toBe(true);
    expect(row.start_usd).toBe(2000);
    expect(row.end_usd).toBe(2200);
    expect(row.price_effect_usd).toBe(200); // 10 000 DOGE × 0.02
    expect(row.unexplained_usd).toBe(0);
    expect(row.return_ex_flows_pct).toBe(10);
    expect(row.start_doge_eq).toBe(20000);
    expect(row.end_doge_eq).toBeCloseTo(2200 / 0.12, 9);
  });

  it('deposits of both assets count at the end price and are not return', () => {
    const end = sample({ price: 0.2, base: '11000', quote: '1500', flows_in: sides(1000, 500) });
    const { row } = computeRow(bounds, sample(), end);
    expect(row.deposits_usd).toBe(700); // 1 000 DOGE × 0.20 + 500 USD
    expect(row.price_effect_usd).toBe(1000);
    expect(row.unexplained_usd).toBe(0);
    expect(row.return_ex_flows_pct).toBe(50); // (3700 − 2000 − 700) / 2000
  });

  it('a withdrawal is a positive magnitude that leaves, net of its fee', () => {
    const { row } = computeRow(bounds, sample(), sample({ quote: '700', flows_out: sides(0, 300) }));
    expect(row.withdrawals_usd).toBe(300);
    expect(row.end_usd).toBe(1700);
    expect(row.unexplained_usd).toBe(0);
    expect(row.return_ex_flows_pct).toBe(0);
  });

  it('income (a reward into the earn wallet) is its own term and is return', () => {
    const { row } = computeRow(bounds, sample(), sample({ quote: '1002.5', income: sides(0, '2.5') }));
    expect(row.income_usd).toBe(2.5);
    expect(row.unexplained_usd).toBe(0);
    expect(row.return_ex_flows_pct).toBe(0.125);
  });

  it("the bot's trades from the ledger are bot P&L, marked at the end price", () => {
    // Bought 1 000 DOGE for 95 USD; at the end price 0.10 that is +5 USD.
    const { row } = computeRow(bounds, sample(), sample({ base: '11000', quote: '905', trading: sides(1000, -95) }));
    expect(row.bot_pnl_usd).toBe(5);
    expect(row.bot_return_pct).toBe(0.25);
    expect(row.unexplained_usd).toBe(0);
  });

  it("the bot's own P&L figure wins when both boundary samples have it", () => {
    const { row } = computeRow(bounds, sample({ bot_pnl_usd: 10 }), sample({ quote: '1004', trading: sides(0, 4), bot_pnl_usd: 14.5 }));
    expect(row.bot_pnl_usd).toBe(4.5);
    expect(row.unexplained_usd).toBe(-0.5); // the ledger says 4, the bot says 4.5
  });

  it('a balance change no ledger row explains is unexplained, to the cent', () => {
    const { row } = computeRow(bounds, sample(), sample({ base: '9990' }));
    expect(row.unexplained_usd).toBe(-1);
    expect(identityGap(row)).toBe(0);
  });

  it('wallets entering or leaving the pool are flows, never drift', () => {
    const { row } = computeRow(bounds, sample(), sample({ base: '10500', quote: '800', pool_changes: sides(500, -200) }));
    expect(row.deposits_usd).toBe(50);
    expect(row.withdrawals_usd).toBe(200);
    expect(row.unexplained_usd).toBe(0);
  });

  it('only deltas of the cumulative totals count (a period starts where the totals were)', () => {
    const start = sample({ flows_in: sides(5000, 300), income: sides(1, 1) });
    const { row } = computeRow(bounds, start, sample({ quote: '1100', flows_in: sides(5000, 400), income: sides(1, 1) }));
    expect(row.deposits_usd).toBe(100);
    expect(row.income_usd).toBe(0);
  });

  it('without a boundary sample, or across a baseline reset, the row says so and has no figures', () => {
    for (const [s, e] of [
      [null, sample()],
      [sample(), null],
      [sample({ epoch: 1 }), sample({ epoch: 2 })],
    ] as const) {
      const { row, exact } = computeRow(bounds, s, e);
      expect(row.complete).toBe(false);
      expect(exact).toBeNull();
      expect(row.start_usd).toBeNull();
      expect(row.unexplained_usd).toBeNull();
      expect(row.return_ex_flows_pct).toBeNull();
    }
  });

  it('a start worth nothing gives null percentages, never Infinity', () => {
    const { row } = computeRow(bounds, sample({ base: '0', quote: '0' }), sample({ quote: '100', flows_in: sides(0, 100) }));
    expect(row.return_ex_flows_pct).toBeNull();
    expect(row.bot_return_pct).toBeNull();
    expect(row.deposits_usd).toBe(100);
  });
});
