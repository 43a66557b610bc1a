import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertsStatus } from '../../src/alerts/types.js';
import { KrakenSim } from '../../src/kraken/sim/index.js';
import { spawnSidecar } from '../helpers/process.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';

let dataDir = '';
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sidecar-alerts-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function alertsOf(url: string): Promise<AlertsStatus | null> {
  const res = await fetch(`${url}status`);
  if (res.status !== 200) return null;
  return ((await res.json()) as { alerts: AlertsStatus }).alerts;
}

async function until<T>(what: string, f: () => Promise<T | null | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== null && v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('alerts in the sidecar process', () => {
  it('exits with code 2 naming the variable for an unknown event, a non-http URL, telegram without a chat id', async () => {
    const p = spawnSidecar({ ALERT_EVENTS: 'drift_warn,bogus', ALERT_WEBHOOK_URL: 'file:///etc/passwd', DATA_DIR: dataDir });
    expect((await p.exited()).code).toBe(2);
    expect(p.output()).toMatch(/^config error: ALERT_EVENTS: must be a comma list of drift_warn, /m);
    expect(p.output()).toMatch(/^config error: ALERT_WEBHOOK_URL: must be an http\(s\) URL \(got <hidden>\)$/m);
    expect(p.output()).not.toContain('/etc/passwd');
    const t = spawnSidecar({ ALERT_WEBHOOK_URL: 'https://api.telegram.org/bot1:x/sendMessage', ALERT_WEBHOOK_FORMAT: 'telegram', DATA_DIR: dataDir });
    expect((await t.exited()).code).toBe(2);
    expect(t.output()).toMatch(/^config error: ALERT_TELEGRAM_CHAT_ID: required when ALERT_WEBHOOK_FORMAT=telegram$/m);
  });

  it('a rejected key alerts once through a webhook whose first answer fails; a SIGKILL and restart send nothing again', async () => {
    const receiver = await WebhookReceiver.start('/services/T0/B0/process-secret-xyz789');
    receiver.answer(500); // the first delivery fails, the retry (5 s later) lands
    const known = KrakenSim.generateKey();
    const stranger = KrakenSim.generateKey(); // Kraken does not know this key: EAPI:Invalid key
    const sim = await KrakenSim.start({ keys: [known], initialBalances: { XXDG: '100.00000000', ZUSD: '10.0000' } });
    const env = {
      KRAKEN_API_KEY: stranger.key,
      KRAKEN_API_SECRET: stranger.secret,
      KRAKEN_API_URL: sim.url, KRAKEN_WS_URL: sim.wsUrl,
      PORT: '0',
      LOOP_INTERVAL_SEC: '1',
      LOG_LEVEL: 'debug',
      DATA_DIR: dataDir,
      ALERT_WEBHOOK_URL: receiver.url,
      ALERT_WEBHOOK_FORMAT: 'slack',
    };
    try {
      const p = spawnSidecar(env);
      const url = await p.listening();
      await until('the kraken_key alert', async () => receiver.received.some((r) => r.answer === 200));
      await new Promise((r) => setTimeout(r, 6000)); // past 5 intervals without balances: stale must stay quiet (the key explains it)
      const delivered = await until('the status to show it', async () => ((await alertsOf(url))?.sent ?? 0) >= 1 && (await alertsOf(url)));
      expect(delivered).toMatchObject({ configured: true, format: 'slack', sent: 1, pending: 0, last_error: null });
      expect(receiver.received.map((r) => r.answer)).toEqual([500, 200]);
      expect(JSON.parse(receiver.received[1]?.body ?? '{}')).toEqual({ text: expect.stringMatching(/^XDGUSD: Kraken rejected the key or a permission \(.*EAPI:Invalid key.*\)/) });
      p.child.kill('SIGKILL');
      await p.exited();

      const again = spawnSidecar(env);
      const url2 = await again.listening();
      await new Promise((r) => setTimeout(r, 3000)); // three ticks, all with the key still rejected
      const after = await alertsOf(url2);
      again.child.kill('SIGTERM');
      expect((await again.exited()).code).toBe(0);
      expect(receiver.received).toHaveLength(2);
      expect(after).toMatchObject({ configured: true, sent: 1, pending: 0 });
      const out = p.output() + again.output();
      expect(out).toMatch(/alert delivery failed: HTTP 500/);
      expect(out).not.toContain('process-secret-xyz789');
      expect(JSON.stringify(after)).not.toContain('process-secret-xyz789');
    } finally {
      await receiver.close();
      await sim.close();
    }
  }, 40_000);
  it('a SIGKILL while the webhook holds the request: the restart does not resend it and says so', async () => {
    const receiver = await WebhookReceiver.start('/hook/kill-secret-456');
    receiver.answer('hang');
    const known = KrakenSim.generateKey();
    const stranger = KrakenSim.generateKey();
    const sim = await KrakenSim.start({ keys: [known], initialBalances: { XXDG: '100.00000000', ZUSD: '10.0000' } });
    const dir = await mkdtemp(join(tmpdir(), 'sidecar-alerts-kill-'));
    const env = { KRAKEN_API_KEY: stranger.key, KRAKEN_API_SECRET: stranger.secret, KRAKEN_API_URL: sim.url, KRAKEN_WS_URL: sim.wsUrl, PORT: '0', LOOP_INTERVAL_SEC: '1', DATA_DIR: dir, ALERT_WEBHOOK_URL: receiver.url };
    try {
      const p = spawnSidecar(env);
      await p.listening();
      await receiver.waitFor(1, 15_000); // the kraken_key alert is on the wire, and the receiver holds it
      p.child.kill('SIGKILL');
      await p.exited();
      const again = spawnSidecar(env);
      const url = await again.listening();
      const after = await until('the restart to report the cut request', async () => {
        const a = await alertsOf(url);
        return a !== null && a.failed === 1 && a;
      });
      await new Promise((r) => setTimeout(r, 2000));
      again.child.kill('SIGTERM');
      expect((await again.exited()).code).toBe(0);
      expect(receiver.received).toHaveLength(1); // never resent
      expect(after).toMatchObject({ sent: 0, failed: 1, pending: 0, last_error: '1 alert was being sent when the process stopped; not resent' });
      expect(again.output()).toMatch(/alert delivery was cut by a restart; not resent/);
    } finally {
      await receiver.close();
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 40_000);
});
