import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { FAST, startRig, subscribed, tokenLeaks, until, type FeedRig } from './feed-harness.js';

let rig: FeedRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const STALE = FAST.staleMs ?? 0;
const HANDSHAKE = FAST.handshakeTimeoutMs ?? 0;

describe('BalancesFeed connection health against the simulator', () => {
  it('drop: reconnects with a fresh token and counts the reconnect', async () => {
    const r = (rig = await startRig());
    await until('subscribed', 5000, subscribed(r));
    r.sim.ws.act({ kind: 'drop' });
    await until('subscribed again', 5000, () => r.sim.ws.stats().connections === 2 && subscribed(r)());
    expect(r.tokenCalls()).toBe(2);
    expect(new Set(r.tokens).size).toBe(2);
    expect(r.feed.health()).toMatchObject({ reconnects: 1, connected: true, fatal: null });
    expect(r.bells.filter((b) => b.kind === 'snapshot')).toHaveLength(2);
    expect(r.healths.some((h) => h.state === 'backoff' || h.state === 'connecting')).toBe(true);
    expect(r.sim.ws.stats().refused).toBe(0);
    expect(tokenLeaks(r)).toEqual([]);
  });

  it('stall: no message for staleMs is a dead connection, then a reconnect', async () => {
    const r = (rig = await startRig());
    await until('subscribed', 5000, subscribed(r));
    const t0 = Date.now();
    r.sim.ws.act({ kind: 'stall' });
    await until('not connected', 5000, () => !r.feed.health().connected);
    await until('a second connection', 5000, () => r.sim.ws.stats().connections === 2);
    const second = r.sim.ws.stats().connectionTimes[1] ?? 0;
    expect(second - t0).toBeGreaterThanOrEqual(STALE);
    await until('subscribed again', 5000, subscribed(r));
    expect(r.healths.some((h) => h.reason?.includes(`no message for ${STALE} ms`) === true)).toBe(true);
    expect(r.feed.health().reconnects).toBe(1);
    expect(r.tokenCalls()).toBe(2);
  });

  it('silent: a socket that opens and never answers is given up after handshakeTimeoutMs', async () => {
    const r = (rig = await startRig({ start: false }));
    r.sim.ws.inject({ kind: 'silent' });
    r.feed.start();
    await until('subscribed on the second connection', 5000, () => r.sim.ws.stats().connections === 2 && subscribed(r)());
    const [first = 0, second = 0] = r.sim.ws.stats().connectionTimes;
    expect(second - first).toBeGreaterThanOrEqual(HANDSHAKE - 20);
    expect(r.healths.some((h) => h.reason?.includes('no subscription within') === true)).toBe(true);
    expect(r.sim.ws.stats().subscribes).toBe(1); // the silent socket ignored its subscribe; the second one counted
    expect(r.tokenCalls()).toBe(2);
  });

  it('hang-handshake: an upgrade that is never answered is given up after handshakeTimeoutMs', async () => {
    const r = (rig = await startRig({ start: false }));
    r.sim.ws.inject({ kind: 'hang-handshake' });
    const t0 = Date.now();
    r.feed.start();
    await until('subscribed', 5000, subscribed(r));
    const s = r.sim.ws.stats();
    expect(s.hungHandshakes).toBe(1);
    expect(s.connections).toBe(1);
    expect((s.connectionTimes[0] ?? 0) - t0).toBeGreaterThanOrEqual(HANDSHAKE - 20);
    expect(r.feed.health().reconnects).toBe(1);
    expect(r.tokenCalls()).toBe(2);
  });

  it('close 1008: fatal, no more attempts', async () => {
    const r = (rig = await startRig());
    await until('subscribed', 5000, subscribed(r));
    r.sim.ws.act({ kind: 'close', code: 1008, reason: 'policy violation' });
    await until('fatal', 5000, () => r.feed.health().fatal !== null);
    await sleep((FAST.backoffMaxMs ?? 0) * 3); // longer than any back-off: a retry would have happened
    expect(r.feed.health()).toMatchObject({ state: 'stopped', connected: false });
    expect(r.feed.health().fatal).toMatch(/1008/);
    expect(r.sim.ws.stats().connections).toBe(1);
    expect(r.tokenCalls()).toBe(1);
    expect(r.log.lines().filter((l) => l.level === 50)).toHaveLength(1);
  });

  it('close 1006-like drop and 1001 close both reconnect', async () => {
    const r = (rig = await startRig());
    await until('subscribed', 5000, subscribed(r));
    r.sim.ws.act({ kind: 'close', code: 1001, reason: 'going away' });
    await until('second connection subscribed', 5000, () => r.sim.ws.stats().connections === 2 && subscribed(r)());
    r.sim.ws.inject({ kind: 'drop', afterMs: 50 });
    r.sim.ws.act({ kind: 'drop' });
    await until('fourth connection subscribed', 5000, () => r.sim.ws.stats().connections === 4 && subscribed(r)());
    expect(r.feed.health()).toMatchObject({ reconnects: 3, fatal: null });
  });
});
