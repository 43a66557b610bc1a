import fc from 'fast-check';
import type { EquityPoint } from '../../src/equity/types.js';
import type { FlowRecord } from '../../src/recon/types.js';

export const T0 = 1_700_000_000;

/** A base point; tests override what their story is about. */
export function point(overrides: Partial<EquityPoint> = {}): EquityPoint {
  return { ts: T0, doge_eq: 10_000, usd: 500, doge: 5_000, price: 0.1, bot_pnl_usd: 0, flows_cumulative_doge_eq: 0, ...overrides };
}

/** Points at T0, T0+step, ... with the given doge_eq values. */
export function seriesOf(values: readonly number[], step = 300): EquityPoint[] {
  return values.map((doge_eq, i) => point({ ts: T0 + i * step, doge_eq }));
}

export function flow(overrides: Partial<FlowRecord> = {}): FlowRecord {
  return {
    ledger_id: 'L1', refid: 'R1', time: T0, type: 'deposit', subtype: '', asset: 'DOGE', category: 'external', wallet: 'spot', side: 'base',
    amount: '100', fee: '0', net: '100', price: 0.1, doge_eq: 100, detected_ts: T0, applied: false, ...overrides,
  };
}

const value = fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true });

/** Arbitrary point; ts drawn from a small range so that equal timestamps happen. */
export const arbPoint = fc.record({
  ts: fc.integer({ min: T0, max: T0 + 50 }),
  doge_eq: value, usd: value, doge: value, price: value, bot_pnl_usd: value, flows_cumulative_doge_eq: value,
});

/** A normalised series: sorted by ts, one point per ts. */
export const arbSeries = fc
  .uniqueArray(arbPoint, { selector: (p) => p.ts, maxLength: 60 })
  .map((ps) => ps.sort((a, b) => a.ts - b.ts));

/** A number with at most 8 decimals, as an account value would be (decimal text → number). */
export const arbDecimal8 = fc
  .tuple(fc.boolean(), fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 99_999_999 }), fc.integer({ min: 0, max: 8 }))
  .map(([negative, int, frac, dec]) => {
    const fracText = String(frac).padStart(8, '0').slice(0, dec);
    const n = Number(`${negative ? '-' : ''}${int}${dec === 0 ? '' : `.${fracText}`}`);
    return n === 0 ? 0 : n; // JSON has no -0
  });
