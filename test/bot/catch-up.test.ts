import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/daemon-harness.js';

/**
 * Issue 12's catch-up, deterministic: a spurious rate-limit answer (the simulator fills its counter, as Kraken
 * would be full) while three ledger pages wait. The loop must be caught up within 3 ticks plus the time a full
 * counter needs for the calls (3 pages at 2 points, a Balance beside each as the loop's take-turns rule has
 * it): 3 + 9 s on pro. The old model dropped its ceiling to 2 points and took about 30 ticks.
 */
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('catch-up after a rate-limit answer', () => {
  it('balances fresh and the ledger complete within 3 ticks plus the counter drain', async () => {
    h = await startHarness({
      env: { KRAKEN_TIER: 'pro', PRIVATE_CALLS_PER_LOOP: '6', LOOP_INTERVAL_SEC: '1', FLOW_DETECTION_ENABLED: 'true', FLOW_BASELINE_AUTO_ADJUST: 'true', FLOW_POLL_INTERVAL_SEC: '2' },
      sim: { tier: 'pro' },
    });
    for (let i = 0; i < 5; i++) await h.step();
    const t0 = h.clock.ms / 1000;
    const deposits: string[] = [];
    for (let i = 0; i < 130; i++) {
      const row = h.sim.addLedgerRow({ type: i % 20 === 0 ? 'deposit' : 'trade', asset: 'XXDG', amount: '1', time: t0 - 0.5 + i / 1000 });
      if (i % 20 === 0) deposits.push(row.id);
    }
    h.sim.inject({ kind: 'error', error: 'EAPI:Rate limit exceeded' }, { endpoint: 'Balance' });
    await h.step();
    expect(h.daemon.status?.budget.rate_limit_errors).toBe(1);
    const end = h.clock.ms / 1000;
    const caughtUp = (): boolean => {
      const d = h?.daemon;
      if (d?.status?.balances.ok !== true || (d.balances.ts ?? 0) < end || d.state.poll.pending !== null || (d.state.poll.last_end ?? 0) < t0) return false;
      const seen = new Set(d.state.flows.map((f) => f.ledger_id));
      return deposits.every((id) => seen.has(id));
    };
    let ticks = 0;
    while (!caughtUp() && ticks < 100) {
      await h.step();
      ticks++;
    }
    expect(ticks).toBeLessThanOrEqual(3 + 3 * 2 + 3);
    // One answer alone: the learned ceiling never left the tier max.
    expect(h.daemon.budget.effectiveMax()).toBe(20);
  });
});

describe('taking turns when the poll is wanted only once the balances change', () => {
  it('gives the deferred page the next turn instead of a second Balance call', async () => {
    h = await startHarness({
      env: { KRAKEN_TIER: 'pro', PRIVATE_CALLS_PER_LOOP: '6', LOOP_INTERVAL_SEC: '1', FLOW_DETECTION_ENABLED: 'true', FLOW_BASELINE_AUTO_ADJUST: 'true', FLOW_POLL_INTERVAL_SEC: '300' },
      sim: { tier: 'pro' },
    });
    for (let i = 0; i < 5; i++) await h.step();
    // A deposit (not large enough to matter for drift), then a rate-limit answer: the counter is full, so the
    // first Balance that fits sees the deposit, and the page the changed balances ask for does not fit.
    const row = h.sim.addLedgerRow({ type: 'deposit', asset: 'XXDG', amount: '5', time: h.clock.ms / 1000 - 0.5 });
    h.sim.inject({ kind: 'error', error: 'EAPI:Rate limit exceeded' }, { endpoint: 'Balance' });
    await h.step();
    const from = h.sim.stats().requests.length;
    let ticks = 0;
    const seen = (): boolean => h?.daemon.state.flows.some((f) => f.ledger_id === row.id) === true;
    while (!seen() && ticks < 30) {
      await h.step();
      ticks++;
    }
    const calls = h.sim
      .stats()
      .requests.slice(from)
      .filter((r) => r.outcome === 'ok' && (r.endpoint === 'Balance' || r.endpoint === 'Ledgers'))
      .map((r) => r.endpoint);
    expect(calls).toEqual(['Balance', 'Ledgers']);
    // 2 s of pause, then 1 point for the Balance and 2 for the page out of a full counter decaying 1 point a second.
    expect(ticks).toBeLessThanOrEqual(6);
  });
});
