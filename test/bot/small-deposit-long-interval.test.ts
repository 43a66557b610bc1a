// Issue 10, "how it will be checked": a small deposit under a long poll interval, and a quiet minute counted
// call by call. With FLOW_POLL_INTERVAL_SEC=3600 the ledger is read when the balances change (poll on change),
// so a 5 DOGE deposit is on /status in the tick whose Balance shows it, not up to an hour later; a quiet
// account costs exactly one Balance call per tick and no Ledgers call until the interval passes.
import { afterEach, describe, expect, it } from 'vitest';
import type { RequestLogEntry } from '../../src/kraken/sim/types.js';
import { startHarness, type Harness } from '../helpers/daemon-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const LOOP = 10;
const ENV = {
  FLOW_DETECTION_ENABLED: 'true',
  FLOW_BASELINE_AUTO_ADJUST: 'true',
  FLOW_POLL_INTERVAL_SEC: '3600',
  LOOP_INTERVAL_SEC: String(LOOP),
};
const PRIVATE = new Set(['Balance', 'BalanceEx', 'Ledgers']);

/** Private calls the daemon made during one tick, by endpoint. */
async function tickCalls(harness: Harness, sec = LOOP): Promise<Record<string, number>> {
  const before = harness.sim.stats().requests.length;
  await harness.step(sec);
  const calls: Record<string, number> = {};
  const made: RequestLogEntry[] = harness.sim.stats().requests.slice(before);
  for (const r of made) if (PRIVATE.has(r.endpoint)) calls[r.endpoint] = (calls[r.endpoint] ?? 0) + 1;
  return calls;
}

describe('a small deposit under a long poll interval (FLOW_POLL_INTERVAL_SEC=3600)', () => {
  it('a quiet minute is one Balance call per tick and no Ledgers call; the deposit shows in the tick whose balances show it', async () => {
    h = await startHarness({ env: ENV, sim: { requestLogMax: 10_000 } });
    expect(await tickCalls(h)).toMatchObject({ Balance: 1, Ledgers: 1 }); // the baseline and the first poll
    await h.step();

    // A quiet minute, call by call.
    for (let i = 0; i < 60 / LOOP; i++) expect(await tickCalls(h), `quiet tick ${i}`).toEqual({ Balance: 1 });

    // 5 DOGE arrives half-way between two ticks.
    h.clock.advanceSec(LOOP / 2);
    const row = h.sim.activity.deposit('XXDG', '5', { time: h.sim.now() / 1000 });
    expect(await tickCalls(h, LOOP / 2)).toEqual({ Balance: 1, Ledgers: 1 });
    const s = h.daemon.status;
    expect(s?.external_flows.flow_count).toBe(1);
    expect(s?.balance_recon.last_flow).toMatchObject({ net: 5, category: 'external', wallet: 'spot' });
    expect(s?.balance_recon.adjusted_drift_doge).toBe(0);
    expect(s?.balance_recon.adjusted_status).toBe('ok');
    expect(s?.balance_recon.baseline?.doge).toBe(10005);
    expect(row.rows).toHaveLength(1);

    // Quiet again: the poll that accounted for the deposit saw these balances, so no more Ledgers calls.
    for (let i = 0; i < 60 / LOOP; i++) expect(await tickCalls(h), `quiet tick after the deposit ${i}`).toEqual({ Balance: 1 });

    // Nothing else until the interval passes since the last poll; then one page.
    let ledgerTicks = 0;
    for (let t = 0; t < 3600; t += LOOP) {
      const calls = await tickCalls(h);
      expect(calls.Balance).toBe(1);
      ledgerTicks += calls.Ledgers ?? 0;
    }
    expect(ledgerTicks).toBe(1);
    expect(h.daemon.status?.external_flows.flow_count).toBe(1);
  });

  it('a reward into USD.F and a deposit into spot, one tick apart, are each seen in their own tick', async () => {
    h = await startHarness({ env: ENV, sim: { requestLogMax: 10_000, initialBalances: { XXDG: '10000.00000000', ZUSD: '1000.0000', 'USD.F': '300.0000' } } });
    await h.step();
    await h.step();
    h.sim.activity.reward('ZUSD', '0.0123', { time: h.sim.now() / 1000 });
    expect(await tickCalls(h)).toEqual({ Balance: 1, Ledgers: 1 });
    expect(h.daemon.status?.balance_recon).toMatchObject({ income_count: 1, adjusted_drift_doge: 0 });
    expect(h.daemon.status?.balance_recon.income_doge_eq).toBeCloseTo(0.123, 9);
    h.sim.activity.deposit('ZUSD', '1', { time: h.sim.now() / 1000 });
    expect(await tickCalls(h)).toEqual({ Balance: 1, Ledgers: 1 });
    expect(h.daemon.status?.external_flows.flow_count).toBe(1);
    expect(h.daemon.status?.balance_recon.adjusted_drift_doge).toBe(0);
    expect(await tickCalls(h)).toEqual({ Balance: 1 });
  });
});
