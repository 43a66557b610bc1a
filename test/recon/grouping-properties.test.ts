// DESIGN.md section 15: classification by refid group must not depend on paging, poll splits, order or
// restarts. Random histories of realistic groups (trades with one or two legs, trades on another pair, Auto
// Earn pairs, rewards, unknown types, staking moves, failed withdrawals, legs written seconds apart) are
// read under random poll schedules and restarts, and compared with one clean read of the same rows.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Big, baseEquivalent } from '../../src/recon/decimal.js';
import { isPollDue, windowStart, type FlowPolicy } from '../../src/recon/flow-poll.js';
import { reconcile } from '../../src/recon/reconcile.js';
import type { ReconState } from '../../src/recon/state.js';
import { restoreReconState, serializeReconState } from '../../src/recon/state-codec.js';
import { FakeLedger, POLICY, rawRow, runPoll, stateWithBaseline } from '../helpers/recon-fixtures.js';

const T0 = 1_700_000_000;
const KINDS = ['deposit', 'trade', 'trade_f', 'trade_one_leg', 'trade_other_pair', 'autoallocate', 'autoallocate_half', 'reward', 'mystery', 'staking_move', 'failed_withdrawal', 'late_leg'] as const;
type Kind = (typeof KINDS)[number];
const groupArb = fc.record({
  kind: fc.constantFrom(...KINDS),
  a: fc.integer({ min: 1, max: 50_000 }).map((n) => (n / 100).toFixed(2)),
  b: fc.integer({ min: 1, max: 5_000 }).map((n) => (n / 100).toFixed(2)),
  sign: fc.boolean(),
  // Dense enough that poll windows hold more than a page (50 rows): page cuts fall inside groups.
  gap: fc.integer({ min: 0, max: 25 }),
  /** Kraken's order among rows of one time is arbitrary: legs are stored in either order. */
  reverse: fc.boolean(),
});
type GroupSpec = { kind: Kind; a: string; b: string; sign: boolean; gap: number; reverse: boolean };
const tickArb = fc.record({ gap: fc.oneof(fc.integer({ min: 5, max: 200 }), fc.integer({ min: 300, max: 2500 })), maxPages: fc.integer({ min: 1, max: 3 }), restart: fc.boolean(), useCount: fc.boolean() });
type TickSpec = { gap: number; maxPages: number; restart: boolean; useCount: boolean };

interface Row { id: string; refid: string; time: number; type: string; subtype: string; asset: string; amount: string; fee: string }

function legs(g: GroupSpec, refid: string, t: number): Array<Omit<Row, 'id'>> {
  const neg = (v: string): string => `-${v}`;
  const [da, ua] = g.sign ? [g.a, neg(g.b)] : [neg(g.a), g.b];
  const row = (type: string, asset: string, amount: string, extra: Partial<Row> = {}): Omit<Row, 'id'> => ({ refid, time: t, type, subtype: '', asset, amount, fee: '0', ...extra });
  switch (g.kind) {
    case 'deposit': return [row(g.sign ? 'deposit' : 'withdrawal', g.sign ? 'XXDG' : 'ZUSD', g.sign ? g.a : neg(g.b))];
    case 'trade': return [row('trade', 'XXDG', da, { subtype: 'tradespot' }), row('trade', 'ZUSD', ua, { fee: '0.01' })];
    case 'trade_f': return [row('trade', 'XDG.F', da), row('trade', 'ZUSD', ua)];
    case 'trade_one_leg': return [row('trade', 'XXDG', g.sign ? '0.00000001' : '-0.00000001')];
    case 'trade_other_pair': return [row('trade', 'XXDG', da), row('trade', 'XXBT', g.sign ? '-0.001' : '0.001')];
    case 'autoallocate': return [row('transfer', 'ZUSD', neg(g.b), { subtype: 'autoallocate' }), row('transfer', 'USD.F', g.b, { subtype: 'autoallocate' })];
    case 'autoallocate_half': return [row('earn', 'ZUSD', neg(g.b), { subtype: 'allocation' })];
    case 'reward': return [row('earn', 'USD.F', g.b, { subtype: 'reward' })];
    case 'mystery': return [row('mystery', 'XXDG', g.sign ? g.a : neg(g.a))];
    case 'staking_move': return [row('transfer', 'XXDG', neg(g.a), { subtype: 'spottostaking' }), row('transfer', 'XDG.S', g.a, { subtype: 'stakingfromspot' })];
    case 'failed_withdrawal': return [row('withdrawal', 'XXDG', neg(g.a), { fee: '2' }), { ...row('withdrawal', 'XXDG', g.a, { fee: '-2' }), time: t + 1 + g.gap }];
    case 'late_leg': return [row('trade', 'XXDG', da), { ...row('trade', 'ZUSD', ua), time: t + 1 + g.gap * 20 }];
  }
}

function buildHistory(groups: GroupSpec[]): { ledger: FakeLedger; rows: Row[] } {
  const ledger = new FakeLedger();
  const rows: Row[] = [];
  let t = T0 + 400;
  groups.forEach((g, i) => {
    t += g.gap;
    const ls = legs(g, `R${i}`, t).map((l, j) => ({ ...l, id: `L${String(i).padStart(4, '0')}-${j}` }));
    rows.push(...(g.reverse ? ls.reverse() : ls));
  });
  for (const r of rows) ledger.add(r.id, rawRow(r), r.time);
  return { ledger, rows };
}

function drive(h: { ledger: FakeLedger; rows: Row[] }, ticks: TickSpec[], policy: FlowPolicy): ReconState {
  let state = stateWithBaseline(T0);
  let now = T0 + 300;
  runPoll(state, h.ledger, now, { policy });
  const last = Math.max(now, ...h.rows.map((r) => r.time));
  const schedule = [...ticks];
  // Until the poll window has passed the last row: every group has then taken its final verdict.
  while (schedule.length > 0 || windowStart(state, policy.lookbackSec) < last || state.poll.pending !== null) {
    const tick = schedule.shift() ?? { gap: policy.pollIntervalSec, maxPages: 1, restart: false, useCount: true };
    now += tick.gap;
    if (isPollDue(state, now, policy.pollIntervalSec)) runPoll(state, h.ledger, now, { maxPages: tick.maxPages, policy, useCount: tick.useCount });
    if (tick.restart) state = restoreReconState(JSON.parse(JSON.stringify(serializeReconState(state, now))) as unknown, policy.historyMax).state;
  }
  return state;
}

/** Everything the figures read; must be equal whatever the schedule. */
function figures(s: ReconState): unknown {
  return { baseline: s.baseline, totals: s.totals, unapplied: s.unapplied, skipped: s.skipped_rows, flows: s.flows.map((f) => `${f.ledger_id}:${f.category}:${f.net}`).sort(), groups: s.ledger.groups.size };
}

/** The account's pool balances after the history: start + every row on a pool asset-wallet. */
function truth(rows: Row[]): { base: string; quote: string } {
  let base = new Big(1000);
  let quote = new Big(100);
  for (const r of rows) {
    const net = new Big(r.amount).minus(r.fee);
    if (r.asset === 'XXDG' || r.asset === 'XDG.F') base = base.plus(net);
    else if (r.asset === 'ZUSD' || r.asset === 'USD.F') quote = quote.plus(net);
  }
  return { base: base.toString(), quote: quote.toString() };
}

describe('classification by refid group (properties)', () => {
  it('gives the same totals under any paging, poll split and restart as one clean read', () => {
    fc.assert(
      fc.property(fc.array(groupArb, { minLength: 30, maxLength: 160 }), fc.array(tickArb, { maxLength: 30 }), fc.boolean(), (groups, ticks, autoAdjust) => {
        const h = buildHistory(groups);
        const policy = { ...POLICY, autoAdjust };
        const clean = drive(h, [{ gap: 10_000, maxPages: 1000, restart: false, useCount: true }], policy);
        const messy = drive(h, ticks, policy);
        expect(figures(messy)).toEqual(figures(clean));
        expect(messy.ledger.groups.size).toBe(0);
      }),
      { numRuns: 120 },
    );
  });

  it('leaves only the unclassified rows in Unexplained, the roll-forward sums to current, and both modes agree', () => {
    fc.assert(
      fc.property(fc.array(groupArb, { minLength: 1, maxLength: 60 }), fc.array(tickArb, { maxLength: 20 }), fc.double({ min: 0.01, max: 5, noNaN: true }), (groups, ticks, price) => {
        const h = buildHistory(groups);
        const balances = truth(h.rows);
        const [auto, observe] = [true, false].map((autoAdjust) => {
          const s = drive(h, ticks, { ...POLICY, autoAdjust });
          return { s, r: reconcile({ price, balances, baseline: s.baseline, botPnlUsd: 0, pnlFromLedger: true, totals: s.totals, unapplied: s.unapplied, thresholdPct: 1, firstBaseline: s.ledger.first_baseline }) };
        });
        if (auto === undefined || observe === undefined) throw new Error('unreachable');
        const scale = Math.max(1, Math.abs(auto.r.current_doge_eq ?? 0));
        const unclassified = Number(baseEquivalent(auto.s.totals.unclassified.base, auto.s.totals.unclassified.quote, price));
        expect(Math.abs((auto.r.adjusted_drift_doge ?? NaN) - unclassified)).toBeLessThan(1e-9 * scale);
        expect(Math.abs((auto.r.adjusted_drift_doge ?? NaN) - (observe.r.adjusted_drift_doge ?? NaN))).toBeLessThan(1e-9 * scale);
        for (const { r } of [auto, observe]) {
          const rf = r.roll_forward;
          if (rf === null) throw new Error('roll_forward missing');
          const sum = rf.baseline + rf.pool_changes + rf.flows + rf.income + rf.bot_pnl + rf.unexplained;
          expect(Math.abs(sum - rf.current)).toBeLessThan(1e-9 * scale);
          expect(rf.unexplained).toBe(r.adjusted_drift_doge);
        }
      }),
      { numRuns: 100 },
    );
  });
});
