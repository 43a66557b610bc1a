import { afterEach, describe, expect, it } from 'vitest';
import { startRig, subscribed, until, type FeedRig } from './feed-harness.js';

let rig: FeedRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const BUDGET = { attemptMax: 10, attemptWindowMs: 3000, backoffBaseMs: 40, backoffMaxMs: 160, stableMs: 5000 };

/** Most connections the sim saw inside any window of `ms`. */
function busiestWindow(times: readonly number[], ms: number): number {
  let most = 0;
  for (const t of times) most = Math.max(most, times.filter((x) => x >= t && x < t + ms).length);
  return most;
}

describe('BalancesFeed against a flapping socket', () => {
  it('keeps within attemptMax connections per attemptWindowMs, says it waits for the budget, recovers when it stops', async () => {
    const r = (rig = await startRig({ start: false, timing: BUDGET }));
    r.sim.ws.inject({ kind: 'drop' }, 1000);
    const t0 = Date.now();
    r.feed.start();
    await until('the budget spent', 5000, () => r.feed.health().reason?.includes('waiting for the connection budget') === true);
    expect(r.feed.health().reason).toContain(`${BUDGET.attemptMax} attempts per 3 s`);
    await until('two windows of flapping', 10_000, () => Date.now() - t0 > 2 * BUDGET.attemptWindowMs + 500);
    const times = r.sim.ws.stats().connectionTimes;
    // The feed counts an attempt a moment before the sim sees its handshake: allow that latency at the window edge.
    expect(busiestWindow(times, BUDGET.attemptWindowMs - 50)).toBeLessThanOrEqual(BUDGET.attemptMax);
    // And the budget is used, not starved: the first window holds all its attempts.
    expect(times.filter((t) => t < (times[0] ?? 0) + BUDGET.attemptWindowMs - 50)).toHaveLength(BUDGET.attemptMax);
    expect(times.length).toBeLessThanOrEqual(3 * BUDGET.attemptMax);
    // A fresh token for every connection; token calls beyond those were refused by the key's REST counter (each
    // costs a point) and were not retried at once.
    expect(r.tokens).toHaveLength(times.length);
    expect(r.tokenCalls()).toBeGreaterThanOrEqual(times.length);
    expect(r.feed.health().fatal).toBeNull();
    r.sim.ws.clearFaults();
    await until('subscribed after the flapping', 2 * BUDGET.attemptWindowMs, subscribed(r));
  });
});
