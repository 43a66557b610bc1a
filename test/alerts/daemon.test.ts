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
