import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { KrakenError } from '../../src/kraken/errors.js';
import { startRig, subscribed, tokenCallTimes, tokenLeaks, until, type FeedRig } from './feed-harness.js';

let rig: FeedRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

// A base long enough that a back-off is told apart from a quick retry; random 0 makes quick retries immediate.
const SLOW = { backoffBaseMs: 600, backoffMaxMs: 2400 };
const STABLE = { stableMs: 200 };

describe('BalancesFeed refusals against the simulator', () => {
  it('subscribe refused with EAPI:Invalid token: a new token, subscribed again on the same socket', async () => {
    const r = (rig = await startRig({ start: false }));
    r.sim.ws.inject({ kind: 'subscribe-error', error: 'EAPI:Invalid token' });
    r.feed.start();
    await until('subscribed', 5000, subscribed(r));
    expect(r.sim.ws.stats()).toMatchObject({ connections: 1, subscribes: 2, refused: 1 });
    expect(r.tokenCalls()).toBe(2);
    expect(r.feed.health()).toMatchObject({ reconnects: 0, fatal: null });
    expect(tokenLeaks(r)).toEqual([]);
  });

  it('ESession:Invalid session twice, then a third refusal: reconnects instead of asking forever', async () => {
    const r = (rig = await startRig({ start: false }));
    r.sim.ws.inject({ kind: 'subscribe-error', error: 'ESession:Invalid session' }, 3);
    r.feed.start();
    await until('subscribed', 5000, subscribed(r));
    expect(r.sim.ws.stats()).toMatchObject({ connections: 2, refused: 3, subscribes: 4 });
    expect(r.tokenCalls()).toBe(4);
  });

  it('Exceeded msg rate: backs off (no quick retry) before the next attempt', async () => {
    const r = (rig = await startRig({ start: false, timing: { ...SLOW, ...STABLE }, random: () => 0 }));
    r.sim.ws.inject({ kind: 'subscribe-error', error: 'Exceeded msg rate' });
    r.feed.start();
    await until('subscribed', 5000, () => r.sim.ws.stats().connections === 2 && subscribed(r)());
    const [first = 0, second = 0] = r.sim.ws.stats().connectionTimes;
    expect(second - first).toBeGreaterThanOrEqual(SLOW.backoffBaseMs / 2 - 20);
    expect(r.healths.some((h) => h.state === 'backoff' && h.reason?.includes('Exceeded msg rate') === true)).toBe(true);
    // Once the subscription was stable, a plain drop is a quick retry (0 ms with this random): the back-off above
    // came from the rate error.
    const stableAt = Date.now() + (STABLE.stableMs + 50);
    await until('a stable subscription', 5000, () => Date.now() > stableAt);
    const before = r.sim.ws.stats().connections;
    const t0 = Date.now();
    r.sim.ws.act({ kind: 'drop' });
    await until('reconnected', 5000, () => r.sim.ws.stats().connections === before + 1);
    expect((r.sim.ws.stats().connectionTimes[before] ?? 0) - t0).toBeLessThan(SLOW.backoffBaseMs / 2);
  });

  it('EAPI:Invalid key: fatal, one connection, one token', async () => {
    const r = (rig = await startRig({ start: false }));
    r.sim.ws.inject({ kind: 'subscribe-error', error: 'EAPI:Invalid key' });
    r.feed.start();
    await until('fatal', 5000, () => r.feed.health().fatal !== null);
    await sleep(1000); // longer than any back-off here
    expect(r.feed.health()).toMatchObject({ state: 'stopped', connected: false });
    expect(r.feed.health().fatal).toContain('EAPI:Invalid key');
    expect(r.sim.ws.stats()).toMatchObject({ connections: 1, refused: 1 });
    expect(r.tokenCalls()).toBe(1);
  });

  it('token function throwing a fatal KrakenError: fatal without opening a socket', async () => {
    let calls = 0;
    const r = (rig = await startRig({
      token: () => {
        calls += 1;
        return Promise.reject(new KrakenError('fatal', 'EGeneral:Permission denied', 'no websocket permission', 'GetWebSocketsToken'));
      },
    }));
    await until('fatal', 5000, () => r.feed.health().fatal !== null);
    await sleep(1000);
    expect(r.feed.health().fatal).toContain('EGeneral:Permission denied');
    expect(r.feed.health().state).toBe('stopped');
    expect(calls).toBe(1);
    expect(r.sim.ws.stats().connections).toBe(0);
  });

  it('token call rate-limited at the sim: backs off, then recovers', async () => {
    const r = (rig = await startRig({ start: false, timing: SLOW, random: () => 0 }));
    r.sim.inject({ kind: 'error', error: 'EAPI:Rate limit exceeded' }, { endpoint: 'GetWebSocketsToken', count: 2 });
    r.feed.start();
    await until('subscribed', 12_000, subscribed(r));
    // The sim fills the key's counter on a rate-limit answer, so calls stay refused until it decays: every retry
    // waits at least a back-off step (no quick retries), and the schedule grows.
    const times = tokenCallTimes(r.sim);
    expect(times.length).toBeGreaterThanOrEqual(3);
    expect(times.length).toBeLessThanOrEqual(8);
    for (let i = 1; i < times.length; i += 1) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(SLOW.backoffBaseMs / 2 - 20);
    expect(r.sim.ws.stats().connections).toBe(1);
    expect(r.healths.some((h) => h.state === 'backoff' && h.reason?.includes('EAPI:Rate limit exceeded') === true)).toBe(true);
  });

  it('token function throwing a plain Error: transient, backs off and recovers', async () => {
    let fails = 2;
    const r = (rig = await startRig({
      token: (real, signal) => (fails-- > 0 ? Promise.reject(new Error('socket hang up')) : real(signal)),
    }));
    await until('subscribed', 5000, subscribed(r));
    expect(r.tokenCalls()).toBe(1);
    expect(r.sim.ws.stats().connections).toBe(1);
    expect(r.feed.health()).toMatchObject({ fatal: null, reconnects: 0 });
    expect(r.healths.some((h) => h.reason?.includes('socket hang up') === true)).toBe(true);
  });
});
