import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/daemon-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const STAGE2 = { FLOW_DETECTION_ENABLED: 'true', FLOW_BASELINE_AUTO_ADJUST: 'true', FLOW_POLL_INTERVAL_SEC: '60' };

describe('the loop against the simulated Kraken', () => {
  it('sets the baseline from the first balances and price and reports zero drift', async () => {
    h = await startHarness();
    await h.step();
    const s = h.daemon.status;
    expect(s?.mode).toBe('live');
    expect(s?.pair).toEqual({ altname: 'XDGUSD', base: 'DOGE', quote: 'USD' });
    expect(s?.price.last).toBe(0.1);
    expect(s?.balances).toMatchObject({ doge: 10000, usd: 1000, ok: true });
    expect(s?.balance_recon).toMatchObject({
      baseline: { doge: 10000, usd: 1000 },
      current_doge_eq: 20000,
      baseline_doge_eq: 20000,
      bot_pnl_usd: 0,
      drift_doge: 0,
      drift_pct: 0,
      status: 'ok',
    });
    expect(s?.rollout).toMatchObject({ stage: 0 });
    expect(s?.budget).toMatchObject({ tier: 'starter', max: 15, calls: 1, deferrals: 0 });
  });

  it('shows unexplained drift when money moves without a ledger flow, and not when only the price moves', async () => {
    h = await startHarness();
    await h.step();
    h.sim.setPrice('0.2');
    await h.step();
    expect(h.daemon.status?.balance_recon.drift_doge).toBe(0);
    h.sim.setBalance('XXDG', '9700'); // 300 DOGE gone with no ledger row: 1.5 % of 20000 DOGE-eq at 0.2? (10000 + 1000/0.2 = 15000 → 2 %)
    await h.step();
    expect(h.daemon.status?.balance_recon).toMatchObject({ drift_doge: -300, drift_pct: -2, status: 'warn' });
  });

  it('detects a deposit, moves the baseline, and keeps adjusted drift at zero (stage 2)', async () => {
    h = await startHarness({ env: STAGE2 });
    await h.step();
    h.clock.advanceSec(10);
    h.sim.addLedgerRow({ type: 'deposit', asset: 'XXDG', amount: '500.00000000', fee: '0' });
    await h.step(60);
    const r = h.daemon.status?.balance_recon;
    expect(r).toMatchObject({ external_flow_count: 1, external_flows_doge_eq: 500, adjusted_drift_doge: 0, drift_doge: 0 });
    expect(r?.baseline?.doge).toBe(10500);
    expect(h.daemon.status?.external_flows).toMatchObject({ flow_count: 1, deposits_doge_eq: 500, baseline_adjustments: 1, flow_poll_ok: true });
    expect(h.daemon.status?.external_flows.recent_audit[0]).toMatchObject({ net: 500, before: 10000, after: 10500 });
  });

  it('polls early when fresh balances show drift over the threshold, instead of warning for a whole interval', async () => {
    h = await startHarness({ env: { ...STAGE2, FLOW_POLL_INTERVAL_SEC: '600' } });
    await h.step();
    await h.step(); // the first poll completed
    h.clock.advanceSec(5);
    h.sim.addLedgerRow({ type: 'deposit', asset: 'XXDG', amount: '5000.00000000', fee: '0' }); // +25 % of equity
    await h.step();
    expect(h.daemon.status?.external_flows.flow_count).toBe(1);
    expect(h.daemon.status?.balance_recon.adjusted_status).toBe('ok');
  });

  it('observe-only mode leaves the baseline alone and reports the same unexplained drift (stage 1)', async () => {
    h = await startHarness({ env: { ...STAGE2, FLOW_BASELINE_AUTO_ADJUST: 'false' } });
    await h.step();
    h.clock.advanceSec(10);
    h.sim.addLedgerRow({ type: 'withdrawal', asset: 'ZUSD', amount: '-100.0000', fee: '2.0000' });
    await h.step(60);
    const r = h.daemon.status?.balance_recon;
    expect(r?.baseline?.usd).toBe(1000);
    expect(r?.drift_doge).toBeCloseTo(-1020, 9);
    expect(r?.adjusted_drift_doge).toBeCloseTo(0, 9);
    expect(h.daemon.status?.external_flows).toMatchObject({ withdrawals_doge_eq: 1020, baseline_adjustments: 0 });
  });

  it('imports a 130-row poll over several ticks within the per-tick budget, exactly once', async () => {
    h = await startHarness({ env: STAGE2 });
    await h.step();
    h.clock.advanceSec(5);
    for (let i = 0; i < 130; i++) h.sim.addLedgerRow({ type: i % 10 === 0 ? 'deposit' : 'trade', asset: 'XXDG', amount: '1.00000000', fee: '0' });
    for (let i = 0; i < 6; i++) await h.step(60);
    expect(h.daemon.status?.external_flows.flow_count).toBe(13);
    // The 117 trade rows are the bot's: with flow detection on, BOT_PNL_SOURCE=auto reads its P&L from the ledger.
    expect(h.daemon.status?.balance_recon).toMatchObject({ bot_pnl: { source: 'ledger' }, bot_pnl_doge_eq: 117, ledger_trading_doge_eq: 117, adjusted_drift_doge: 0 });
    const ledgerCalls = h.sim.stats().requests.filter((r) => r.endpoint === 'Ledgers').length;
    expect(ledgerCalls).toBeGreaterThanOrEqual(3);
    expect(h.daemon.budget.rateLimitErrors).toBe(0);
  });

  it('under a tight budget, balance refreshes and ledger polls both keep making progress', async () => {
    // Starter tier decays 0.66 points per 2 s tick: far less than a balance (1) plus a page (2) every tick.
    h = await startHarness({ env: { ...STAGE2, LOOP_INTERVAL_SEC: '2', FLOW_POLL_INTERVAL_SEC: '4' } });
    const calls = (endpoint: string): number => h?.sim.stats().requests.filter((r) => r.endpoint === endpoint && r.outcome === 'ok').length ?? 0;
    for (let i = 0; i < 30; i++) await h.step();
    h.clock.advanceSec(1);
    h.sim.addLedgerRow({ type: 'deposit', asset: 'XXDG', amount: '42.00000000', fee: '0' });
    const before = { balance: calls('Balance'), ledgers: calls('Ledgers') };
    for (let i = 0; i < 60; i++) await h.step();
    expect(calls('Balance') - before.balance).toBeGreaterThanOrEqual(10);
    expect(calls('Ledgers') - before.ledgers).toBeGreaterThanOrEqual(10);
    expect(h.daemon.status?.external_flows.flow_count).toBe(1);
    expect(h.daemon.status?.budget.rate_limit_errors).toBe(0);
    expect(h.daemon.status?.budget.deferrals).toBeGreaterThan(0);
  });

  it('keeps working through Kraken faults and recovers on the next tick', async () => {
    h = await startHarness({ env: STAGE2 });
    await h.step();
    for (const fault of [
      { kind: 'error', error: 'EService:Unavailable' },
      { kind: 'http', status: 502, body: '<html><body>bad gateway</body></html>', contentType: 'text/html' },
      { kind: 'malformed-json' },
      { kind: 'reset' },
    ] as const) {
      h.sim.inject(fault, { endpoint: 'Balance', count: 5 });
      await h.step();
      expect(h.daemon.status?.balances.ok).toBe(false);
      expect(h.daemon.status?.balances.last_error).toBeTruthy();
      h.sim.clearFaults();
      await h.step();
      expect(h.daemon.status?.balances.ok).toBe(true);
    }
    expect(h.daemon.status?.loop.tick_errors).toBe(0);
    expect(Object.keys(h.daemon.status?.budget.errors_by_code ?? {})).toEqual(
      expect.arrayContaining(['EService:Unavailable', 'HTTP:502', 'BODY:malformed', 'NET:error']),
    );
  });

  it('a rate-limit answer fills the model, pauses private calls, and counts it', async () => {
    h = await startHarness();
    await h.step();
    h.sim.inject({ kind: 'error', error: 'EAPI:Rate limit exceeded' }, { endpoint: 'Balance' });
    await h.step();
    const b = h.daemon.status?.budget;
    expect(b?.rate_limit_errors).toBe(1);
    expect(b?.paused_until).not.toBeNull();
    const callsBefore = h.sim.stats().requests.filter((r) => r.endpoint === 'Balance').length;
    await h.step(1);
    expect(h.sim.stats().requests.filter((r) => r.endpoint === 'Balance').length).toBe(callsBefore);
    expect(h.daemon.status?.budget.deferrals).toBeGreaterThan(0);
    await h.step(120);
    expect(h.daemon.status?.balances.ok).toBe(true);
  });

  it('a lockout stops private calls for 15 minutes', async () => {
    h = await startHarness();
    await h.step();
    h.sim.inject({ kind: 'error', error: 'EGeneral:Temporary lockout' }, { endpoint: 'Balance' });
    await h.step();
    const sent = (): number => h?.sim.stats().requests.filter((r) => r.endpoint === 'Balance').length ?? 0;
    const before = sent();
    for (let i = 0; i < 20; i++) await h.step(30); // 10 minutes
    expect(sent()).toBe(before);
    expect(h.daemon.status?.budget.lockouts).toBe(1);
    await h.step(400);
    expect(sent()).toBe(before + 1);
  });

  it('a rejected key is fatal to private calls but the daemon keeps serving', async () => {
    h = await startHarness();
    await h.step();
    h.sim.inject({ kind: 'error', error: 'EAPI:Invalid key' }, { endpoint: 'Balance' });
    await h.step();
    expect(h.daemon.status?.budget.fatal_error).toMatch(/Invalid key/);
    expect(h.daemon.status?.price.ok).toBe(true);
    expect(h.log.text()).toMatch(/Kraken rejected the API key/);
  });

  it('a key without the ledger permission stops flow detection only; balances go on', async () => {
    h = await startHarness({ env: STAGE2 });
    await h.step();
    h.sim.inject({ kind: 'error', error: 'EGeneral:Permission denied' }, { endpoint: 'Ledgers', count: 100 });
    await h.step(60);
    expect(h.daemon.status?.external_flows).toMatchObject({ flow_poll_ok: false, last_error: expect.stringMatching(/Permission denied/) });
    expect(h.daemon.status?.budget.fatal_error).toBeNull();
    h.sim.setBalance('XXDG', '10001.00000000');
    const ledgerCalls = (): number => h?.sim.stats().requests.filter((r) => r.endpoint === 'Ledgers').length ?? 0;
    const before = ledgerCalls();
    for (let i = 0; i < 5; i++) await h.step(60);
    expect(h.daemon.status?.balances.doge).toBe(10001);
    expect(ledgerCalls()).toBe(before); // paused for 15 minutes
    expect(h.log.text()).toMatch(/Query Ledger Entries/);
  });

  it('uses the bot P&L source and marks it stale when it fails', async () => {
    let value = 10;
    let fail = false;
    h = await startHarness({
      pnlSource: {
        kind: 'http',
        read: async () => {
          if (fail) throw new Error('bot down');
          return value;
        },
      },
    });
    await h.step();
    value = 15; // the bot made 5 USD
    h.sim.setBalance('ZUSD', '1005.0000');
    await h.step();
    expect(h.daemon.status?.balance_recon).toMatchObject({ bot_pnl_usd: 5, bot_pnl_doge_eq: 50, drift_doge: 0 });
    fail = true;
    await h.step();
    expect(h.daemon.status?.balance_recon.bot_pnl).toMatchObject({ ok: false, stale: true, last_error: 'bot down' });
    expect(h.daemon.status?.balance_recon.bot_pnl_usd).toBe(5);
  });
});

describe('restarts', () => {
  it('keeps the baseline, cursor and flows, and never counts a flow twice', async () => {
    h = await startHarness({ env: STAGE2 });
    await h.step();
    h.clock.advanceSec(5);
    h.sim.addLedgerRow({ type: 'deposit', asset: 'XXDG', amount: '100.00000000', fee: '0' });
    await h.step(60);
    expect(h.daemon.status?.external_flows.flow_count).toBe(1);
    const baselineTs = h.daemon.state.baseline?.ts;
    await h.restart();
    h.clock.advanceSec(5);
    h.sim.addLedgerRow({ type: 'deposit', asset: 'ZUSD', amount: '10.0000', fee: '0' });
    await h.step(60);
    await h.step(60);
    const s = h.daemon.status;
    expect(s?.external_flows.flow_count).toBe(2);
    expect(s?.balance_recon.baseline).toMatchObject({ doge: 10100, usd: 1010, ts: baselineTs });
    expect(s?.balance_recon.adjusted_drift_doge).toBe(0);
  });

  it('switching auto-adjust on at a restart applies the flows observed while it was off', async () => {
    h = await startHarness({ env: { ...STAGE2, FLOW_BASELINE_AUTO_ADJUST: 'false' } });
    await h.step();
    h.clock.advanceSec(5);
    h.sim.addLedgerRow({ type: 'deposit', asset: 'XXDG', amount: '250.00000000', fee: '0' });
    await h.step(60);
    const observed = h.daemon.status?.balance_recon.adjusted_drift_doge;
    await h.restart(STAGE2);
    await h.step();
    expect(h.daemon.status?.balance_recon.baseline?.doge).toBe(10250);
    expect(h.daemon.status?.balance_recon.adjusted_drift_doge).toBe(observed);
    expect(h.daemon.status?.external_flows.recent_audit[0]?.reason).toMatch(/switched on/);
  });

  it('keeps nonces increasing across a restart even if the clock steps back', async () => {
    h = await startHarness();
    await h.step();
    await h.step();
    h.clock.ms -= 60_000; // the host clock stepped back a minute
    await h.restart();
    await h.step(1);
    expect(h.daemon.status?.balances.ok).toBe(true);
    expect(h.daemon.status?.budget.fatal_error).toBeNull();
  });
});

describe('lockout across a restart', () => {
  it('a restart during a lockout does not call Kraken until the pause ends', async () => {
    h = await startHarness();
    await h.step();
    h.sim.inject({ kind: 'error', error: 'EGeneral:Temporary lockout' }, { endpoint: 'Balance' });
    await h.step();
    const sent = (): number => h?.sim.stats().requests.filter((r) => r.endpoint === 'Balance').length ?? 0;
    const before = sent();
    await h.restart();
    await h.step(60);
    expect(sent()).toBe(before);
    expect(h.daemon.status?.budget.paused_until).toBeGreaterThan(h.daemon.nowSec());
    await h.step(900);
    expect(sent()).toBe(before + 1);
  });
});
