// The loop's live mode against the simulator over loopback, with the socket's side scripted (what it reports
// is the feed's contract; the real socket is tested against the simulator's WebSocket in test/kraken/ws and
// end to end in test/live/live-e2e.test.ts). Calls are counted at the simulator.
import { afterEach, describe, expect, it } from 'vitest';
import type { Bell, FeedHealthView, LiveFeed } from '../../src/live/doorbell.js';
import type { RequestLogEntry } from '../../src/kraken/sim/types.js';
import { startHarness, type Harness } from '../helpers/daemon-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const LOOP = 30;
const ENV = { FLOW_DETECTION_ENABLED: 'true', FLOW_BASELINE_AUTO_ADJUST: 'true', LOOP_INTERVAL_SEC: String(LOOP) };
const PRIVATE = new Set(['Balance', 'BalanceEx', 'Ledgers', 'GetWebSocketsToken']);

class ScriptedFeed implements LiveFeed {
  view: FeedHealthView = { connected: false, reason: 'connecting', fatal: null, system: null, reconnects: 0, lastMessageTs: null };
  constructor(private readonly handlers: { onBell: (bell: Bell) => void; onHealth: () => void }) {}
  start(): void {}
  async stop(): Promise<void> {}
  health(): FeedHealthView {
    return this.view;
  }
  set(view: Partial<FeedHealthView>): void {
    this.view = { ...this.view, ...view };
    this.handlers.onHealth();
  }
  ring(kind: Bell['kind'] = 'update'): void {
    this.handlers.onBell({ kind, entries: 1, sequence: null, gap: false });
  }
}

async function withFeed(env: Record<string, string> = {}): Promise<{ h: Harness; feed: ScriptedFeed }> {
  const harness = await startHarness({ env: { ...ENV, ...env }, sim: { requestLogMax: 10_000 } });
  let feed: ScriptedFeed | null = null;
  harness.daemon.startLive((handlers) => (feed = new ScriptedFeed(handlers)));
  if (feed === null) throw new Error('no feed made');
  return { h: harness, feed };
}

/** Private calls during one tick, by endpoint. */
async function tickCalls(harness: Harness, sec = LOOP): Promise<Record<string, number>> {
  const before = harness.sim.stats().requests.length;
  await harness.step(sec);
  const calls: Record<string, number> = {};
  const made: RequestLogEntry[] = harness.sim.stats().requests.slice(before);
  for (const r of made) if (PRIVATE.has(r.endpoint)) calls[r.endpoint] = (calls[r.endpoint] ?? 0) + 1;
  return calls;
}

function connected(feed: ScriptedFeed, harness: Harness): void {
  feed.set({ connected: true, reason: null, system: 'online', lastMessageTs: harness.clock.now() / 1000 });
}

describe('live mode: the socket rings, REST books', () => {

  it('a quiet account in push mode: Balance every BALANCE_SAFETY_INTERVAL_SEC, no Ledgers call within the hour', async () => {
    const { h: harness, feed } = await withFeed();
    h = harness;
    expect(await tickCalls(harness)).toMatchObject({ Balance: 1, Ledgers: 1 }); // baseline and first poll, polling
    expect(harness.daemon.status?.live).toMatchObject({ mode: 'poll', reason: 'connecting' });
    connected(feed, harness);
    feed.ring('snapshot');
    // The snapshot after subscribing is a doorbell: one REST round covers whatever the gap held.
    expect(await tickCalls(harness, 1)).toEqual({ Balance: 1, Ledgers: 1 });
    expect(harness.daemon.status?.live).toMatchObject({ mode: 'push', connected: true, reason: null, system: 'online' });
    const counts: Record<string, number> = {};
    for (let t = 0; t < 1800; t += LOOP) {
      feed.set({ lastMessageTs: harness.clock.now() / 1000 });
      for (const [k, v] of Object.entries(await tickCalls(harness))) counts[k] = (counts[k] ?? 0) + v;
    }
    expect(counts).toEqual({ Balance: 6 }); // 1800 s / 300 s; no Ledgers call (the push interval is an hour)
    expect(harness.daemon.status?.balance_recon.adjusted_status).toBe('ok');
  });

  it('a deposit rings the bell: the next tick reads Balance and the ledger and books it once', async () => {
    const { h: harness, feed } = await withFeed({ FLOW_POLL_INTERVAL_SEC: '3600' });
    h = harness;
    await tickCalls(harness);
    connected(feed, harness);
    feed.ring('snapshot');
    await tickCalls(harness, 1);
    await tickCalls(harness);
    expect(await tickCalls(harness)).toEqual({});
    harness.clock.advanceSec(5);
    harness.sim.activity.deposit('XXDG', '5', { time: harness.sim.now() / 1000 });
    feed.ring();
    expect(await tickCalls(harness, 1)).toEqual({ Balance: 1, Ledgers: 1 });
    const s = harness.daemon.status;
    expect(s?.external_flows.flow_count).toBe(1);
    expect(s?.balance_recon.last_flow).toMatchObject({ net: 5, category: 'external' });
    expect(s?.balance_recon.adjusted_drift_doge).toBe(0);
    // Served: quiet ticks read nothing again, and a repeated bell for the same row counts nothing twice.
    expect(await tickCalls(harness)).toEqual({});
    feed.ring();
    expect(await tickCalls(harness)).toEqual({ Balance: 1, Ledgers: 1 });
    expect(harness.daemon.status?.external_flows.flow_count).toBe(1);
  });

  it('when the socket drops, every tick reads Balance again; the snapshot after reconnecting fills the gap', async () => {
    const { h: harness, feed } = await withFeed({ FLOW_POLL_INTERVAL_SEC: '3600' });
    h = harness;
    await tickCalls(harness);
    connected(feed, harness);
    feed.ring('snapshot');
    await tickCalls(harness, 1);
    expect(await tickCalls(harness)).toEqual({});
    feed.set({ connected: false, reason: 'closed 1006', reconnects: 0 });
    expect(await tickCalls(harness)).toEqual({ Balance: 1 });
    expect(harness.daemon.status?.live).toMatchObject({ mode: 'poll', connected: false, reason: 'closed 1006' });
    // A withdrawal while the socket is down: seen through polling, in the tick whose balances show it.
    harness.clock.advanceSec(3);
    harness.sim.activity.withdraw('ZUSD', '20', { time: harness.sim.now() / 1000 });
    expect(await tickCalls(harness, LOOP - 3)).toEqual({ Balance: 1, Ledgers: 1 });
    expect(harness.daemon.status?.external_flows.flow_count).toBe(1);
    // Back: one round for the snapshot, nothing counted twice.
    connected(feed, harness);
    feed.set({ reconnects: 1 });
    feed.ring('snapshot');
    expect(await tickCalls(harness, 1)).toEqual({ Balance: 1, Ledgers: 1 });
    expect(harness.daemon.status?.external_flows.flow_count).toBe(1);
    expect(harness.daemon.status?.live).toMatchObject({ mode: 'push', reconnects: 1 });
    expect(harness.daemon.status?.balance_recon.adjusted_drift_doge).toBeCloseTo(0, 9);
  });

  it('maintenance and a refused socket fall back to polling and say why', async () => {
    const { h: harness, feed } = await withFeed();
    h = harness;
    await tickCalls(harness);
    connected(feed, harness);
    feed.set({ system: 'maintenance' });
    expect(await tickCalls(harness)).toMatchObject({ Balance: 1 });
    expect(harness.daemon.status?.live).toMatchObject({ mode: 'poll', connected: true, reason: 'system maintenance', system: 'maintenance' });
    feed.set({ system: 'online', fatal: 'EGeneral:Permission denied', connected: false });
    expect(await tickCalls(harness)).toMatchObject({ Balance: 1 });
    expect(harness.daemon.status?.live.reason).toBe('refused: EGeneral:Permission denied');
    // The REST key still works: a socket refusal is not a rejected key.
    expect(harness.daemon.status?.budget.fatal_error).toBeNull();
  });

  it('KRAKEN_WS=off never opens a socket', async () => {
    const harness = await startHarness({ env: { ...ENV, KRAKEN_WS: 'off' } });
    h = harness;
    let made = 0;
    harness.daemon.startLive((handlers) => {
      made++;
      return new ScriptedFeed(handlers);
    });
    await harness.step();
    expect(made).toBe(0);
    expect(harness.daemon.status?.live).toMatchObject({ mode: 'poll', connected: false, reason: 'off (KRAKEN_WS=off)' });
  });
});

describe('the loop wakes for a doorbell', () => {
  it('starts a tick at once for a bell, and the next bell waits out LOOP_INTERVAL_SEC since the last one it served', async () => {
    const { FakeClock } = await import('../helpers/daemon-harness.js');
    const realClock = new (class extends FakeClock {
      override now = (): number => Date.now();
    })();
    const harness = await startHarness({ env: { ...ENV, LOOP_INTERVAL_SEC: '3' }, clock: realClock });
    h = harness;
    let feed: ScriptedFeed | null = null;
    harness.daemon.startLive((handlers) => (feed = new ScriptedFeed(handlers)));
    const f = feed as unknown as ScriptedFeed;
    const tickTimes: number[] = [];
    const stop = new AbortController();
    const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
      new Promise((resolve, reject) => {
        const t = setTimeout(resolve, ms);
        signal.addEventListener('abort', () => (clearTimeout(t), reject(new Error('woken'))), { once: true });
      });
    const waitTicks = async (n: number): Promise<void> => {
      const until = Date.now() + 10_000;
      while (harness.daemon.ticks < n && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      tickTimes.push(Date.now());
    };
    const t0 = Date.now();
    const loop = harness.daemon.run(stop.signal, sleep);
    await waitTicks(1);
    connected(f, harness);
    f.ring('snapshot');
    await waitTicks(2);
    expect(tickTimes[1]! - t0).toBeLessThan(1500); // woken, not the 3 s schedule
    f.ring();
    await waitTicks(3);
    // Served one bell at tick 2: the next waits until 3 s after it (and the schedule says the same).
    expect(tickTimes[2]! - tickTimes[1]!).toBeGreaterThanOrEqual(2500);
    stop.abort();
    await loop;
  }, 20_000);
});
