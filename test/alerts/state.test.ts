import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/alerts/evaluate.js';
import { emptyAlertState, QUEUE_MAX, restoreAlertState } from '../../src/alerts/state.js';
import { restoreReconState, serializeReconState } from '../../src/recon/state-codec.js';
import { emptyReconState } from '../../src/recon/state.js';
import { ALL_EVENTS, flow, snap, T0 } from './fixtures.js';

const roundTrip = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe('alert state inside __recon_state_v1__', () => {
  it('round-trips through the recon codec unchanged: memory, held events, queue and counters', () => {
    let alerts = emptyAlertState();
    for (const [i, s] of [snap(T0), snap(T0 + 30, { adjusted: 'warn', flows: [flow('LA-1', 5)] }), snap(T0 + 60, { adjusted: 'ok' }), snap(T0 + 90, { adjusted: 'warn' })].entries()) {
      alerts = evaluate(alerts, s, ALL_EVENTS).state;
      if (i === 1) alerts = { ...alerts, sent: 3, failed: 1, last_sent_ts: T0 + 31, last_error: 'flow: HTTP 500: the receiver failed' };
    }
    expect(alerts.held.length).toBeGreaterThan(0);
    expect(alerts.queue.length).toBeGreaterThan(0);
    const saved = roundTrip(serializeReconState({ ...emptyReconState(), alerts }, T0 + 100));
    const restored = restoreReconState(saved, 1000);
    expect(restored.repairs).toEqual([]);
    expect(restored.state.alerts).toEqual(alerts);
  });

  it('an older state without `alerts` loads, with the field absent (alerting starts afresh)', () => {
    const old = roundTrip(serializeReconState(emptyReconState(), T0)) as Record<string, unknown>;
    delete old.alerts;
    const { state, repairs } = restoreReconState(old, 1000);
    expect(repairs).toEqual([]);
    expect(state.alerts).toBeUndefined();
  });

  it('a corrupt `alerts` field is sanitised: bad entries dropped, types checked, lists capped, never a throw', () => {
    const good = { id: 'x-1', event: 'flow', ts: T0, first_ts: T0, count: 2, created_ts: T0, attempts: 1, sending: false, facts: { flows: [{ ledger_id: 'L1', net: 5, doge_eq: 5, type: 'deposit', asset: 'DOGE', time: T0 }] } };
    const raw = {
      seen: { adjusted: 'maybe', flow_ids: ['L1', 7, null], flow_count: 'three', fatal: 42, lockouts: 1, started_ts: T0, stale: 'yes', store_down: true },
      last_queued: { flow: T0, nonsense: T0, drift_warn: 'soon' },
      held: [{ event: 'bogus', ts: T0 }, { event: 'stale', ts: T0, facts: { interval_sec: 30, price_age_sec: 'old' } }],
      queue: [...Array.from({ length: QUEUE_MAX + 20 }, () => good), { event: 'flow' }, 'x'],
      next_id: -4,
      sent: -1,
      failed: 2,
      last_error: 'x'.repeat(5000),
    };
    const s = restoreAlertState(roundTrip(raw));
    expect(s.seen).toEqual({ adjusted: null, flow_ids: ['L1'], flow_count: 0, fatal: null, lockouts: 1, started_ts: T0, stale: false, store_down: true });
    expect(s.last_queued).toEqual({ flow: T0 });
    expect(s.held).toEqual([{ event: 'stale', ts: T0, first_ts: T0, count: 1, facts: { interval_sec: 30 } }]);
    expect(s.queue).toHaveLength(QUEUE_MAX);
    expect(s.queue[0]).toEqual(good);
    expect(s).toMatchObject({ next_id: 1, sent: 0, failed: 2 });
    expect(s.last_error?.length).toBe(300);
    for (const junk of [null, 7, 'x', [], { queue: 'no' }]) expect(() => restoreAlertState(junk)).not.toThrow();
  });
});
