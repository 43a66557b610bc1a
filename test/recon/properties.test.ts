import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Big, baseEquivalent } from '../../src/recon/decimal.js';
import { isPollDue, windowStart, type FlowPolicy } from '../../src/recon/flow-poll.js';
import { reconcile } from '../../src/recon/reconcile.js';
import type { ReconState } from '../../src/recon/state.js';
import { restoreReconState, serializeReconState } from '../../src/recon/state-codec.js';
import { FakeLedger, POLICY, rawRow, runPoll, stateWithBaseline } from '../helpers/recon-fixtures.js';

const T0 = 1_700_000_000;

const rowArb = fc.record({
  type: fc.constantFrom('deposit', 'withdrawal', 'trade', 'trade', 'staking'),
  asset: fc.constantFrom('XXDG', 'ZUSD', 'XXDG', 'XXBT', 'XDG.S'),
  amount: fc.integer({ min: -50_000, max: 50_000 }).map((n) => (n / 100).toFixed(2)),
  fee: fc.integer({ min: 0, max: 300 }).map((n) => (n / 100).toFixed(2)),
  gap: fc.integer({ min: 0, max: 400 }),
});
type RowSpec = { type: string; asset: string; amount: string; fee: string; gap: number };
type TickSpec = { gap: number; maxPages: number; restart: boolean; useCount: boolean };
const tickArb = fc.record({
  gap: fc.integer({ min: 5, max: 500 }),
  maxPages: fc.integer({ min: 1, max: 3 }),
  restart: fc.boolean(),
  useCount: fc.boolean(),
});

interface History {
  ledger: FakeLedger;
  rows: Array<{ id: string; type: string; asset: string; amount: string; fee: string; time: number }>;
}

function buildHistory(rows: Array<RowSpec>): History {
  const ledger = new FakeLedger();
  const out: History['rows'] = [];
  let t = T0 + 400; // after the bootstrap cursor of the first poll
  rows.forEach((r, i) => {
    t += r.gap;
    const id = `L${String(i).padStart(5, '0')}`;
    ledger.add(id, rawRow({ type: r.type, asset: r.asset, amount: r.amount, fee: r.fee, time: t }), t);
    out.push({ id, type: r.type, asset: r.asset, amount: r.amount, fee: r.fee, time: t });
  });
  return { ledger, rows: out };
}

/** Drives the poller like the loop does: a poll when due, limited pages per tick, optional restarts. */
function drive(history: History, ticks: Array<TickSpec>, policy: FlowPolicy): ReconState {
  let state = stateWithBaseline(T0);
  let now = T0 + 300;
  // The first poll bootstraps the cursor at the baseline time; every row of the history is newer.
  runPoll(state, history.ledger, now, { policy });
  const lastRow = history.rows.at(-1)?.time ?? now;
  const schedule = [...ticks];
  // Keep ticking past the last row until every poll has completed.
  while (schedule.length > 0 || now <= lastRow + policy.pollIntervalSec || state.poll.pending !== null) {
    const tick = schedule.shift() ?? { gap: policy.pollIntervalSec, maxPages: 1, restart: false, useCount: true };
    now += tick.gap;
    if (isPollDue(state, now, policy.pollIntervalSec)) runPoll(state, history.ledger, now, { maxPages: tick.maxPages, policy, useCount: tick.useCount });
    if (tick.restart) {
      const saved = JSON.parse(JSON.stringify(serializeReconState(state, now))) as unknown;
      state = restoreReconState(saved, policy.historyMax).state;
    }
  }
  return state;
}

/** External flows (deposits, withdrawals) and income (staking) on the pool's assets; both move the baseline. */
function expectedFlows(history: History): { count: number; income: number; base: Big.Big; quote: Big.Big } {
  let base = new Big(0);
  let quote = new Big(0);
  let count = 0;
  let income = 0;
  for (const r of history.rows) {
    if (r.type !== 'deposit' && r.type !== 'withdrawal' && r.type !== 'staking') continue;
    const net = new Big(r.amount).minus(r.fee);
    if (r.asset === 'XXDG') base = base.plus(net);
    else if (r.asset === 'ZUSD') quote = quote.plus(net);
    else continue;
    if (r.type === 'staking') income++;
    else count++;
  }
  return { count, income, base, quote };
}

describe('flow detection properties', () => {
  it('applies every flow row exactly once, whatever the paging, polling and restarts', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 160 }), fc.array(tickArb, { maxLength: 40 }), (rows, ticks) => {
        const history = buildHistory(rows);
        const state = drive(history, ticks, POLICY);
        const want = expectedFlows(history);
        expect(state.totals.count).toBe(want.count);
        expect(new Big(state.baseline?.doge ?? 'NaN').eq(new Big(1000).plus(want.base))).toBe(true);
        expect(new Big(state.baseline?.usd ?? 'NaN').eq(new Big(100).plus(want.quote))).toBe(true);
        expect(state.totals.income.count).toBe(want.income);
        expect(state.audit.length).toBe(want.count + want.income);
        // Bounded memory: only ids the next window can return are remembered.
        const start = windowStart(state, POLICY.lookbackSec);
        for (const t of state.seen.values()) expect(t).toBeGreaterThan(start);
      }),
      { numRuns: 150 },
    );
  });

  it('gives the same adjusted drift in auto-adjust and observe-only mode for the same history', () => {
    fc.assert(
      fc.property(
        fc.array(rowArb, { maxLength: 80 }),
        fc.array(tickArb, { maxLength: 20 }),
        fc.double({ min: 0.01, max: 5, noNaN: true }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (rows, ticks, price, doge, usd) => {
          const history = buildHistory(rows);
          const auto = drive(history, ticks, POLICY);
          const observe = drive(history, ticks, { ...POLICY, autoAdjust: false });
          const balances = { base: String(doge / 100), quote: String(usd / 100) };
          const [a, o] = [auto, observe].map((s) =>
            reconcile({ price, balances, baseline: s.baseline, botPnlUsd: 3, totals: s.totals, unapplied: s.unapplied, thresholdPct: 1 }),
          );
          const tolerance = 1e-9 * Math.max(1, Math.abs(a?.adjusted_drift_doge ?? 0));
          expect(Math.abs((a?.adjusted_drift_doge ?? NaN) - (o?.adjusted_drift_doge ?? NaN))).toBeLessThan(tolerance);
          expect(a?.external_flows_doge_eq).toBeCloseTo(o?.external_flows_doge_eq ?? NaN, 6);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('rolls forward: current = baseline + net flows + income + bot P&L + unexplained, and unexplained is zero when the bot explains the rest', () => {
    fc.assert(
      fc.property(
        fc.array(rowArb, { maxLength: 60 }),
        fc.integer({ min: -100_000, max: 100_000 }),
        fc.integer({ min: -10_000, max: 10_000 }),
        fc.double({ min: 0.01, max: 5, noNaN: true }),
        fc.boolean(),
        (rows, tradeBaseCents, tradeQuoteCents, price, autoAdjust) => {
          const history = buildHistory(rows);
          const state = drive(history, [], { ...POLICY, autoAdjust });
          const want = expectedFlows(history);
          const tradeBase = new Big(tradeBaseCents).div(100);
          const tradeQuote = new Big(tradeQuoteCents).div(100);
          // The account = start + external flows + the bot's trades; the bot reports its trades marked to market.
          const balances = {
            base: new Big(1000).plus(want.base).plus(tradeBase).toString(),
            quote: new Big(100).plus(want.quote).plus(tradeQuote).toString(),
          };
          const botPnlUsd = Number(tradeBase.times(price).plus(tradeQuote));
          const r = reconcile({ price, balances, baseline: state.baseline, botPnlUsd, totals: state.totals, unapplied: state.unapplied, thresholdPct: 1 });
          const scale = Math.max(1, Math.abs(r.current_doge_eq ?? 0));
          expect(Math.abs(r.adjusted_drift_doge ?? NaN)).toBeLessThan(1e-9 * scale);
          const initial = 1000 + 100 / price;
          const income = Number(baseEquivalent(state.totals.income.base, state.totals.income.quote, price));
          const rolled = initial + r.external_flows_doge_eq + income + r.bot_pnl_doge_eq + (r.adjusted_drift_doge ?? NaN);
          expect(Math.abs((r.current_doge_eq ?? NaN) - rolled)).toBeLessThan(1e-9 * scale);
        },
      ),
      { numRuns: 120 },
    );
  });
});
