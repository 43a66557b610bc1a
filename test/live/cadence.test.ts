import { describe, expect, it } from 'vitest';
import { bellServed, bellWakeAt, cadence, pollReasonText, pushHolds, PUSH_LEDGER_INTERVAL_SEC, type CadenceInput, type FeedView } from '../../src/live/cadence.js';

const healthy: FeedView = { connected: true, reason: null, fatal: null, system: 'online' };
const base: CadenceInput = { push: true, now: 10_000, owedSince: null, lastBalanceSec: 9_990, lastPollTs: 9_900, safetyIntervalSec: 300, pollIntervalSec: 300 };

describe('push or poll', () => {
  it('holds push only while the socket is subscribed, not refused, and the engine runs', () => {
    expect(pushHolds(healthy)).toBe(true);
    expect(pushHolds({ ...healthy, system: null })).toBe(true); // no status message yet: the socket alone decides
    expect(pushHolds({ ...healthy, system: 'post_only' })).toBe(true);
    expect(pushHolds({ ...healthy, system: 'maintenance' })).toBe(false);
    expect(pushHolds({ ...healthy, system: 'cancel_only' })).toBe(false);
    expect(pushHolds({ ...healthy, connected: false, reason: 'stale: no message for 5 s' })).toBe(false);
    expect(pushHolds({ ...healthy, fatal: 'EAPI:Invalid key' })).toBe(false);
    expect(pushHolds(null)).toBe(false);
  });

  it('says why it polls', () => {
    expect(pollReasonText(healthy, true)).toBe('off (KRAKEN_WS=off)');
    expect(pollReasonText(null, false)).toBe('socket not started');
    expect(pollReasonText({ ...healthy, fatal: 'close 1008' }, false)).toBe('refused: close 1008');
    expect(pollReasonText({ ...healthy, system: 'maintenance' }, false)).toBe('system maintenance');
    expect(pollReasonText({ ...healthy, connected: false, reason: 'closed 1006' }, false)).toBe('closed 1006');
    expect(pollReasonText(healthy, false)).toBeNull();
  });
});

describe('what a tick reads', () => {
  it('polling: Balance every tick, the ledger on its own interval, a bell forces the ledger', () => {
    expect(cadence({ ...base, push: false })).toEqual({ balance: true, ledgerRequested: false, pollIntervalSec: 300 });
    expect(cadence({ ...base, push: false, owedSince: 9_999 })).toEqual({ balance: true, ledgerRequested: true, pollIntervalSec: 300 });
  });

  it('push: a quiet tick reads nothing', () => {
    expect(cadence(base)).toEqual({ balance: false, ledgerRequested: false, pollIntervalSec: PUSH_LEDGER_INTERVAL_SEC });
  });

  it('push: the safety interval reads Balance alone', () => {
    expect(cadence({ ...base, lastBalanceSec: 10_000 - 300 })).toMatchObject({ balance: true, ledgerRequested: false });
    expect(cadence({ ...base, lastBalanceSec: null })).toMatchObject({ balance: true });
  });

  it('push: a bell reads Balance and the ledger at once', () => {
    expect(cadence({ ...base, owedSince: 9_999.5 })).toMatchObject({ balance: true, ledgerRequested: true });
  });

  it('push: the ledger interval is the longer of an hour and FLOW_POLL_INTERVAL_SEC, and reads Balance with it', () => {
    expect(cadence({ ...base, lastPollTs: 10_000 - 3_599 }).balance).toBe(false);
    expect(cadence({ ...base, lastPollTs: 10_000 - 3_600 }).balance).toBe(true);
    expect(cadence({ ...base, pollIntervalSec: 7_200 }).pollIntervalSec).toBe(7_200);
  });
});

describe('doorbells', () => {
  it('is served only by reads that began after the latest bell', () => {
    expect(bellServed(100, 100.2, 100.3, true)).toBe(true);
    expect(bellServed(100, 99.9, 100.3, true)).toBe(false); // Balance began before the bell
    expect(bellServed(100, 100.2, 99, true)).toBe(false); // the poll that completed began before it
    expect(bellServed(100, 100.2, null, true)).toBe(false);
    expect(bellServed(100, 100.2, null, false)).toBe(true); // no ledger read at all (stage 0, paused)
    expect(bellServed(100, null, 101, true)).toBe(false);
  });

  it('wakes the loop at once, but no sooner than the spacing after the last tick that served a bell', () => {
    expect(bellWakeAt(null, 50, 30)).toBeNull();
    expect(bellWakeAt(100, null, 30)).toBe(100);
    expect(bellWakeAt(100, 60, 30)).toBe(100);
    expect(bellWakeAt(100, 90, 30)).toBe(120);
  });
});
