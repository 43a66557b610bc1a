import { afterEach, describe, expect, it } from 'vitest';
import type { AlertMessage } from '../../src/alerts/types.js';
import { startHarness, type Harness } from '../helpers/daemon-harness.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';
import { wireAlerts as wire } from './wire.js';

let h: Harness | undefined;
let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  await h?.close();
  await receiver?.close();
  h = undefined;
  receiver = undefined;
});

describe('alerts on the daemon against the simulated Kraken', () => {
  it('a deposit, a drift that turns and clears, through a webhook whose first answer fails; a restart sends nothing again', async () => {
    receiver = await WebhookReceiver.start();
    receiver.answer(500);
    h = await startHarness({
      env: { FLOW_DETECTION_ENABLED: 'true', FLOW_BASELINE_AUTO_ADJUST: 'true', FLOW_POLL_INTERVAL_SEC: '60', ALERT_WEBHOOK_URL: receiver.url, ALERT_MIN_INTERVAL_SEC: '0' },
    });
    let alerts = wire(h);
    const step = async (sec?: number): Promise<void> => {
      await h?.step(sec);
      if (h?.daemon.status) alerts.onSnapshot(h.daemon.status);
      await alerts.idle();
    };
    await step();
    await step();
    const dep = h.sim.addLedgerRow({ type: 'deposit', asset: 'XXDG', amount: '2500.00000000', fee: '0' });
    await step(60);
    h.sim.setBalance('XXDG', '12000.00000000'); // 500 DOGE vanish: 2.2 % of the adjusted baseline
    await step(60);
    await step(30);

    // Restart on the same files while the drift is still over the threshold: the remembered state comes back,
    // so the warning is not sent again (a lost state would see "nothing → warn" and repeat it).
    await h.restart();
    alerts = wire(h);
    await step(30);
    await step(30);
    h.sim.setBalance('XXDG', '12500.00000000');
    await step(60);
    await step(30);

    const delivered = receiver.received.filter((r) => r.answer === 200).map((r) => JSON.parse(r.body) as AlertMessage);
    expect(receiver.received[0]?.answer).toBe(500);
    expect(delivered.map((m) => m.event)).toEqual(['flow', 'drift_warn', 'drift_ok']);
    expect(delivered[0]?.text).toContain(dep.id);
    expect(delivered[0]?.text).toMatch(/1 external flow: deposit \+2,500 DOGE/);
    expect(delivered[1]?.text).toMatch(/^XDGUSD: Unexplained −500 DOGE-eq \(−2\.\d\d%\), over the ±1% threshold$/);
    expect(delivered[2]?.text).toMatch(/^XDGUSD: Unexplained back to /);
    expect(h.daemon.status?.alerts).toMatchObject({ configured: true, format: 'json', sent: 3, failed: 0, pending: 0 });
  });
});

/** The daemon with alerts wired as sidecar.ts wires them; `step` runs a tick and delivers what it raised. */
async function start(env: Record<string, string> = {}): Promise<{ h: Harness; step: (sec?: number) => Promise<void>; restart: () => Promise<void>; events: () => string[] }> {
  const rx = await WebhookReceiver.start();
  const hh = await startHarness({ env: { ALERT_WEBHOOK_URL: rx.url, ALERT_MIN_INTERVAL_SEC: '0', ...env } });
  h = hh;
  receiver = rx;
  let alerts = wire(hh);
  return {
    h: hh,
    step: async (sec) => {
      await hh.step(sec);
      if (hh.daemon.status) alerts.onSnapshot(hh.daemon.status);
      await alerts.idle();
    },
    restart: async () => {
      await hh.restart();
      alerts = wire(hh);
    },
    events: () => rx.received.map((r) => (JSON.parse(r.body) as AlertMessage).event),
  };
}

describe('alerts after a restart that serves the last known figures (stale, from disk)', () => {
  it('a long stop, then Kraken failing: `stale` waits for 5 intervals of this run, not the age of the saved figures', async () => {
    const t = await start();
    await t.step();
    await t.step();
    await t.h.daemon.shutdown();
    t.h.clock.advanceSec(3600);
    t.h.sim.inject({ kind: 'http', status: 503 }, { count: 1000 });
    await t.restart();
    await t.step();
    expect(t.h.daemon.status?.price).toMatchObject({ stale: true });
    expect(t.events()).toEqual([]); // one failed tick after a restart is not "no fresh figures for 5 intervals"
    for (let i = 0; i < 5; i++) await t.step();
    expect(t.events()).toEqual(['stale']);
  });

  it('SIGKILL just after a drift warning, restart into a Kraken outage: the saved figures do not "clear" the drift, nothing is sent twice', async () => {
    const t = await start({ FLOW_DETECTION_ENABLED: 'true', FLOW_BASELINE_AUTO_ADJUST: 'true', FLOW_POLL_INTERVAL_SEC: '60' });
    await t.step();
    await t.step();
    t.h.sim.setBalance('XXDG', '9500.00000000'); // 500 DOGE vanish: 5 % of the baseline
    await t.step(60);
    expect(t.events()).toEqual(['drift_warn']);
    // SIGKILL: no shutdown save; what is on disk is the tick's own save and the alert sender's.
    t.h.sim.inject({ kind: 'http', status: 503 }, { count: 1000 });
    await t.restart();
    await t.step();
    await t.step();
    t.h.sim.clearFaults();
    await t.step(60);
    await t.step(60);
    expect(t.h.daemon.status?.balance_recon).toMatchObject({ adjusted_status: 'warn', stale: false });
    expect(t.events()).toEqual(['drift_warn']);
  });

  it('a rejected key, restarted inside the pause it caused: still reported, and alerted once when Kraken refuses it again', async () => {
    const t = await start();
    await t.step();
    t.h.sim.inject({ kind: 'error', error: 'EAPI:Invalid key' }, { endpoint: 'Balance', count: 1000 });
    await t.step();
    expect(t.events()).toEqual(['kraken_key']);
    await t.h.daemon.shutdown();
    await t.restart();
    await t.step();
    expect(t.h.daemon.status?.budget.fatal_error).toContain('EAPI:Invalid key');
    const balanceCalls = (): number => t.h.sim.stats().requests.filter((r) => r.endpoint === 'Balance').length;
    const before = balanceCalls();
    for (let i = 0; i < 35; i++) await t.step(); // past the 15-minute pause: Kraken refuses the key again
    expect(balanceCalls()).toBeGreaterThan(before);
    expect(t.events()).toEqual(['kraken_key']);
  });
});
