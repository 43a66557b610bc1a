import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Big } from '../../src/recon/decimal.js';
import { buildReport, buildRows, recordSample, type ReportConfig, type ReportSample, type ReportsState } from '../../src/reports/index.js';
import { computeRow } from '../../src/reports/rows.js';
import { DAY, identityGap, sample, T0 } from './fixtures.js';

type Dec = InstanceType<typeof Big>;

/** What happens between two ticks (amounts in cents / whole DOGE so they stay plain decimals). */
type Event =
  | { kind: 'deposit' | 'withdrawal' | 'income'; side: 'base' | 'quote'; amount: number }
  | { kind: 'trade'; base: number; slip: number }
  | { kind: 'drift'; side: 'base' | 'quote'; amount: number };

const event: fc.Arbitrary<Event> = fc.oneof(
  fc.record({ kind: fc.constantFrom('deposit' as const, 'withdrawal' as const, 'income' as const), side: fc.constantFrom('base' as const, 'quote' as const), amount: fc.integer({ min: 1, max: 100_000 }) }),
  fc.record({ kind: fc.constant('trade' as const), base: fc.integer({ min: -5000, max: 5000 }), slip: fc.integer({ min: -50, max: 50 }) }),
  fc.record({ kind: fc.constant('drift' as const), side: fc.constantFrom('base' as const, 'quote' as const), amount: fc.integer({ min: -500, max: 500 }) }),
);

const tick = fc.record({
  dt: fc.integer({ min: 60, max: 9 * 3600 }),
  /** Price in 1e-5 units. */
  price: fc.integer({ min: 1000, max: 200_000 }),
  events: fc.array(event, { maxLength: 3 }),
  outage: fc.boolean().map((b) => b && Math.random() < 0.5),
  ownPnl: fc.boolean(),
});

interface Account {
  base: Dec;
  quote: Dec;
  tot: Record<'in' | 'out' | 'income' | 'trading', { base: Dec; quote: Dec }>;
}

/** Applies a history to an account, yielding each tick's (time, sample or null during an outage). */
interface Tick {
  dt: number;
  price: number;
  events: Event[];
  outage: boolean;
}

function simulate(ticks: readonly Tick[], ownPnl: boolean, drift = true, from = T0 + 1234): Array<[number, ReportSample | null]> {
  const z = () => ({ base: new Big(0), quote: new Big(0) });
  const a: Account = { base: new Big(50_000), quote: new Big(5_000), tot: { in: z(), out: z(), income: z(), trading: z() } };
  let t = from;
  let pnl = 0;
  const out: Array<[number, ReportSample | null]> = [];
  for (const k of ticks) {
    t += k.dt;
    const price = new Big(k.price).div(100_000);
    for (const e of k.events) {
      if (e.kind === 'trade') {
        const qty = new Big(e.base);
        const cost = qty.times(price).times(new Big(1).plus(new Big(e.slip).div(10_000))).round(4);
        a.base = a.base.plus(qty);
        a.quote = a.quote.minus(cost);
        a.tot.trading.base = a.tot.trading.base.plus(qty);
        a.tot.trading.quote = a.tot.trading.quote.minus(cost);
        pnl += qty.times(price).minus(cost).toNumber();
      } else if (e.kind === 'drift') {
        if (drift) a[e.side] = a[e.side].plus(new Big(e.amount).div(100));
      } else {
        const amt = new Big(e.amount).div(100);
        const sign = e.kind === 'withdrawal' ? -1 : 1;
        a[e.side] = a[e.side].plus(amt.times(sign));
        const bucket = e.kind === 'deposit' ? a.tot.in : e.kind === 'withdrawal' ? a.tot.out : a.tot.income;
        bucket[e.side] = bucket[e.side].plus(e.kind === 'income' ? amt : amt);
      }
    }
    const s = (x: { base: Dec; quote: Dec }) => ({ base: x.base.toString(), quote: x.quote.toString() });
    out.push([
      t,
      k.outage
        ? null
        : sample({
            ts: t,
            price: price.toNumber(),
            base: a.base.toString(),
            quote: a.quote.toString(),
            flows_in: s(a.tot.in),
            flows_out: s(a.tot.out),
            income: s(a.tot.income),
            trading: s(a.tot.trading),
            bot_pnl_usd: ownPnl ? pnl : null,
          }),
    ]);
  }
  return out;
}

function record(history: Array<[number, ReportSample | null]>, cfg: ReportConfig): ReportsState {
  let state: ReportsState | undefined;
  for (const [now, s] of history) state = recordSample(state, s, now, cfg).state;
  return state as ReportsState;
}

const configs: ReportConfig[] = [
  { periodSec: DAY, tz: 'UTC', retentionDays: 90 },
  { periodSec: DAY, tz: 'Europe/Berlin', retentionDays: 90 },
  { periodSec: DAY, tz: 'America/New_York', retentionDays: 90 },
  { periodSec: 3600, tz: 'UTC', retentionDays: 90 },
  { periodSec: 4 * 3600, tz: 'UTC', retentionDays: 90 },
];
const RUNS = { numRuns: 150 };
/** Any moment of 2026, so histories cross the daylight-saving changes of Berlin and New York. */
const anyStart = fc.integer({ min: Date.UTC(2026, 0, 1) / 1000, max: Date.UTC(2026, 11, 1) / 1000 });

describe('report properties', () => {
  it('the identity holds for random histories and prices: exactly in big.js, to 1e-9 in the JSON numbers', () => {
    fc.assert(
      fc.property(fc.array(tick, { minLength: 1, maxLength: 60 }), fc.constantFrom(...configs), fc.boolean(), anyStart, (ticks, cfg, ownPnl, from) => {
        const rows = buildRows(record(simulate(ticks, ownPnl, true, from), cfg), cfg);
        for (const { row, exact } of rows) {
          if (exact === null) continue;
          const rebuilt = exact.start_usd.plus(exact.price_effect_usd).plus(exact.deposits_usd).minus(exact.withdrawals_usd).plus(exact.income_usd).plus(exact.bot_pnl_usd).plus(exact.unexplained_usd);
          expect(rebuilt.eq(exact.end_usd)).toBe(true);
          expect(identityGap(row)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(row.end_usd ?? 0)));
        }
      }),
      RUNS,
    );
  });

  it('every flow, reward and trade is explained: without drift, unexplained is exactly zero (ledger P&L)', () => {
    fc.assert(
      fc.property(fc.array(tick, { minLength: 1, maxLength: 60 }), fc.constantFrom(...configs), (ticks, cfg) => {
        for (const { exact } of buildRows(record(simulate(ticks, false, false), cfg), cfg)) if (exact !== null) expect(exact.unexplained_usd.eq(0)).toBe(true);
      }),
      RUNS,
    );
  });

  it('periods chain: each complete row starts where the last complete one ended; the sum of all is the whole change', () => {
    fc.assert(
      fc.property(fc.array(tick, { minLength: 1, maxLength: 60 }), fc.constantFrom(...configs), anyStart, (ticks, cfg, from) => {
        const history = simulate(ticks, false, true, from);
        const state = record(history, cfg);
        const rows = buildRows(state, cfg);
        const complete = rows.filter((r) => r.exact !== null);
        for (let i = 1; i < complete.length; i++) expect(complete[i]?.exact?.start_usd.eq(complete[i - 1]?.exact?.end_usd ?? NaN)).toBe(true);
        for (let i = 1; i < rows.length; i++) expect(rows[i]?.row.start_ts).toBe(rows[i - 1]?.row.end_ts);
        const last = [...history].reverse().find(([, s]) => s !== null)?.[1];
        if (complete.length > 0 && last) {
          const first = complete[0]?.exact;
          const total = complete.reduce((acc, { exact: e }) => acc.plus(e ? e.end_usd.minus(e.start_usd) : 0), new Big(0));
          expect(total.eq(new Big(last.base).times(last.price).plus(last.quote).minus(first?.start_usd ?? 0))).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('summing any split of a day gives the day: totals always; each term at a constant price; returns without flows', () => {
    const daySamples = fc.array(tick, { minLength: 2, maxLength: 30 });
    fc.assert(
      fc.property(daySamples, fc.boolean(), fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }), (ticks, constant, cuts) => {
        const fixed = constant ? ticks.map((t) => ({ ...t, price: 10_000 })) : ticks;
        const samples = simulate(fixed.map((t) => ({ ...t, outage: false })), false).map(([, s]) => s as ReportSample);
        const bounds = { start_ts: 0, end_ts: 1, open: false };
        const whole = computeRow(bounds, samples[0] ?? null, samples.at(-1) ?? null).exact;
        // Split at any subset of the inner samples.
        const points = [0, ...samples.slice(1, -1).flatMap((_, i) => (cuts[i] === true ? [i + 1] : [])), samples.length - 1];
        const parts = points.slice(1).map((p, i) => computeRow(bounds, samples[points[i] as number] ?? null, samples[p] ?? null).exact);
        const sum = (k: 'deposits_usd' | 'withdrawals_usd' | 'income_usd' | 'bot_pnl_usd' | 'unexplained_usd' | 'price_effect_usd'): Dec =>
          parts.reduce((acc, e) => acc.plus(e?.[k] ?? NaN), new Big(0));
        const change = (e: typeof whole): Dec => (e ? e.end_usd.minus(e.start_usd) : new Big(NaN));
        expect(parts.reduce((acc, e) => acc.plus(change(e)), new Big(0)).eq(change(whole))).toBe(true);
        const terms = ['deposits_usd', 'withdrawals_usd', 'income_usd', 'bot_pnl_usd', 'unexplained_usd', 'price_effect_usd'] as const;
        const allTerms = terms.reduce((acc, k) => (k === 'withdrawals_usd' ? acc.minus(sum(k)) : acc.plus(sum(k))), new Big(0));
        expect(allTerms.eq(change(whole))).toBe(true);
        if (constant) for (const k of terms) expect(sum(k).eq(whole?.[k] ?? NaN), k).toBe(true);
      }),
      RUNS,
    );
  });

  it('without flows, chain-linked period returns equal the return over the whole span (time-weighted)', () => {
    const noFlows = tick.map((t) => ({ ...t, events: t.events.filter((e) => e.kind === 'trade' || e.kind === 'drift'), outage: false }));
    let checked = 0;
    fc.assert(
      fc.property(fc.array(noFlows, { minLength: 2, maxLength: 40 }), (ticks) => {
        const cfg: ReportConfig = { periodSec: 3600, tz: 'UTC', retentionDays: 90 };
        const history = simulate(ticks, false);
        const state = record(history, cfg);
        const report = buildReport(state, { ...cfg });
        const rows = buildRows(state, cfg).filter((r) => r.exact !== null);
        const first = rows[0]?.exact;
        const last = rows.at(-1)?.exact;
        // Returns are defined on a positive account (the random trades can overdraw one side).
        if (!first || !last || rows.some((r) => !(r.exact?.start_usd.gt(0) ?? false)) || report.summary['30d'].periods !== rows.length) return;
        const span = last.end_usd.div(first.start_usd).minus(1).times(100).toNumber();
        expect(report.summary['30d'].return_ex_flows_pct ?? NaN).toBeCloseTo(span, 8);
        checked++;
      }),
      RUNS,
    );
    expect(checked).toBeGreaterThan(RUNS.numRuns / 4); // not vacuous
  });

  it('the summary sums each term over its window', () => {
    fc.assert(
      fc.property(fc.array(tick, { minLength: 1, maxLength: 80 }), fc.constantFrom(...configs), (ticks, cfg) => {
        const state = record(simulate(ticks, false), cfg);
        const report = buildReport(state, cfg);
        const n = Math.ceil((7 * DAY) / cfg.periodSec);
        const window = report.periods.slice(-n).filter((p) => p.complete);
        expect(report.summary['7d'].periods).toBe(window.length);
        for (const k of ['deposits_usd', 'withdrawals_usd', 'income_usd', 'bot_pnl_usd', 'unexplained_usd', 'price_effect_usd'] as const) {
          const s = window.reduce((acc, p) => acc + (p[k] ?? 0), 0);
          expect(report.summary['7d'][k]).toBeCloseTo(s, 6);
        }
      }),
      RUNS,
    );
  });
});
