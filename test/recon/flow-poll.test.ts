import { describe, expect, it } from 'vitest';
import { applyLedgerPage, beginPoll, completePoll, isPollDue } from '../../src/recon/flow-poll.js';
import { FakeLedger, POLICY, rawRow, runPoll, stateWithBaseline } from '../helpers/recon-fixtures.js';

const T0 = 1_700_000_000;

describe('bootstrap', () => {
  it('starts the cursor at max(baseline ts, now − poll interval) and imports nothing at or before it', () => {
    const state = stateWithBaseline(T0);
    const ledger = new FakeLedger();
    ledger.add('LOLD', rawRow({ time: T0 - 10, amount: '500' }), T0 - 10); // before the baseline
    ledger.add('LEDGE', rawRow({ time: T0 + 100, amount: '7' }), T0 + 100); // exactly at the bootstrap cursor
    ledger.add('LNEW', rawRow({ time: T0 + 150, amount: '3' }), T0 + 150);
    const now = T0 + 400; // now − interval = T0 + 100 > baseline ts
    const { flows } = runPoll(state, ledger, now);
    expect(state.import_floor).toBe(T0 + 100);
    expect(flows.map((f) => f.ledger_id)).toEqual(['LNEW']);
    expect(state.baseline?.doge).toBe('1003');
  });

  it('a row of the baseline\'s second that the first poll\'s balances do not contain is imported; one they contain is not', () => {
    const state = stateWithBaseline(T0);
    beginPoll(state, T0, POLICY);
    expect(state.import_floor).toBe(T0);
    // The baseline read saw 1000 DOGE: LIN (balance 1000) is in it, LAFTER (balance 1005) was booked after it.
    const ledger = {
      LIN: rawRow({ time: T0 - 0.5, amount: '20', balance: '1000' }),
      LAFTER: rawRow({ time: T0, amount: '5', balance: '1005' }),
    };
    const read = { ts: T0, amounts: new Map([['DOGE.spot', '1000']]) };
    const page = applyLedgerPage(state, ledger, 0.1, T0, POLICY, null, read);
    expect(page.fresh).toBe(1);
    expect(state.ledger.held.map((r) => r.id)).toEqual(['LAFTER']); // booked once the balances show it
    const later = { ts: T0 + 30, amounts: new Map([['DOGE.spot', '1005']]) };
    completePoll(state, T0 + 30, POLICY);
    beginPoll(state, T0 + 30, POLICY);
    const again = applyLedgerPage(state, ledger, 0.1, T0 + 30, POLICY, null, later);
    expect(again.newFlows.map((f) => f.ledger_id)).toEqual(['LAFTER']);
    expect(state.baseline?.doge).toBe('1005');
    expect(state.totals.count).toBe(1);
  });

  it('after the first complete poll, rows at or before the floor stay out whatever the balances say', () => {
    const state = stateWithBaseline(T0);
    beginPoll(state, T0, POLICY);
    applyLedgerPage(state, {}, 0.1, T0, POLICY, null, { ts: T0, amounts: new Map([['DOGE.spot', '1000']]) });
    completePoll(state, T0, POLICY);
    beginPoll(state, T0 + 30, POLICY);
    const page = applyLedgerPage(state, { LOLD: rawRow({ time: T0, amount: '5', balance: '1005' }) }, 0.1, T0 + 30, POLICY, null, { ts: T0 + 1, amounts: new Map([['DOGE.spot', '1000']]) });
    expect(page.fresh).toBe(0);
  });

  it('uses the baseline time when it is the later of the two', () => {
    const state = stateWithBaseline(T0);
    beginPoll(state, T0 + 10, POLICY);
    expect(state.cursor).toBe(T0);
  });
});

describe('exactly once', () => {
  it('applies a row once across overlapping polls, duplicate pages and restarts of the poll', () => {
    const state = stateWithBaseline(T0);
    const ledger = new FakeLedger();
    ledger.add('LDEP', rawRow({ time: T0 + 5, amount: '10' }), T0 + 5);
    expect(runPoll(state, ledger, T0 + 60).flows).toHaveLength(1);
    // The next polls re-read the same row inside the lookback window.
    expect(runPoll(state, ledger, T0 + 400).flows).toHaveLength(0);
    expect(runPoll(state, ledger, T0 + 800).flows).toHaveLength(0);
    expect(state.baseline?.doge).toBe('1010');
    expect(state.totals.count).toBe(1);
  });

  it('pages through more than 50 rows per poll and finds flows on later pages', () => {
    const state = stateWithBaseline(T0);
    const ledger = new FakeLedger();
    ledger.add('LDEP-OLDEST', rawRow({ time: T0 + 1, amount: '1' }), T0 + 1); // lands on page 3
    for (let i = 0; i < 120; i++) ledger.add(`LTRADE${i}`, rawRow({ type: 'trade', time: T0 + 2 + i / 100, amount: '-1' }), T0 + 2 + i / 100);
    const { flows, pages } = runPoll(state, ledger, T0 + 60);
    expect(pages).toBe(3);
    expect(flows.map((f) => f.ledger_id)).toEqual(['LDEP-OLDEST']);
  });

  it('resumes the same window on the next tick when the page limit stops it, without moving the cursor', () => {
    const state = stateWithBaseline(T0);
    const ledger = new FakeLedger();
    for (let i = 0; i < 75; i++) ledger.add(`LD${i}`, rawRow({ time: T0 + 1 + i, amount: '1' }), T0 + 1 + i);
    const first = runPoll(state, ledger, T0 + 100, { maxPages: 1 });
    expect(first).toMatchObject({ complete: false, pages: 1 });
    expect(state.cursor).toBe(T0);
    const window = state.poll.pending;
    // A row arriving after the window's fixed end must not shift the offsets of the poll in progress.
    ledger.add('LLATE', rawRow({ time: T0 + 101, amount: '1000' }), T0 + 101);
    const second = runPoll(state, ledger, T0 + 130);
    expect(second.complete).toBe(true);
    expect(state.poll.pending).toBeNull();
    expect(window?.end).toBe(T0 + 100);
    expect(first.flows.length + second.flows.length).toBe(75);
    expect(state.cursor).toBe(T0 + 75);
    expect(runPoll(state, ledger, T0 + 500).flows.map((f) => f.ledger_id)).toEqual(['LLATE']);
    expect(state.totals.count).toBe(76);
  });

  it('ends a poll on a full last page when Kraken\'s count says nothing is left', () => {
    const state = stateWithBaseline(T0);
    const ledger = new FakeLedger();
    for (let i = 0; i < 100; i++) ledger.add(`LT${i}`, rawRow({ type: 'trade', time: T0 + 1 + i }), T0 + 1 + i);
    expect(runPoll(state, ledger, T0 + 200, { useCount: true }).pages).toBe(2);
    expect(runPoll(stateWithBaseline(T0), ledger, T0 + 200).pages).toBe(3); // without a count: one empty page more
  });

  it('does not re-read an old burst forever in a quiet account: the window follows the last poll\'s end', () => {
    const state = stateWithBaseline(T0);
    const ledger = new FakeLedger();
    for (let i = 0; i < 120; i++) ledger.add(`LT${i}`, rawRow({ type: 'trade', time: T0 + 10 }), T0 + 10);
    // Each window starts 900 s before the previous poll's end; the burst is re-read until it falls behind that.
    const pages = [60, 400, 700, 1000, 1300, 1600].map((t) => runPoll(state, ledger, T0 + t).pages);
    expect(pages).toEqual([3, 3, 3, 3, 1, 1]);
    expect(state.cursor).toBe(T0 + 10);
    expect(state.totals.count).toBe(0);
  });

  it('keeps seen ids only while a window can still return them', () => {
    const state = stateWithBaseline(T0);
    const ledger = new FakeLedger();
    for (let i = 0; i < 10; i++) ledger.add(`LT${i}`, rawRow({ type: 'trade', time: T0 + 1 + i * 100 }), T0 + 1 + i * 100);
    runPoll(state, ledger, T0 + 1000);
    const cursor = state.cursor ?? 0;
    for (const time of state.seen.values()) expect(time).toBeGreaterThan(cursor - POLICY.lookbackSec - 1);
    expect(state.seen.size).toBeLessThan(10);
  });
});

describe('cursor', () => {
  it('never moves backwards, even when a poll only sees older rows', () => {
    const state = stateWithBaseline(T0);
    const ledger = new FakeLedger();
    ledger.add('LT1', rawRow({ type: 'trade', time: T0 + 2000 }), T0 + 2000);
    runPoll(state, ledger, T0 + 2100);
    expect(state.cursor).toBe(T0 + 2000);
    ledger.rows.length = 0;
    ledger.add('LT0', rawRow({ type: 'trade', time: T0 + 1500 }), T0 + 1500);
    runPoll(state, ledger, T0 + 2500);
    expect(state.cursor).toBe(T0 + 2000);
  });

  it('is due when the interval passed or a poll is in progress', () => {
    const state = stateWithBaseline(T0);
    expect(isPollDue(state, T0, 300)).toBe(true);
    runPoll(state, new FakeLedger(), T0 + 10);
    expect(isPollDue(state, T0 + 100, 300)).toBe(false);
    expect(isPollDue(state, T0 + 310, 300)).toBe(true);
  });
});

describe('classification while polling', () => {
  it('nets a failed withdrawal and its reversal to zero, counting the reversal as an inflow', () => {
    const state = stateWithBaseline(T0);
    const ledger = new FakeLedger();
    ledger.add('LW', rawRow({ type: 'withdrawal', time: T0 + 10, amount: '-200', fee: '2' }), T0 + 10);
    ledger.add('LWR', rawRow({ type: 'withdrawal', time: T0 + 20, amount: '200', fee: '-2' }), T0 + 20);
    runPoll(state, ledger, T0 + 60);
    expect(state.baseline?.doge).toBe('1000');
    expect(state.totals).toMatchObject({ count: 2, base_in: '202', base_out: '202' });
  });

  it('uses amount − fee as the balance effect', () => {
    const state = stateWithBaseline(T0);
    const ledger = new FakeLedger();
    ledger.add('LW', rawRow({ type: 'withdrawal', asset: 'ZUSD', time: T0 + 10, amount: '-50.0000', fee: '5.0000' }), T0 + 10);
    const { flows } = runPoll(state, ledger, T0 + 60, { price: 0.1 });
    expect(flows[0]).toMatchObject({ net: '-55', side: 'quote', doge_eq: -550 });
    expect(state.baseline?.usd).toBe('45');
  });

  it('skips and counts other assets, earn wallets and malformed rows once each, and never applies them', () => {
    const state = stateWithBaseline(T0);
    const ledger = new FakeLedger();
    ledger.add('LBTC', rawRow({ asset: 'XXBT', time: T0 + 10 }), T0 + 10);
    ledger.add('LEARN', rawRow({ asset: 'XDG.S', time: T0 + 11 }), T0 + 11);
    ledger.add('LBAD', rawRow({ time: T0 + 12, amount: 'abc' }), T0 + 12);
    ledger.add('', rawRow({ time: T0 + 13 }), T0 + 13);
    runPoll(state, ledger, T0 + 60);
    runPoll(state, ledger, T0 + 400); // overlapping window re-reads all four
    expect(state.skipped_rows).toEqual({ other_asset: 1, earn_wallet: 1, malformed_amount: 1, malformed_missing_id: 1 });
    expect(state.baseline).toMatchObject({ doge: '1000', usd: '100' });
    expect(state.totals.count).toBe(0);
  });
});

describe('observe-only mode', () => {
  it('records flows without moving the baseline', () => {
    const state = stateWithBaseline(T0);
    const ledger = new FakeLedger();
    ledger.add('LDEP', rawRow({ time: T0 + 10, amount: '10' }), T0 + 10);
    const { flows } = runPoll(state, ledger, T0 + 60, { policy: { ...POLICY, autoAdjust: false } });
    expect(flows[0]?.applied).toBe(false);
    expect(state.baseline?.doge).toBe('1000');
    expect(state.unapplied.base).toBe('10');
    expect(state.audit).toHaveLength(0);
  });
});

describe('a poll deferred before its first page', () => {
  it('reads up to the time its first page is sent, so rows booked while it waited need no second poll', () => {
    const state = stateWithBaseline(T0);
    const ledger = new FakeLedger();
    // The poll is begun at T0 + 10 but its page does not fit the budget until T0 + 40.
    const first = beginPoll(state, T0 + 10, POLICY);
    expect(first.end).toBe(T0 + 10);
    ledger.add('LWAIT', rawRow({ time: T0 + 25, amount: '4' }), T0 + 25);
    const { flows, complete } = runPoll(state, ledger, T0 + 40);
    expect(complete).toBe(true);
    expect(flows.map((f) => f.ledger_id)).toEqual(['LWAIT']);
    expect(state.poll.last_end).toBe(T0 + 39);
    expect(state.baseline?.doge).toBe('1004');
  });

  it('keeps the end of a poll that has read a page (its offsets depend on it)', () => {
    const state = stateWithBaseline(T0);
    const ledger = new FakeLedger();
    for (let i = 0; i < 60; i++) ledger.add(`L${i}`, rawRow({ time: T0 + 1 + i / 100, amount: '1' }), T0 + 1 + i / 100);
    const { complete } = runPoll(state, ledger, T0 + 10, { maxPages: 1 });
    expect(complete).toBe(false);
    expect(beginPoll(state, T0 + 40, POLICY).end).toBe(T0 + 10);
  });
});
