// DESIGN.md section 15, bad input: each case is counted, named, and never moves a figure twice.
import { describe, expect, it } from 'vitest';
import { applyLedgerPage, beginPoll, failPoll } from '../../src/recon/flow-poll.js';
import type { ReconState } from '../../src/recon/state.js';
import { restoreReconState, serializeReconState } from '../../src/recon/state-codec.js';
import { FakeLedger, POLICY, rawRow, runPoll, stateWithBaseline, type RawRow } from '../helpers/recon-fixtures.js';

const T0 = 1_700_000_000;
function setup(): { state: ReconState; ledger: FakeLedger; add: (id: string, o: Partial<RawRow>) => void } {
  const state = stateWithBaseline(T0);
  const ledger = new FakeLedger();
  runPoll(state, ledger, T0 + 300); // bootstrap: cursor at the baseline
  return { state, ledger, add: (id, o) => ledger.add(id, rawRow(o), o.time ?? T0 + 400) };
}
const restart = (s: ReconState): ReconState => restoreReconState(JSON.parse(JSON.stringify(serializeReconState(s, T0))) as unknown, 1000).state;
const alloc = (asset: string, amount: string, time: number): Partial<RawRow> => ({ refid: 'AE-1', type: 'transfer', subtype: 'autoallocate', asset, amount, time });

describe('bad input and faults', () => {
  it('an Auto Earn pair whose legs arrive in different polls, across a restart, is one internal move', () => {
    const { state: first, ledger, add } = setup();
    add('L1', alloc('ZUSD', '-25.0000', T0 + 400));
    runPoll(first, ledger, T0 + 600);
    expect(first.ledger.groups.get('AE-1')?.verdict).toEqual(['awaiting']);
    const state = restart(first);
    add('L2', alloc('USD.F', '25.0000', T0 + 650)); // written late
    runPoll(state, ledger, T0 + 900);
    expect(state.totals.internal_moves).toBe(1);
    expect(state.flows).toEqual([]);
    expect(state.baseline).toMatchObject({ doge: '1000', usd: '100' });
  });

  it('an earn move whose partner never comes is an external flow once the window has passed it', () => {
    const { state, ledger, add } = setup();
    add('L1', alloc('ZUSD', '-25.0000', T0 + 400));
    for (let t = T0 + 600; t <= T0 + 3000; t += 300) runPoll(state, ledger, t);
    expect(state.flows.map((f) => [f.ledger_id, f.category])).toEqual([['L1', 'external']]);
    expect(state.baseline?.usd).toBe('75');
    expect(state.ledger.groups.size).toBe(0);
  });

  it('a trade group with one leg (the fiat leg rounded away) is trading', () => {
    const { state, ledger, add } = setup();
    add('L1', { type: 'trade', asset: 'XXDG', amount: '-0.00000100', refid: 'T1' });
    runPoll(state, ledger, T0 + 600);
    expect(state.totals.trading).toEqual({ base: '-0.000001', quote: '0' });
    expect(state.totals.count).toBe(0);
  });

  it('a failed withdrawal and its reversal with a negative fee net to zero, each row once', () => {
    const { state, ledger, add } = setup();
    add('L1', { type: 'withdrawal', asset: 'XXDG', amount: '-300', fee: '4', refid: 'W1', time: T0 + 400 });
    runPoll(state, ledger, T0 + 600);
    add('L2', { type: 'withdrawal', asset: 'XXDG', amount: '300', fee: '-4', refid: 'W1', time: T0 + 700 });
    runPoll(state, ledger, T0 + 900);
    runPoll(state, ledger, T0 + 1200); // overlapping windows read both again
    expect(state.baseline?.doge).toBe('1000');
    expect(state.totals).toMatchObject({ count: 2, base_in: '304', base_out: '304' });
  });

  it('an unseen wallet suffix is skipped and named; .F codes in every spelling are in the pool', () => {
    const { state, ledger, add } = setup();
    add('L1', { type: 'deposit', asset: 'XDG.Z', amount: '9' });
    ['XDG.F', 'DOGE.F', 'XXDG.F', 'xdg.f'].forEach((asset, i) => add(`LD${i}`, { type: 'earn', subtype: 'reward', asset, amount: '1' }));
    ['USD.F', 'ZUSD.F'].forEach((asset, i) => add(`LU${i}`, { type: 'earn', subtype: 'reward', asset, amount: '0.5' }));
    runPoll(state, ledger, T0 + 600);
    expect(state.skipped_rows).toEqual({ 'unknown_wallet:Z': 1 });
    expect(state.totals.income).toEqual({ base: '4', quote: '1', count: 6 });
    expect(state.flows.every((f) => f.category === 'income' && f.wallet === 'F')).toBe(true);
  });

  it('a malformed row in a group is counted; the group is decided from its valid rows', () => {
    const { state, ledger, add } = setup();
    add('L1', { type: 'trade', asset: 'XXDG', amount: '100', refid: 'T1' });
    add('L2', { type: 'trade', asset: 'ZUSD', amount: 'ten', refid: 'T1' });
    runPoll(state, ledger, T0 + 600);
    expect(state.skipped_rows).toEqual({ malformed_amount: 1 });
    expect(state.totals.trading).toEqual({ base: '100', quote: '0' });
  });

  it('a poll failing between the pages holding a group\'s legs books the group once', () => {
    const { state, ledger, add } = setup();
    // 49 deposits fill page one with one leg of the trade (newest first); the other leg is on page two.
    for (let i = 0; i < 49; i++) add(`D${i}`, { type: 'deposit', asset: 'XXDG', amount: '1', time: T0 + 500 + i });
    add('TA', { type: 'trade', asset: 'XXDG', amount: '-10', refid: 'T1', time: T0 + 450 });
    add('TB', { type: 'trade', asset: 'XXBT', amount: '0.001', refid: 'T1', time: T0 + 450 });
    runPoll(state, ledger, T0 + 600, { maxPages: 1 });
    failPoll(state, 'Ledgers: HTTP 502');
    const again = restart(state);
    runPoll(again, ledger, T0 + 630);
    expect(again.totals).toMatchObject({ count: 50, trading: { base: '0', quote: '0' } });
    expect(again.baseline?.doge).toBe('1039'); // 49 deposits, and the DOGE leg of a trade on another pair
    expect(again.skipped_rows).toEqual({ other_asset: 1 });
  });

  it('Kraken\'s count changing between pages stops the poll as incomplete', () => {
    const { state, ledger, add } = setup();
    for (let i = 0; i < 60; i++) add(`D${i}`, { type: 'deposit', asset: 'XXDG', amount: '1', time: T0 + 400 + i });
    const pending = beginPoll(state, T0 + 600, POLICY);
    const q1 = ledger.query(pending.start, pending.end, 0);
    applyLedgerPage(state, q1.ledger, 0.1, T0 + 600, POLICY, q1.count);
    add('LATE', { type: 'deposit', asset: 'XXDG', amount: '1', time: T0 + 401 });
    const q2 = ledger.query(pending.start, pending.end, 50);
    const r = applyLedgerPage(state, q2.ledger, 0.1, T0 + 600, POLICY, q2.count);
    expect(r.countChanged).toEqual({ from: 60, to: 61 });
    expect(state.poll).toMatchObject({ pending: null, ok: false });
    runPoll(state, ledger, T0 + 630, { useCount: true });
    expect(state.totals.count).toBe(61);
  });
});
