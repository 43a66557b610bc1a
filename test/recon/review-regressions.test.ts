// Regressions for defects found in review: each test fails on the code before its fix.
import { describe, expect, it } from 'vitest';
import { reconcile } from '../../src/recon/reconcile.js';
import { emptyReconState } from '../../src/recon/state.js';
import { restoreReconState, serializeReconState } from '../../src/recon/state-codec.js';
import { FakeLedger, POLICY, rawRow, runPoll, stateWithBaseline } from '../helpers/recon-fixtures.js';

const T0 = 1_700_000_000;
const roundTrip = (state: ReturnType<typeof stateWithBaseline>) =>
  restoreReconState(JSON.parse(JSON.stringify(serializeReconState(state, T0 + 9999))) as unknown, POLICY.historyMax);

describe('review regressions', () => {
  it('a dust baseline (3e-8) is saved as a plain decimal and survives a restart', () => {
    const state = emptyReconState();
    state.baseline = { doge: '1000.00000003', usd: '0', ts: T0, price: 0.1, pnl_source_at_baseline: null };
    const ledger = new FakeLedger();
    ledger.add('LW', rawRow({ type: 'withdrawal', time: T0 + 10, amount: '-999', fee: '1' }), T0 + 10);
    runPoll(state, ledger, T0 + 60);
    expect(state.baseline?.doge).toBe('0.00000003');
    const { state: back, repairs } = roundTrip(state);
    expect(repairs).toEqual([]);
    expect(back.baseline?.doge).toBe('0.00000003');
    expect(back.audit).toHaveLength(1);
  });

  it('a longer lookback after a restart never imports a row whose id was already forgotten', () => {
    const state = stateWithBaseline(T0);
    const ledger = new FakeLedger();
    ledger.add('LDEP', rawRow({ time: T0 + 100, amount: '50' }), T0 + 100);
    for (let t = 60; t <= 3000; t += 300) runPoll(state, ledger, T0 + t); // the deposit falls out of the window
    expect(state.seen.has('LDEP')).toBe(false);
    const { state: back } = roundTrip(state);
    runPoll(back, ledger, T0 + 3300, { policy: { ...POLICY, lookbackSec: 7200 } });
    expect(back.totals.count).toBe(1);
    expect(back.baseline?.doge).toBe('1050');
  });

  it('a saved state whose baseline is unusable restarts the flow bookkeeping too, keeping the nonce floor', () => {
    const state = stateWithBaseline(T0);
    const ledger = new FakeLedger();
    ledger.add('LDEP', rawRow({ time: T0 + 10, amount: '50' }), T0 + 10);
    runPoll(state, ledger, T0 + 60, { policy: { ...POLICY, autoAdjust: false } });
    state.nonce_floor = 123;
    const saved = JSON.parse(JSON.stringify(serializeReconState(state, T0))) as Record<string, unknown>;
    saved.baseline = { doge: 'garbage' };
    const { state: back } = restoreReconState(saved, 1000);
    expect(back.baseline).toBeNull();
    expect(back).toMatchObject({ cursor: null, flows: [], unapplied: { base: '0', quote: '0' }, nonce_floor: 123 });
    expect(back.totals.count).toBe(0);
  });

  it('a price of 0 or NaN makes the figures unknown instead of throwing', () => {
    const base = {
      balances: { base: '1', quote: '1' },
      baseline: { doge: '1', usd: '1', ts: T0, price: 1, pnl_source_at_baseline: 0 },
      botPnlUsd: 0,
      totals: { count: 1, base_in: '0', base_out: '0', quote_in: '5', quote_out: '0', adjustments: 0 },
      unapplied: { base: '0', quote: '5' },
      thresholdPct: 1,
    };
    for (const price of [0, Number.NaN, -1]) {
      const r = reconcile({ ...base, price });
      expect(r.status).toBe('unknown');
      expect(r.current_doge_eq).toBeNull();
    }
  });
});
