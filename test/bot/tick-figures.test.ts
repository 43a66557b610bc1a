import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/bot/config.js';
import { TickFigures, type FiguresInput } from '../../src/bot/tick-figures.js';
import { stateWithBaseline } from '../helpers/recon-fixtures.js';

// A balance read that contains a deposit the ledger rows do not have yet must not be shown as drift: the tick
// keeps the last figures both covered. The read's midpoint is not enough to judge that (a slow Balance call can
// reflect rows booked after it): coverage is judged at the answer's arrival.
describe('TickFigures: rows must reach the latest moment a balance read can reflect', () => {
  const config = loadConfig({ FLOW_DETECTION_ENABLED: 'true' });
  const T = 1_700_000_000;
  const input = (read: FiguresInput['read'], balances: { base: string; quote: string }, lastEnd: number, now: number): FiguresInput => {
    const state = stateWithBaseline(T - 3600);
    state.poll = { ...state.poll, pending: null, last_end: lastEnd };
    state.ledger = { ...state.ledger, accounted: 'before' };
    return { config, state, price: 0.1, balances, botPnlUsd: 0, read, fresh: 'after', flowsEnabled: true, now };
  };
  const amounts = new Map<string, string>();
  const start = (f: TickFigures): void => void f.next(input({ ts: T - 10, latest: T - 10, amounts }, { base: '1000', quote: '100' }, T - 5, T - 10));

  it('holds while the last poll ended before the answer arrived, though after its midpoint', () => {
    const f = new TickFigures();
    start(f);
    // Balance call in flight from T to T+4 (midpoint T+2); the last poll ended at T+2.5 (last_end = end − 1).
    const shown = f.next(input({ ts: T + 2, latest: T + 4, amounts }, { base: '1000', quote: '350' }, T + 1.5, T + 5));
    expect(f.holding).toBe(true);
    expect(shown.adjusted_status).toBe('ok');
    expect(shown.adjusted_drift_doge).toBeCloseTo(0, 9);
  });

  it('shows the new balances once a poll reached the arrival', () => {
    const f = new TickFigures();
    start(f);
    const shown = f.next(input({ ts: T + 2, latest: T + 4, amounts }, { base: '1000', quote: '350' }, T + 3, T + 5));
    expect(f.holding).toBe(false);
    expect(shown.adjusted_drift_doge).toBeCloseTo(2500, 6); // 250 USD at 0.1 that no row explains
  });

  it('values the held moment at the current price, with that moment\'s counts, until one poll interval has passed', () => {
    const f = new TickFigures();
    const first = input({ ts: T - 10, latest: T - 10, amounts }, { base: '1000', quote: '100' }, T - 5, T - 10);
    first.state.totals.income = { base: '0', quote: '2', count: 1 };
    f.next(first);
    expect(f.held).toBe(false);
    // Rows read since (one more reward) but the balances already show a later deposit the rows lack.
    const lag = input({ ts: T + 2, latest: T + 4, amounts }, { base: '1000', quote: '350' }, T + 1.5, T + 5);
    lag.state.totals.income = { base: '0', quote: '7', count: 2 };
    const held = f.next({ ...lag, price: 0.2 });
    expect(f.held).toBe(true);
    expect(f.totals?.income.count).toBe(1);
    expect(held.income_doge_eq).toBeCloseTo(2 / 0.2, 9); // the moment's income, at today's price
    expect(held.current_doge_eq).toBeCloseTo(1000 + 100 / 0.2, 9);
    expect(held.adjusted_drift_doge).toBeCloseTo(0, 9);
    // The rows still lag after a whole poll interval: the balances are shown as they are, and held is false.
    const late = f.next({ ...lag, price: 0.2, now: T + 5 + config.FLOW_POLL_INTERVAL_SEC });
    expect(f.holding).toBe(true);
    expect(f.held).toBe(false);
    expect(f.totals?.income.count).toBe(2);
    expect(late.income_doge_eq).toBeCloseTo(7 / 0.2, 9);
    expect(late.current_doge_eq).toBeCloseTo(1000 + 350 / 0.2, 9);
  });

  it('keeps its moment apart from the state it was taken from', () => {
    const f = new TickFigures();
    const i = input({ ts: T - 10, latest: T - 10, amounts }, { base: '1000', quote: '100' }, T - 5, T - 10);
    f.next(i);
    i.state.totals.income.count = 9;
    expect(f.totals?.income.count).toBe(0);
  });
});
