// Live mode end to end, in real time: the daemon's real loop and the real socket client against the simulator's
// HTTP and WebSocket v2 endpoints over loopback. Doorbell rounds come no closer than LOOP_INTERVAL_SEC (4 s here),
// so each booking waits that long after the last round, then must be on /status well before the next scheduled
// tick could have read it.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { balancesFeedFactory } from '../../src/bot/live-feed.js';
import { FakeClock, startHarness, type Harness } from '../helpers/daemon-harness.js';

class WallClock extends FakeClock {
  override now = (): number => Date.now();
}

let h: Harness | undefined;
let stopLoop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stopLoop?.();
  await h?.close();
  h = undefined;
  stopLoop = undefined;
});

const ENV = { FLOW_DETECTION_ENABLED: 'true', FLOW_BASELINE_AUTO_ADJUST: 'true', LOOP_INTERVAL_SEC: '4', FLOW_POLL_INTERVAL_SEC: '3600' };
const FAST = { staleMs: 1500, pingMs: 500, backoffBaseMs: 100, backoffMaxMs: 500, stableMs: 2000 };

async function until(what: string, timeoutMs: number, probe: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

async function live(opts: { permissions?: Array<'query_funds' | 'query_ledger' | 'websocket'> } = {}): Promise<Harness> {
  const harness = await startHarness({
    env: ENV,
    clock: new WallClock(),
    sim: { requestLogMax: 10_000 },
    ...(opts.permissions === undefined ? {} : { keyPermissions: opts.permissions }),
  });
  h = harness;
  const d = harness.daemon;
  d.startLive(balancesFeedFactory(d, harness.sim.wsUrl, harness.log.logger, FAST));
  const abort = new AbortController();
  const loop = d.run(abort.signal, (ms, signal) => sleep(ms, undefined, { signal }));
  stopLoop = async () => {
    abort.abort();
    await loop;
    await d.shutdown();
  };
  await until('the first tick', 10_000, () => d.ticks >= 1);
  return harness;
}

function calls(harness: Harness, endpoint: string, sinceMs = 0): number {
  return harness.sim.stats().requests.filter((r) => r.endpoint === endpoint && r.time > sinceMs).length;
}

describe('live mode over the real socket', () => {
  it('books a deposit from REST about a second after Kraken pushes it, then reads nothing while quiet', async () => {
    const harness = await live();
    const d = harness.daemon;
    await until('push mode', 10_000, () => d.liveStatus().mode === 'push');
    await until('the snapshot round', 10_000, () => d.ticks >= 2);
    await sleep(4_500); // past the spacing; the next scheduled tick is ~3.5 s away
    const t0 = Date.now();
    harness.sim.activity.deposit('XXDG', '5', { time: t0 / 1000 });
    await until('the deposit on /status', 5_000, () => d.status?.external_flows.flow_count === 1);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(d.status?.balance_recon.last_flow).toMatchObject({ net: 5, category: 'external' });
    expect(d.status?.balance_recon.adjusted_drift_doge).toBe(0);
    expect(d.status?.live).toMatchObject({ mode: 'push', connected: true, reason: null, system: 'online' });
    const quietFrom = Date.now();
    await sleep(5_000); // a scheduled tick passes: it reads nothing while push holds
    expect(calls(harness, 'Balance', quietFrom) + calls(harness, 'Ledgers', quietFrom)).toBe(0);
    expect(calls(harness, 'GetWebSocketsToken')).toBe(1);
  }, 30_000);

  it('a trade rings twice (one message a leg) and costs one REST round; Unexplained stays exact', async () => {
    const harness = await live();
    const d = harness.daemon;
    await until('push mode', 10_000, () => d.liveStatus().mode === 'push');
    await until('the snapshot round', 10_000, () => d.ticks >= 2);
    await sleep(4_500);
    const rung = d.doorbell.rung;
    const balances = calls(harness, 'Balance');
    harness.sim.activity.trade({ side: 'buy', volume: '100', price: '0.1' });
    await until('the trade in the ledger totals', 5_000, () => Number(d.state.totals.trading.base) !== 0);
    await sleep(300);
    expect(d.doorbell.rung - rung).toBe(2);
    expect(calls(harness, 'Balance') - balances).toBe(1);
    expect(Math.abs(d.status?.balance_recon.adjusted_drift_doge ?? 1)).toBeLessThan(1e-9);
  }, 30_000);

  it('a stalled socket is given up after the stale window, polling takes over, and push comes back on reconnect', async () => {
    const harness = await live();
    const d = harness.daemon;
    await until('push mode', 10_000, () => d.liveStatus().mode === 'push');
    harness.sim.ws.act({ kind: 'stall' });
    // The spell of polling lasts a quick retry (0–50 ms here) and a handshake: sampled every 20 ms on a busy
    // machine it can pass unseen. So this waits for whichever comes first, polling seen (its reason checked) or the
    // reconnect that only a socket given up makes.
    const reasons: Array<string | null> = [];
    await until('polling or the reconnect', 5_000, () => {
      const s = d.liveStatus();
      if (s.mode === 'poll') reasons.push(s.reason);
      return s.mode === 'poll' || s.reconnects >= 1;
    });
    // Polling says why: the stale drop itself, or the reconnect's own steps that follow it at once.
    for (const reason of reasons) expect(reason).toMatch(/stale|no message|fetching a token|waiting for the subscription/i);
    await until('push again', 10_000, () => d.liveStatus().mode === 'push' && d.liveStatus().reconnects >= 1);
    expect(d.liveStatus().reconnects).toBeGreaterThanOrEqual(1);
    expect(calls(harness, 'GetWebSocketsToken')).toBeGreaterThanOrEqual(2); // a fresh token per connection
  }, 30_000);

  it('close code 1008 stops the retries; the REST key keeps working and every tick polls', async () => {
    const harness = await live();
    const d = harness.daemon;
    await until('push mode', 10_000, () => d.liveStatus().mode === 'push');
    const connections = harness.sim.ws.stats().connections;
    harness.sim.ws.act({ kind: 'close', code: 1008, reason: 'policy violation' });
    await until('polling', 5_000, () => d.liveStatus().mode === 'poll');
    await sleep(1_500);
    expect(harness.sim.ws.stats().connections).toBe(connections);
    expect(d.liveStatus().reason).toMatch(/^refused: .*1008/);
    expect(d.status?.budget.fatal_error ?? null).toBeNull();
  }, 30_000);

  it('a key without the WebSocket permission: one refused token, REST polling as before, said on /status', async () => {
    const harness = await live({ permissions: ['query_funds', 'query_ledger'] });
    const d = harness.daemon;
    await until('the refusal', 10_000, () => d.liveStatus().reason?.startsWith('refused:') === true);
    await sleep(1_000);
    expect(d.liveStatus()).toMatchObject({ mode: 'poll', connected: false });
    expect(d.liveStatus().reason).toContain('EGeneral:Permission denied');
    expect(calls(harness, 'GetWebSocketsToken')).toBe(1);
    expect(harness.sim.ws.stats().connections).toBe(0);
    expect(d.status?.balances.ok).toBe(true);
    expect(d.status?.budget.fatal_error ?? null).toBeNull();
  }, 30_000);

  it('maintenance on the status channel: polling while it lasts, push again when online', async () => {
    const harness = await live();
    const d = harness.daemon;
    await until('push mode', 10_000, () => d.liveStatus().mode === 'push');
    harness.sim.ws.setSystem('maintenance');
    await until('polling', 5_000, () => d.liveStatus().mode === 'poll');
    expect(d.liveStatus().system).toBe('maintenance');
    harness.sim.ws.setSystem('online');
    await until('push again', 15_000, () => d.liveStatus().mode === 'push');
  }, 30_000);
});
