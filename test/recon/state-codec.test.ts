import { describe, expect, it } from 'vitest';
import { restoreReconState, serializeReconState } from '../../src/recon/state-codec.js';
import { FakeLedger, POLICY, rawRow, runPoll, stateWithBaseline } from '../helpers/recon-fixtures.js';

const T0 = 1_700_000_000;

function busyState() {
  const state = stateWithBaseline(T0);
  const ledger = new FakeLedger();
  ledger.add('LD1', rawRow({ time: T0 + 10, amount: '25' }), T0 + 10);
  ledger.add('LBAD', rawRow({ time: T0 + 11, fee: 'x' }), T0 + 11);
  for (let i = 0; i < 60; i++) ledger.add(`LT${i}`, rawRow({ type: 'trade', time: T0 + 12 + i }), T0 + 12 + i);
  runPoll(state, ledger, T0 + 100);
  runPoll(state, ledger, T0 + 500, { maxPages: 1 }); // leaves a poll in progress
  state.nonce_floor = 1_700_000_500_123;
  return state;
}

describe('recon state round trip', () => {
  it('survives JSON and comes back equal', () => {
    const state = busyState();
    const json = JSON.parse(JSON.stringify(serializeReconState(state, T0 + 600))) as unknown;
    const { state: back, repairs } = restoreReconState(json, POLICY.historyMax);
    expect(repairs).toEqual([]);
    expect(back).toEqual({ ...state, saved_ts: T0 + 600 });
    expect(back.poll.pending).not.toBeNull();
    expect(back.seen.size).toBe(state.seen.size);
  });

  it('loads an older snapshot that lacks newer keys', () => {
    const old = { baseline: { doge: '10', usd: '2', ts: T0 }, cursor: T0 + 5 };
    const { state, repairs } = restoreReconState(old, 1000);
    expect(repairs).toEqual([]);
    expect(state.baseline).toEqual({ doge: '10', usd: '2', ts: T0, price: 0, pnl_source_at_baseline: null });
    expect(state.cursor).toBe(T0 + 5);
    expect(state.flows).toEqual([]);
    expect(state.totals.count).toBe(0);
    expect(state.poll.pending).toBeNull();
  });

  it('sanitises types, drops bad entries with a note, and caps lists', () => {
    const flows = Array.from({ length: 30 }, (_, i) => ({ ledger_id: `L${i}`, time: T0 + i, net: '1', side: 'base', applied: true }));
    const raw = {
      baseline: { doge: '10', usd: '2', ts: T0 },
      seen: [['LA', T0], ['LB', 'x'], 42],
      flows: [...flows, { ledger_id: 7 }, { ledger_id: 'LX', time: T0, net: 'NaN', side: 'base' }],
      audit: 'nope',
      totals: { count: 'many', base_in: '1e400x' },
      skipped_rows: { malformed_fee: 2, junk: 'x' },
      poll: { ok: 'yes', pending: { start: 'a' } },
    };
    const { state, repairs } = restoreReconState(raw, 10);
    expect(state.flows).toHaveLength(10);
    expect(state.flows[0]?.ledger_id).toBe('L20');
    expect([...state.seen.keys()]).toEqual(['LA']);
    expect(state.audit).toEqual([]);
    expect(state.totals.base_in).toBe('0');
    expect(state.skipped_rows).toEqual({ malformed_fee: 2 });
    expect(state.poll.ok).toBeNull();
    expect(state.poll.pending).toBeNull();
    expect(repairs).toEqual(expect.arrayContaining(['dropped 2 malformed flows']));
  });

  it('starts fresh from garbage without throwing', () => {
    for (const raw of ['text', 42, [], { baseline: 'x', cursor: T0 }]) {
      const { state } = restoreReconState(raw, 1000);
      expect(state.baseline).toBeNull();
      expect(state.cursor).toBeNull();
    }
  });
});
