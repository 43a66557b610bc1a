import { describe, expect, it } from 'vitest';
import { evaluate, type AlertPolicy } from '../../src/alerts/evaluate.js';
import { emptyAlertState, QUEUE_MAX, type AlertState } from '../../src/alerts/state.js';
import type { AlertEventName, PendingAlert } from '../../src/alerts/types.js';
import type { StatusPayload } from '../../src/bot/status-types.js';
import { ALL_EVENTS, flow, snap, T0 } from './fixtures.js';

/** Feeds snapshots in order; returns every message queued and the final state. */
function run(snaps: StatusPayload[], policy: AlertPolicy = ALL_EVENTS, start: AlertState = emptyAlertState()): { queued: PendingAlert[]; state: AlertState } {
  let state = start;
  const queued: PendingAlert[] = [];
  for (const s of snaps) {
    const r = evaluate(state, s, policy);
    state = r.state;
    queued.push(...r.queued);
  }
  return { queued, state };
}
const kinds = (q: PendingAlert[]): AlertEventName[] => q.map((x) => x.event);
const ticks = (n: number, f: (i: number, ts: number) => StatusPayload): StatusPayload[] => Array.from({ length: n }, (_, i) => f(i, T0 + 30 * i));

describe('alert evaluation: once per transition', () => {
  it('a drift that turns and stays warn for ten ticks sends one drift_warn, and one drift_ok when it clears', () => {
    const { queued } = run(ticks(20, (i, ts) => snap(ts, { adjusted: i >= 3 && i < 13 ? 'warn' : 'ok' })), { ...ALL_EVENTS, minIntervalSec: 0 });
    expect(kinds(queued)).toEqual(['drift_warn', 'drift_ok']);
    expect(queued[0]?.ts).toBe(T0 + 90);
    expect(queued[0]?.facts).toMatchObject({ adjusted_drift_pct: -1.5234, threshold_pct: 1 });
    expect(queued[1]?.ts).toBe(T0 + 390);
  });

  it('an unknown tick (no price) neither ends nor starts a warning', () => {
    const seq: Array<'ok' | 'warn' | 'unknown'> = ['ok', 'warn', 'unknown', 'warn', 'unknown', 'ok', 'unknown', 'ok'];
    const { queued } = run(seq.map((a, i) => snap(T0 + 400 * i, { adjusted: a })));
    expect(kinds(queued)).toEqual(['drift_warn', 'drift_ok']);
  });

  it('a flapping drift is coalesced: one message per kind per window, every transition counted', () => {
    // warn/ok alternate every tick for 20 minutes: 40 transitions.
    const { queued, state } = run(ticks(41, (i, ts) => snap(ts, { adjusted: i % 2 === 1 ? 'warn' : 'ok' })));
    const windows = (kind: AlertEventName): number[] => queued.filter((q) => q.event === kind).map((q) => q.created_ts);
    for (const kind of ['drift_warn', 'drift_ok'] as const) {
      const at = windows(kind);
      for (let i = 1; i < at.length; i++) expect((at[i] ?? 0) - (at[i - 1] ?? 0)).toBeGreaterThanOrEqual(300);
    }
    expect(queued.length).toBeLessThanOrEqual(2 * Math.ceil(1200 / 300) + 2);
    const counted = queued.reduce((n, q) => n + q.count, 0) + state.held.reduce((n, h) => n + h.count, 0);
    expect(counted).toBe(40); // nothing lost: merged messages say how many times
    expect(queued.some((q) => q.count > 1)).toBe(true);
  });

  it('held events go out when their window ends, latest last, even with no new transition', () => {
    const seq = [snap(T0, { adjusted: 'ok' }), snap(T0 + 30, { adjusted: 'warn' }), snap(T0 + 60, { adjusted: 'ok' }), snap(T0 + 90, { adjusted: 'warn' }), snap(T0 + 120, { adjusted: 'ok' })];
    const first = run(seq);
    expect(kinds(first.queued)).toEqual(['drift_warn', 'drift_ok']);
    expect(first.state.held.map((h) => [h.event, h.count])).toEqual([['drift_warn', 1], ['drift_ok', 1]]);
    const later = run([snap(T0 + 360, { adjusted: 'ok' })], ALL_EVENTS, first.state);
    expect(kinds(later.queued)).toEqual(['drift_warn', 'drift_ok']); // the ok came last, so it is sent last
    expect(later.state.held).toEqual([]);
  });
});

describe('alert evaluation: flows and income', () => {
  it('several new flows in one tick make one message naming each ledger id; flows already listed at start are history', () => {
    const old = flow('LOLD00-AAAAA-AAAAAA', 5);
    const a = flow('LDEP01-BBBBB-BBBBBB', 500, { asset: 'USD', doge_eq: 5000 });
    const b = flow('LWDR01-CCCCC-CCCCCC', -1000);
    const { queued } = run([snap(T0, { flows: [old] }), snap(T0 + 30, { flows: [b, a, old] }), snap(T0 + 60, { flows: [b, a, old] })]);
    expect(kinds(queued)).toEqual(['flow']);
    expect(queued[0]?.facts.flows?.map((f) => f.ledger_id).sort()).toEqual([a.ledger_id, b.ledger_id].sort());
  });

  it('flows inside the window are merged into the next message; more flows than listed are counted', () => {
    const f = (i: number) => flow(`LF${String(i).padStart(4, '0')}-XXXXX-XXXXXX`, 10 + i);
    const { queued, state } = run([
      snap(T0, { flows: [] }),
      snap(T0 + 30, { flows: [f(1)] }),
      snap(T0 + 60, { flows: [f(2), f(1)] }),
      snap(T0 + 90, { flows: [f(3), f(2), f(1)], flowCount: 5 }), // two more arrived than the list shows
      snap(T0 + 330, { flows: [f(3), f(2), f(1)], flowCount: 5 }),
    ]);
    expect(kinds(queued)).toEqual(['flow', 'flow']);
    expect(queued[1]?.facts.flows?.map((x) => x.ledger_id)).toEqual([f(2).ledger_id, f(3).ledger_id]);
    expect(queued[1]?.facts.unlisted).toBe(2);
    expect(queued[1]?.count).toBe(2);
    expect(state.held).toEqual([]);
  });

  it('income rows (category income) are their own opt-in event, never a flow', () => {
    const reward = flow('LRWD01-DDDDD-DDDDDD', 1.5, { type: 'earn', category: 'income' });
    const seq = [snap(T0), snap(T0 + 30, { flows: [reward] })];
    expect(kinds(run(seq).queued)).toEqual(['income']);
    const defaults = { events: ALL_EVENTS.events.filter((e) => e !== 'income'), minIntervalSec: 300 };
    expect(run(seq, defaults).queued).toEqual([]);
  });
});

describe('alert evaluation: key, lockout, stale, store', () => {
  it('a key rejected from the first tick alerts once, and again only after it was fixed and rejected anew', () => {
    const bad = (ts: number) => snap(ts, { over: { budget: { fatal_error: 'EAPI:Invalid key' } } });
    const { queued } = run([bad(T0), bad(T0 + 30), snap(T0 + 60), bad(T0 + 400), bad(T0 + 430)]);
    expect(kinds(queued)).toEqual(['kraken_key', 'kraken_key']);
    expect(queued[0]?.facts.error).toBe('EAPI:Invalid key');
  });

  it('a lockout alerts when the count grows; a restarted process counting from zero is no new lockout', () => {
    const lock = (ts: number, n: number, started = T0 - 3600) => snap(ts, { over: { budget: { lockouts: n, paused_until: ts + 900 }, loop: { started_ts: started } } });
    const { queued } = run([lock(T0, 0), lock(T0 + 30, 1), lock(T0 + 60, 1), lock(T0 + 90, 0, T0 + 80), lock(T0 + 500, 1, T0 + 80)]);
    expect(kinds(queued)).toEqual(['lockout', 'lockout']);
    expect(queued[0]?.facts.paused_until).toBe(T0 + 30 + 900);
  });

  it('stale fires when price or balances are 5 intervals old, once', () => {
    const polling = { mode: 'poll', connected: false, since: T0 - 600, reason: 'closed 1006', last_message_age_sec: null } as const;
    const stale = (ts: number, balancesTs: number) => snap(ts, { over: { balances: { ts: balancesTs }, live: polling } });
    const { queued } = run([stale(T0, T0), stale(T0 + 120, T0), stale(T0 + 150, T0), stale(T0 + 180, T0), stale(T0 + 210, T0 + 210)]);
    expect(kinds(queued)).toEqual(['stale']);
    expect(queued[0]?.facts).toMatchObject({ balances_age_sec: 150, price_age_sec: 0, interval_sec: 30 });
  });

  it('while push holds, the socket vouches for balances between safety reads; once polling took over, their age counts from then', () => {
    const pushed = (ts: number) => snap(ts, { over: { balances: { ts: T0 }, live: { mode: 'push', connected: true, since: T0, last_message_age_sec: 0.8 } } });
    const quiet = [0, 150, 240, 290].map((d) => pushed(T0 + d)); // safety interval 300 s = 10 intervals of 30 s
    expect(kinds(run(quiet).queued)).toEqual([]);
    // The socket dropped at T0 + 292 and the balance reads fail since: stale 5 intervals after the drop, not before.
    const polled = (ts: number) => snap(ts, { over: { balances: { ts: T0 }, live: { mode: 'poll', connected: false, since: T0 + 292, reason: 'stale: no message for 5 s', last_message_age_sec: 6 } } });
    expect(kinds(run([...quiet, polled(T0 + 300), polled(T0 + 420)]).queued)).toEqual([]);
    expect(kinds(run([...quiet, polled(T0 + 300), polled(T0 + 442)]).queued)).toEqual(['stale']);
  });

  it('figures restored from disk after a restart (stale: true) neither clear nor turn a drift', () => {
    // The saved figures can lag what was alerted (a SIGKILL between two saves): they are the past, not news.
    const restored = (ts: number, adjusted: 'ok' | 'warn') => snap(ts, { adjusted, over: { balance_recon: { stale: true, age_sec: 60 } } });
    const { queued } = run([snap(T0, { adjusted: 'warn' }), restored(T0 + 400, 'ok'), restored(T0 + 800, 'warn'), snap(T0 + 1200, { adjusted: 'warn' }), snap(T0 + 1600, { adjusted: 'ok' })]);
    expect(kinds(queued)).toEqual(['drift_warn', 'drift_ok']);
    expect(queued[1]?.ts).toBe(T0 + 1600);
  });

  it('after a restart, stale counts from the process start, not from the older figures restored from disk', () => {
    const started = T0 + 3600;
    const restored = (ts: number) => snap(ts, { over: { loop: { started_ts: started }, price: { ts: T0, stale: true }, balances: { ts: T0, stale: true } } });
    const { queued } = run([snap(T0), restored(started + 30), restored(started + 120), restored(started + 150)], { ...ALL_EVENTS, events: ['stale'] });
    expect(queued.map((q) => q.ts)).toEqual([started + 150]);
    expect(queued[0]?.facts).toMatchObject({ price_age_sec: 3750, balances_age_sec: 3750 }); // the text still tells the figures' real age
  });

  it('stale balances are no news while the key is rejected or Kraken paused us (those alert themselves); a stale price is', () => {
    const s = (ts: number, budget: Record<string, unknown>, priceTs = ts) => snap(ts, { over: { balances: { ts: T0 }, price: { ts: priceTs }, budget } });
    const quiet = run([s(T0, {}), s(T0 + 300, { fatal_error: 'EAPI:Invalid key' }), s(T0 + 600, { paused_until: T0 + 1500 })], { ...ALL_EVENTS, events: ['stale'] });
    expect(quiet.queued).toEqual([]);
    const price = run([s(T0, {}), s(T0 + 300, { fatal_error: 'EAPI:Invalid key' }, T0)], { ...ALL_EVENTS, events: ['stale'] });
    expect(kinds(price.queued)).toEqual(['stale']);
  });

  it('store_down when Supabase writes fail, store_up once every pending value is delivered', () => {
    const sb = (ts: number, ok: boolean | null, pending: boolean) =>
      snap(ts, { over: { persistence: { supabase: { configured: true, ok, pending, last_error: ok === false ? 'supabase: HTTP 503' : null, write_failures: 3 } } } });
    const { queued } = run([sb(T0, true, false), sb(T0 + 30, false, true), sb(T0 + 60, false, true), sb(T0 + 90, true, true), sb(T0 + 400, true, false), sb(T0 + 430, true, false)]);
    expect(kinds(queued)).toEqual(['store_down', 'store_up']);
    expect(queued[0]?.facts.error).toBe('supabase: HTTP 503');
  });

  it('kinds left out of ALERT_EVENTS are tracked but never queued', () => {
    const policy = { events: ['drift_warn'] as AlertEventName[], minIntervalSec: 0 };
    const { queued, state } = run([snap(T0, { adjusted: 'warn' }), snap(T0 + 30, { adjusted: 'ok' }), snap(T0 + 60, { adjusted: 'warn' })], policy);
    expect(kinds(queued)).toEqual(['drift_warn', 'drift_warn']);
    expect(state.seen?.adjusted).toBe('warn');
  });

  it('a queue that cannot drain keeps the newest and counts the dropped as failed', () => {
    let state = emptyAlertState();
    for (let i = 0; i < QUEUE_MAX + 7; i++) state = evaluate(state, snap(T0 + 1000 * i, { adjusted: i % 2 === 0 ? 'warn' : 'ok' }), ALL_EVENTS).state;
    expect(state.queue).toHaveLength(QUEUE_MAX);
    expect(state.failed).toBe(7);
    expect(state.last_error).toMatch(/queue full/);
  });
});
