import { describe, expect, it } from 'vitest';
import { applyUnappliedFlows } from '../../src/recon/baseline.js';
import { reconcile, type ReconInput } from '../../src/recon/reconcile.js';
import { emptyReconState } from '../../src/recon/state.js';
import { FakeLedger, POLICY, rawRow, runPoll, stateWithBaseline } from '../helpers/recon-fixtures.js';

const T0 = 1_700_000_000;

function input(overrides: Partial<ReconInput> = {}): ReconInput {
  return {
    price: 0.1,
    balances: { base: '1000', quote: '100' },
    baseline: { doge: '1000', usd: '100', ts: T0, price: 0.1, pnl_source_at_baseline: 0 },
    botPnlUsd: 0,
    totals: emptyReconState().totals,
    unapplied: { base: '0', quote: '0' },
    thresholdPct: 1,
    ...overrides,
  };
}

describe('reconcile (DESIGN.md section 7)', () => {
  it('values both sides at the current price, so a price move alone is not drift', () => {
    const r = reconcile(input({ price: 0.2 }));
    expect(r.current_doge_eq).toBe(1500); // 1000 + 100/0.2
    expect(r.baseline_doge_eq).toBe(1500);
    expect(r.drift_doge).toBe(0);
    expect(r.status).toBe('ok');
  });

  it('subtracts the bot P&L (USD) at the current price', () => {
    // The bot made 5 USD: 50 DOGE-eq at 0.1. Balances show exactly that.
    const r = reconcile(input({ balances: { base: '1000', quote: '105' }, botPnlUsd: 5 }));
    expect(r.bot_pnl_doge_eq).toBe(50);
    expect(r.drift_doge).toBe(0);
  });

  it('computes drift and its percentage by hand, and warns over the threshold', () => {
    // 30 DOGE vanished from a 2000 DOGE-eq account: −1.5 %.
    const r = reconcile(input({ balances: { base: '970', quote: '100' } }));
    expect(r.drift_doge).toBe(-30);
    expect(r.drift_pct).toBe(-1.5);
    expect(r.status).toBe('warn');
    expect(r.adjusted_status).toBe('warn');
  });

  it('is unknown before the first balances and price', () => {
    expect(reconcile(input({ balances: null })).status).toBe('unknown');
    expect(reconcile(input({ price: null })).adjusted_status).toBe('unknown');
    expect(reconcile(input({ baseline: null })).drift_doge).toBeNull();
  });

  it('values flow totals at the current price and keeps deposits and withdrawals apart', () => {
    const totals = { count: 3, base_in: '100', base_out: '40', quote_in: '0', quote_out: '2', adjustments: 0 };
    const r = reconcile(input({ totals, price: 0.5 }));
    expect(r.deposits_doge_eq).toBe(100);
    expect(r.withdrawals_doge_eq).toBe(44); // 40 + 2/0.5
    expect(r.external_flows_doge_eq).toBe(56);
  });
});

describe('both modes give the same adjusted drift', () => {
  const history = (): FakeLedger => {
    const ledger = new FakeLedger();
    ledger.add('LD1', rawRow({ time: T0 + 10, amount: '500' }), T0 + 10);
    ledger.add('LW1', rawRow({ type: 'withdrawal', asset: 'ZUSD', time: T0 + 20, amount: '-30.0000', fee: '1.0000' }), T0 + 20);
    return ledger;
  };
  // After the flows the account holds 1500 DOGE and 69 USD; the bot lost 7 DOGE nobody can explain.
  const balances = { base: '1493', quote: '69' };

  for (const price of [0.1, 0.37]) {
    it(`at price ${price}`, () => {
      const auto = stateWithBaseline(T0);
      const observe = stateWithBaseline(T0);
      runPoll(auto, history(), T0 + 60);
      runPoll(observe, history(), T0 + 60, { policy: { ...POLICY, autoAdjust: false } });
      const figures = [auto, observe].map((s) =>
        reconcile(input({ price, balances, baseline: s.baseline, totals: s.totals, unapplied: s.unapplied })),
      );
      const [a, o] = figures;
      expect(a?.adjusted_drift_doge).toBeCloseTo(-7, 9);
      expect(o?.adjusted_drift_doge).toBeCloseTo(-7, 9);
      expect(a?.adjusted_drift_pct).toBeCloseTo(o?.adjusted_drift_pct ?? NaN, 9);
      // Legacy drift differs: observe-only still sees the deposit and the withdrawal in it.
      expect(o?.drift_doge).toBeCloseTo(-7 + 500 - 31 / price, 9);
      expect(a?.drift_doge).toBeCloseTo(-7, 9);
    });
  }
});

describe('baseline adjustment', () => {
  it('writes an audit entry per flow: deposits raise the baseline, withdrawals lower it', () => {
    const state = stateWithBaseline(T0);
    const ledger = new FakeLedger();
    ledger.add('LD1', rawRow({ time: T0 + 10, amount: '25.5' }), T0 + 10);
    ledger.add('LW1', rawRow({ type: 'withdrawal', time: T0 + 20, amount: '-10', fee: '0.5' }), T0 + 20);
    runPoll(state, ledger, T0 + 60);
    expect(state.audit).toEqual([
      expect.objectContaining({ ledger_id: 'LD1', asset: 'DOGE', net: '25.5', before: '1000', after: '1025.5', ts: T0 + 60 }),
      expect.objectContaining({ ledger_id: 'LW1', asset: 'DOGE', net: '-10.5', before: '1025.5', after: '1015', ts: T0 + 60 }),
    ]);
    expect(state.baseline?.ts).toBe(T0); // adjusting moves amounts, not time
    expect(state.totals.adjustments).toBe(2);
  });

  it('switching auto-adjust on applies the flows observed while it was off, once', () => {
    const state = stateWithBaseline(T0);
    const ledger = new FakeLedger();
    ledger.add('LD1', rawRow({ time: T0 + 10, amount: '40' }), T0 + 10);
    ledger.add('LD2', rawRow({ asset: 'ZUSD', time: T0 + 11, amount: '3.0000' }), T0 + 11);
    runPoll(state, ledger, T0 + 60, { policy: { ...POLICY, autoAdjust: false } });
    expect(applyUnappliedFlows(state, T0 + 100, 1000, { base: 'DOGE', quote: 'USD' })).toBe(2);
    expect(state.baseline).toMatchObject({ doge: '1040', usd: '103' });
    expect(state.unapplied).toEqual({ base: '0', quote: '0' });
    expect(state.flows.every((f) => f.applied)).toBe(true);
    expect(applyUnappliedFlows(state, T0 + 200, 1000, { base: 'DOGE', quote: 'USD' })).toBe(0);
    expect(state.baseline).toMatchObject({ doge: '1040', usd: '103' });
  });

  it('applies flows that fell out of the capped history as one aggregate entry', () => {
    const state = stateWithBaseline(T0);
    const ledger = new FakeLedger();
    for (let i = 0; i < 15; i++) ledger.add(`LD${i}`, rawRow({ time: T0 + 10 + i, amount: '1' }), T0 + 10 + i);
    runPoll(state, ledger, T0 + 60, { policy: { ...POLICY, autoAdjust: false, historyMax: 10 } });
    expect(state.flows).toHaveLength(10);
    applyUnappliedFlows(state, T0 + 100, 10, { base: 'DOGE', quote: 'USD' });
    expect(state.baseline?.doge).toBe('1015');
    expect(state.audit.at(-1)).toMatchObject({ ledger_id: '(older flows)', asset: 'DOGE', net: '5' });
  });
});
