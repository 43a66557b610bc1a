import { afterEach, describe, expect, it } from 'vitest';
import { createRng } from '../../src/kraken/sim/rng.js';
import { startHarness, type Harness } from '../helpers/daemon-harness.js';

/**
 * Found by the chaos run: with a fast loop the counter's decay per tick (pro: 1 point a second, loop 1 s)
 * equals one Balance call. Once the counter sits near the top, a Balance refresh fits every tick and takes
 * exactly the points that decayed, so a Ledgers page (2 points) never fits again: the poll starves and flows
 * stop being detected, while /status keeps saying flow_poll_ok. DESIGN.md section 5: "a due ledger poll must
 * not be starved by balance refreshes (refresh balances less often instead)".
 */
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const FAST = {
  KRAKEN_TIER: 'pro',
  PRIVATE_CALLS_PER_LOOP: '6',
  LOOP_INTERVAL_SEC: '1',
  FLOW_DETECTION_ENABLED: 'true',
  FLOW_BASELINE_AUTO_ADJUST: 'true',
  FLOW_POLL_INTERVAL_SEC: '1',
};

describe('ledger polls under a counter that stays near the top', () => {
  it('keeps polling when each tick decays only one Balance call worth of points', async () => {
    h = await startHarness({ env: FAST, sim: { tier: 'pro' } });
    // Run long enough for Balance + Ledgers (3 points a tick, 1 decays) to push the counter to the top.
    // Calls land a few ms earlier or later in each tick, as in a real loop: each tick decays about one point.
    const jitter = createRng(7);
    const tick = (): Promise<void> => h?.step(0.99 + 0.02 * jitter()) ?? Promise.resolve();
    for (let i = 0; i < 30; i++) await tick();
    const before = h.daemon.state.poll.polls;
    h.sim.addLedgerRow({ type: 'deposit', asset: 'XXDG', amount: '250.00000000', fee: '0' });
    for (let i = 0; i < 30; i++) await tick();
    const s = h.daemon.status;
    expect(h.daemon.state.poll.polls - before, 'complete polls in 30 ticks').toBeGreaterThanOrEqual(5);
    expect(s?.external_flows.flow_count).toBe(1);
    // Balances still refresh too (less often, not never).
    expect(s?.balances.ts).toBeGreaterThan(h.clock.now() / 1000 - 5);
  });
});
