import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { isKnownWallet } from '../../src/kraken/assets.js';
import { poolBalances } from '../../src/bot/pool-balances.js';
import { accountedAfterPoll, balanceFingerprint, pollReason } from '../../src/recon/poll-trigger.js';
import { applyPoolChange } from '../../src/recon/pool-change.js';
import { reconcile } from '../../src/recon/reconcile.js';
import { restoreReconState, serializeReconState } from '../../src/recon/state-codec.js';
import { stateWithBaseline } from '../helpers/recon-fixtures.js';

const PAIR = { base: 'DOGE', quote: 'USD' };

describe('pool balances (EQUITY_WALLETS)', () => {
  it('sums every spelling of the pair in the pool wallets and lists every wallet', () => {
    const b = poolBalances(
      { XXDG: '100', 'XDG.F': '5', 'DOGE.F': '1', ZUSD: '10', 'USD.F': '2.5', 'USD.HOLD': '7', 'XDG.S': '50', 'XDG.Q': '3', XXBT: '1' },
      PAIR,
      ['spot', 'F'],
      isKnownWallet,
    );
    expect(b.pool).toEqual({ base: '106', quote: '12.5' });
    expect(b.wallets).toEqual({ spot: { base: '100', quote: '10' }, F: { base: '6', quote: '2.5' }, HOLD: { base: '0', quote: '7' }, S: { base: '50', quote: '0' }, Q: { base: '3', quote: '0' } });
    expect(b.unseenWallets).toEqual(['Q']);
  });
});

describe('poll on change', () => {
  const base = { pending: false, lastPollTs: 1000, now: 1030, intervalSec: 300, accounted: 'spot:1:2' };
  it('polls when the fresh balances differ from the last complete poll, the interval passed, or a poll is open', () => {
    expect(pollReason({ ...base, fresh: 'spot:1:2' })).toBeNull(); // a quiet account: no Ledgers call
    expect(pollReason({ ...base, fresh: null })).toBeNull(); // no fresh balances this tick
    expect(pollReason({ ...base, fresh: 'spot:1:3' })).toBe('balances_changed');
    expect(pollReason({ ...base, fresh: 'spot:1:2', now: 1300 })).toBe('interval');
    expect(pollReason({ ...base, fresh: 'spot:1:2', pending: true })).toBe('in_progress');
  });
  it('the fingerprint ignores trailing zeros and wallets outside the pool', () => {
    expect(balanceFingerprint({ spot: { base: '1.50', quote: '2' }, S: { base: '9', quote: '0' } }, ['spot', 'F'])).toBe(
      balanceFingerprint({ spot: { base: '1.5', quote: '2.0000' } }, ['spot', 'F']),
    );
  });
});

describe('pool changes', () => {
  it('wallets entering and leaving move the baseline by their balances, with audit entries, never drift', () => {
    const state = stateWithBaseline(); // 1000 DOGE, 100 USD, pool spot,F
    state.ledger.pool = ['spot'];
    const wallets = { spot: { base: '1000', quote: '100' }, F: { base: '40', quote: '25' }, S: { base: '7', quote: '0' } };
    const before = reconcile({ price: 0.1, balances: { base: '1065', quote: '125' }, baseline: state.baseline, botPnlUsd: 0, totals: state.totals, unapplied: state.unapplied, thresholdPct: 1 });
    expect(before.adjusted_drift_doge).not.toBe(0);
    expect(applyPoolChange(state, wallets, ['spot', 'F'], 1_700_000_500, 100, PAIR)).toEqual({ entered: ['F'], left: [] });
    expect(state.baseline).toMatchObject({ doge: '1040', usd: '125' });
    expect(state.totals.pool_changes).toEqual({ base: '40', quote: '25' });
    expect(state.audit.map((a) => a.ledger_id)).toEqual(['(pool change)', '(pool change)']);
    const after = reconcile({ price: 0.1, balances: { base: '1040', quote: '125' }, baseline: state.baseline, botPnlUsd: 0, totals: state.totals, unapplied: state.unapplied, thresholdPct: 1, firstBaseline: state.ledger.first_baseline });
    expect(after.adjusted_drift_doge).toBe(0);
    expect(after.roll_forward).toMatchObject({ baseline: 2000, pool_changes: 290, unexplained: 0, current: 2290 });
    // Applying the same pool again changes nothing; leaving moves it back.
    expect(applyPoolChange(state, wallets, ['spot', 'F'], 1_700_000_600, 100, PAIR).entered).toEqual([]);
    applyPoolChange(state, wallets, ['spot'], 1_700_000_700, 100, PAIR);
    expect(state.baseline).toMatchObject({ doge: '1000', usd: '100' });
  });
});

describe('a state saved by the version before section 15 (main 20960be)', () => {
  it('loads cleanly: spot-only pool, first baseline rebuilt from the applied flows, new totals at zero', async () => {
    // Produced by running main's daemon against main's simulator (a deposit, a withdrawal, one trade).
    const raw = JSON.parse(await readFile(new URL('../fixtures/recon-state-main-20960be.json', import.meta.url), 'utf8')) as unknown;
    const { state, repairs } = restoreReconState(raw, 1000);
    expect(repairs).toEqual([]);
    expect(state.baseline).toMatchObject({ doge: '10250', usd: '959.5' });
    expect(state.ledger.pool).toEqual(['spot']);
    expect(state.ledger.first_baseline).toEqual({ doge: '10000', usd: '1000' });
    expect(state.flows.every((f) => f.category === 'external' && f.wallet === 'spot')).toBe(true);
    expect(state.totals).toMatchObject({ count: 2, income: { base: '0', quote: '0', count: 0 }, trading: { base: '0', quote: '0' }, internal_moves: 0, unclassified: { rows: 0, types: {} } });
    // It survives a save and a load in the new format unchanged.
    const again = restoreReconState(JSON.parse(JSON.stringify(serializeReconState(state, 1))) as unknown, 1000);
    expect(again.repairs).toEqual([]);
    expect(again.state).toEqual({ ...state, saved_ts: 1 });
  });
});

describe('a ledger row that lags its balance change', () => {
  it('a balance change whose poll found no row is polled once more, then counts as accounted', () => {
    expect(accountedAfterPoll('a', 'b', 0, false)).toEqual({ accounted: 'a', retried: true });
    expect(accountedAfterPoll('a', 'b', 0, true)).toEqual({ accounted: 'b', retried: false });
    expect(accountedAfterPoll('a', 'b', 2, false)).toEqual({ accounted: 'b', retried: false });
    expect(accountedAfterPoll(null, 'b', 0, false)).toEqual({ accounted: 'b', retried: false });
    expect(accountedAfterPoll('a', null, 0, false)).toEqual({ accounted: 'a', retried: false });
  });
});
