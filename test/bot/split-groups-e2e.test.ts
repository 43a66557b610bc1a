// Issue 10, "bad input and faults", end to end: a refid group whose legs reach the daemon in different polls
// and across a SIGKILL restart, a poll failing between its legs, and a trade whose second leg never comes.
import { afterEach, describe, expect, it } from 'vitest';
import type { KrakenApi } from '../../src/kraken/client.js';
import type { KrakenSim } from '../../src/kraken/sim/index.js';
import { startHarness, type Harness } from '../helpers/daemon-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const ENV = { FLOW_DETECTION_ENABLED: 'true', FLOW_BASELINE_AUTO_ADJUST: 'true', FLOW_POLL_INTERVAL_SEC: '300', FLOW_LOOKBACK_SEC: '600' };

const recon = (harness: Harness) => {
  const s = harness.daemon.status;
  if (s === null) throw new Error('no status');
  return s.balance_recon;
};

describe('refid groups split across polls, restarts and failures', () => {
  it('a trade whose legs arrive a restart apart is counted once, as the bot\'s, and never as a flow', async () => {
    h = await startHarness({ env: ENV });
    await h.step();
    h.clock.advanceSec(3);
    h.sim.addLedgerRow({ type: 'trade', asset: 'XXDG', amount: '1000.00000000', fee: '0', refid: 'TSPLIT-1' });
    await h.step();
    const mid = recon(h);
    await h.restart(); // SIGKILL: no shutdown
    h.clock.advanceSec(5);
    h.sim.addLedgerRow({ type: 'trade', asset: 'ZUSD', amount: '-100.0000', fee: '0.1600', refid: 'TSPLIT-1' });
    await h.step();
    await h.step();
    const r = recon(h);
    expect(h.daemon.status?.external_flows.flow_count).toBe(0);
    expect(r.bot_pnl.source).toBe('ledger');
    // +1000 DOGE − 100.16 USD at 0.1 = −1.6 DOGE-eq of bot P&L, all explained.
    expect(r.ledger_trading_doge_eq).toBeCloseTo(-1.6, 9);
    expect(Math.abs(r.adjusted_drift_doge ?? NaN)).toBeLessThan(1e-9);
    expect(Math.abs(mid.adjusted_drift_doge ?? NaN), 'with one leg seen').toBeLessThan(1e-9);
    expect(h.daemon.status?.external_flows.flow_count).toBe(0);
  });

  it('a poll failing between the legs of an app purchase moves nothing twice', async () => {
    h = await startHarness({ env: ENV });
    await h.step();
    h.clock.advanceSec(3);
    const spend = h.sim.addLedgerRow({ type: 'spend', asset: 'ZUSD', amount: '-29.5500', fee: '0.4500' });
    await h.step();
    h.sim.inject({ kind: 'http', status: 502 }, { endpoint: 'Ledgers', count: 3 });
    h.sim.addLedgerRow({ type: 'receive', asset: 'XXDG', amount: '300.00000000', fee: '0', refid: spend.refid });
    await h.step();
    h.sim.clearFaults();
    await h.step();
    await h.step();
    const s = h.daemon.status;
    // One group, two external rows: −30 USD and +300 DOGE, i.e. 0 DOGE-eq at 0.1.
    expect(s?.external_flows.flow_count).toBe(2);
    expect(s?.external_flows.flow_poll_ok).toBe(true);
    expect(s?.balance_recon.external_flows_doge_eq).toBeCloseTo(0, 9);
    expect(Math.abs(s?.balance_recon.adjusted_drift_doge ?? NaN)).toBeLessThan(1e-9);
    expect(s?.balance_recon.baseline).toMatchObject({ doge: 10300, usd: 970 });
  });

  it('a trade with a single leg stays the bot\'s once the window passes, and the restart keeps it so', async () => {
    h = await startHarness({ env: ENV });
    await h.step();
    h.clock.advanceSec(3);
    h.sim.addLedgerRow({ type: 'trade', asset: 'XXDG', amount: '-50.00000000', fee: '0', refid: 'TALONE-1' });
    await h.step();
    for (let i = 0; i < 25; i++) await h.step(); // 750 s: past the lookback window
    await h.restart();
    await h.step();
    const r = recon(h);
    expect(h.daemon.status?.external_flows.flow_count).toBe(0);
    expect(r.ledger_trading_doge_eq).toBeCloseTo(-50, 9);
    expect(Math.abs(r.adjusted_drift_doge ?? NaN)).toBeLessThan(1e-9);
  });

  it('a deposit Kraken books in the baseline\'s second, after the first Balance read, is a flow (not lost under the import floor)', async () => {
    let reads = 0;
    const wrapKraken = (api: KrakenApi, sim: KrakenSim): KrakenApi => ({
      balance: async (sig) => {
        const b = await api.balance(sig);
        if (++reads === 1) sim.addLedgerRow({ type: 'deposit', asset: 'XXDG', amount: '5.00000000', fee: '0' }); // same second
        return b;
      },
      ledgers: (p, sig) => api.ledgers(p, sig),
      ticker: (p, sig) => api.ticker(p, sig),
      assetPairs: (p, sig) => api.assetPairs(p, sig),
      serverTime: (sig) => api.serverTime(sig),
      webSocketsToken: (sig) => api.webSocketsToken(sig),
    });
    h = await startHarness({ env: ENV, wrapKraken });
    await h.step();
    expect(h.daemon.status?.balance_recon.baseline?.doge).toBe(10000);
    await h.step();
    await h.step();
    const s = h.daemon.status;
    expect(s?.balances.doge).toBe(10005);
    expect(s?.external_flows.flow_count).toBe(1);
    expect(s?.balance_recon.baseline?.doge).toBe(10005);
    expect(s?.balance_recon.adjusted_drift_doge).toBe(0);
  });
});
