import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/daemon-harness.js';
import { identityGap } from '../reports/fixtures.js';

// 10-minute periods; the harness clock starts at 1 700 000 000 s, 200 s into a period.
const ENV = { FLOW_DETECTION_ENABLED: 'true', FLOW_BASELINE_AUTO_ADJUST: 'true', FLOW_POLL_INTERVAL_SEC: '60', REPORT_PERIOD_SEC: '600' };

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const report = (x: Harness) => x.daemon.reports.exports?.report;

describe('period reports fed by the loop', () => {
  it('a deposit, a price move, a Kraken outage over a whole period and a restart: rows sum, chain and say what is missing', async () => {
    h = await startHarness({ env: ENV });
    await h.step(); // t = 230 s into the period: baseline and first sample
    expect(report(h)?.periods).toHaveLength(1);
    expect(report(h)?.periods[0]).toMatchObject({ open: true, complete: true, start_usd: 2000, end_usd: 2000 });

    h.clock.advanceSec(5);
    h.sim.addLedgerRow({ type: 'deposit', asset: 'ZUSD', amount: '300.0000', fee: '0' });
    await h.step(60);
    await h.step(60);
    h.sim.setPrice('0.1200000');
    for (let i = 0; i < 12; i++) await h.step(); // into the second period (at 715 s)
    let p = report(h)?.periods ?? [];
    expect(p).toHaveLength(2);
    expect(p[0]).toMatchObject({ open: false, complete: true, deposits_usd: 300, unexplained_usd: 0 });
    expect(p[1]?.start_usd).toBe(p[0]?.end_usd);
    expect(p[0]?.price_effect_usd).toBeCloseTo(10_000 * 0.02, 9); // the move came before the period ended
    expect(p[0]?.end_price).toBe(0.12);

    // Balance fails for longer than a whole period: that period has no figures, the next carries the gap.
    h.sim.inject({ kind: 'error', error: 'EService:Unavailable' }, { endpoint: 'Balance', count: 200 });
    for (let i = 0; i < 50; i++) await h.step(); // 1 500 s
    h.sim.clearFaults();
    h.sim.addLedgerRow({ type: 'withdrawal', asset: 'ZUSD', amount: '-100.0000', fee: '1.0000' });

    // A restart in the middle of a period.
    await h.daemon.shutdown();
    await h.restart();
    for (let i = 0; i < 4; i++) await h.step();
    p = report(h)?.periods ?? [];
    expect(p.some((r) => !r.complete && r.start_usd === null)).toBe(true);
    const complete = p.filter((r) => r.complete);
    for (const r of complete) expect(identityGap(r)).toBeLessThan(1e-9);
    for (let i = 1; i < complete.length; i++) expect(complete[i]?.start_usd).toBe(complete[i - 1]?.end_usd);
    const all = (k: 'deposits_usd' | 'withdrawals_usd' | 'unexplained_usd') => complete.reduce((a, r) => a + (r[k] ?? 0), 0);
    expect(all('deposits_usd')).toBe(300);
    expect(all('withdrawals_usd')).toBeCloseTo(101, 9);
    expect(all('unexplained_usd')).toBeCloseTo(0, 9);
    expect(p.at(-1)).toMatchObject({ open: true, complete: true });
    expect(report(h)?.summary['7d'].deposits_usd).toBe(300);
  });

  it('the history survives in __recon_state_v1__ (field reports) and an unknown zone never reaches the loop', async () => {
    h = await startHarness({ env: ENV });
    for (let i = 0; i < 25; i++) await h.step();
    const before = report(h);
    await h.daemon.shutdown();
    await h.restart();
    expect(h.daemon.state.reports?.closes.length).toBeGreaterThan(1);
    await h.step(0);
    expect(report(h)?.periods.slice(0, -1)).toEqual(before?.periods.slice(0, -1));
    await expect(h.restart({ ...ENV, REPORT_TZ: 'Mars/Olympus_Mons' })).rejects.toThrow(/REPORT_TZ: must be an IANA time zone/);
  });
});

describe('period reports read what the ledger accounting writes', () => {
  it('a reward lands in income_usd and a ledger trade in bot_pnl_usd, and the row still sums', async () => {
    h = await startHarness({ env: ENV });
    await h.step(); // baseline and first sample, in the open period
    h.clock.advanceSec(5);
    h.sim.addLedgerRow({ type: 'earn', subtype: 'reward', asset: 'USD.F', amount: '2.5000', fee: '0' });
    // A bot fill: +100 DOGE for 9.00 USD and a 0.02 USD fee, while the market price is 0.10 (P&L 0.98 USD).
    h.sim.addLedgerRow({ type: 'trade', subtype: 'tradespot', asset: 'XXDG', amount: '100.00000000', fee: '0', refid: 'TREV2' });
    h.sim.addLedgerRow({ type: 'trade', subtype: 'tradespot', asset: 'ZUSD', amount: '-9.0000', fee: '0.0200', refid: 'TREV2' });
    await h.step(60);
    await h.step(60);
    const r = h.daemon.status?.balance_recon;
    expect(r?.bot_pnl.source).toBe('ledger');
    expect(r?.income_count).toBe(1);
    const open = report(h)?.periods.at(-1);
    expect(open).toMatchObject({ open: true, complete: true, deposits_usd: 0, withdrawals_usd: 0 });
    expect(open?.income_usd).toBeCloseTo(2.5, 9);
    expect(open?.bot_pnl_usd).toBeCloseTo(100 * 0.1 - 9 - 0.02, 9);
    expect(open?.unexplained_usd).toBeCloseTo(0, 9);
    if (open === undefined) throw new Error('no open period');
    expect(identityGap(open)).toBeLessThan(1e-9);
    expect(report(h)?.summary['7d'].income_usd).toBeCloseTo(2.5, 9);
  });
});
