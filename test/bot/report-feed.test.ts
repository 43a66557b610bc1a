import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/bot/config.js';
import { ReportFeed } from '../../src/bot/report-feed.js';
import { emptyReconState } from '../../src/recon/state.js';
import type { FlowRecord } from '../../src/recon/types.js';
import { memoryLogger } from '../dashboard/harness.js';

const LIVE = { KRAKEN_API_KEY: 'key-123456', KRAKEN_API_SECRET: 'kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==' };
const T = 1_764_547_200;
const flow = (id: string): FlowRecord => ({ ledger_id: id, refid: 'R', time: T, type: 'deposit', subtype: '', asset: 'USD', side: 'quote', amount: '1', fee: '0', net: '1', price: 0.1, doge_eq: 10, detected_ts: T, applied: false, category: 'external', wallet: 'spot' });

function setup(env: Record<string, string> = {}) {
  const sink = memoryLogger();
  const feed = new ReportFeed(loadConfig({ ...LIVE, ...env }), sink.logger);
  const state = emptyReconState();
  state.baseline = { doge: '10000', usd: '1000', ts: T - 60, price: 0.1, pnl_source_at_baseline: 5 };
  return { feed, state, sink };
}
const ok = <T>(value: T) => ({ value, ok: true });

describe('the loop side of the reports', () => {
  it('records a sample only with a price and fresh balances; a stale read leaves the period without a figure', () => {
    const { feed, state } = setup();
    feed.record(state, T, ok(0.1), { value: { base: '10000', quote: '1000' }, ok: false }, null);
    feed.publish(state, []);
    expect(feed.exports?.report.periods).toEqual([]);
    feed.record(state, T + 30, ok(0.1), ok({ base: '10000', quote: '1000' }), null);
    feed.publish(state, []);
    expect(feed.exports?.report.periods[0]).toMatchObject({ complete: true, start_usd: 2000 });
  });

  it('waits while a ledger poll is still paging (balances may be ahead of the totals)', () => {
    const { feed, state } = setup();
    state.poll.pending = { start: T - 900, end: T, ofs: 50, pages: 1, newest: null };
    feed.record(state, T, ok(0.1), ok({ base: '10000', quote: '1300' }), null);
    expect(state.reports?.closes ?? []).toEqual([]);
    state.poll.pending = null;
    feed.record(state, T + 30, ok(0.1), ok({ base: '10000', quote: '1300' }), null);
    expect(state.reports?.closes.length).toBe(1);
  });

  it('takes no sample while the rows read lag the balances: an unread trade is not unexplained in the open period', () => {
    const { feed, state } = setup({ FLOW_DETECTION_ENABLED: 'true' });
    feed.record(state, T, ok(0.1), ok({ base: '10000', quote: '1000' }), null);
    // A trade (buy 1 000 DOGE for 100.26 USD, fee included) is in the balances, its rows not read yet.
    feed.record(state, T + 30, ok(0.1), ok({ base: '11000', quote: '899.74' }), null, false);
    feed.publish(state, []);
    expect(feed.exports?.report.periods[0]?.unexplained_usd).toBe(0);
    state.totals.trading = { base: '1000', quote: '-100.26' };
    feed.record(state, T + 60, ok(0.1), ok({ base: '11000', quote: '899.74' }), null);
    feed.publish(state, []);
    expect(feed.exports?.report.periods[0]).toMatchObject({ unexplained_usd: 0, bot_pnl_usd: -0.26 });
  });

  it("uses the bot's own P&L only with an http or supabase source", () => {
    for (const [env, expected] of [
      [{}, null],
      [{ BOT_PNL_SOURCE: 'http', BOT_PNL_URL: 'http://127.0.0.1:1/pnl' }, 3],
    ] as const) {
      const { feed, state } = setup(env);
      feed.record(state, T, ok(0.1), ok({ base: '10000', quote: '1000' }), 3);
      expect(state.reports?.closes[0]?.bot_pnl_usd).toBe(expected);
    }
  });

  it("with flow detection on, a period's bot P&L is the ledger's trades, so the bot's inventory revalued is not counted twice", () => {
    // The bot bought 1 000 DOGE since the baseline; its own marked-to-market figure gains 100 USD when the price
    // goes 0.1 → 0.2, which is the same revaluation price_effect_usd already holds.
    const { feed, state } = setup({ BOT_PNL_SOURCE: 'http', BOT_PNL_URL: 'http://127.0.0.1:1/pnl', FLOW_DETECTION_ENABLED: 'true' });
    state.totals.trading = { base: '1000', quote: '-100' };
    feed.record(state, T, ok(0.1), ok({ base: '11000', quote: '900' }), 0);
    feed.record(state, T + 30, ok(0.2), ok({ base: '11000', quote: '900' }), 100);
    feed.publish(state, []);
    const row = feed.exports?.report.periods.at(-1);
    expect(row?.price_effect_usd).toBeCloseTo(1100, 9);
    expect(row?.bot_pnl_usd).toBe(0);
    expect(row?.unexplained_usd).toBe(0);
  });

  it('publishes a copy of the flows, kept while they do not change, renewed when one is applied', () => {
    const { feed, state } = setup();
    state.flows.push(flow('A'), flow('B'));
    feed.publish(state, []);
    const first = feed.exports?.flows;
    feed.publish(state, []);
    expect(feed.exports?.flows).toBe(first); // same object: the CSV cache survives a quiet tick
    (state.flows[0] as FlowRecord).applied = true;
    feed.publish(state, []);
    expect(feed.exports?.flows).not.toBe(first);
    expect(first?.[0]?.applied).toBe(false); // the earlier publication is not changed under a reader
    expect(feed.exports?.flows[0]?.applied).toBe(true);
  });

  it('a failure inside the reports is logged, never thrown into the tick', () => {
    const { feed, state, sink } = setup();
    (state as { totals: unknown }).totals = null; // a bug elsewhere
    expect(() => feed.record(state, T, ok(0.1), ok({ base: '1', quote: '1' }), null)).not.toThrow();
    expect(sink.text()).toMatch(/recording the report sample failed/);
  });
});
