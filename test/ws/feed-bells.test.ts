import { afterEach, describe, expect, it } from 'vitest';
import { startRig, subscribed, tokenLeaks, until, type FeedRig } from './feed-harness.js';

let rig: FeedRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('BalancesFeed bells against the simulator', () => {
  it('a snapshot on subscribe, then one update bell per booked row with its entries', async () => {
    const r = (rig = await startRig());
    await until('subscribed', 5000, subscribed(r));
    await until('the snapshot bell', 2000, () => r.bells.length >= 1);
    const snapshot = r.bells[0];
    expect(snapshot).toMatchObject({ kind: 'snapshot', sequence: 1, gap: false });
    expect(snapshot?.entries).toBeGreaterThan(0);
    r.sim.activity.deposit('XXDG', '5');
    await until('the deposit bell', 2000, () => r.bells.length === 2);
    expect(r.bells[1]).toEqual({ kind: 'update', entries: 1, sequence: 2, gap: false });
    expect(r.feed.health()).toMatchObject({ state: 'subscribed', connected: true, reason: null, reconnects: 0, fatal: null, ignored: 0, system: 'online' });
    expect(r.sim.ws.stats()).toMatchObject({ connections: 1, subscribes: 1, refused: 0, open: 1, balancesMessages: 2 });
    expect(r.tokenCalls()).toBe(1);
    expect(tokenLeaks(r)).toEqual([]);
  });

  it('a trade books two legs: two bells; with batch, one bell holding both entries', async () => {
    const r = (rig = await startRig());
    await until('the snapshot bell', 5000, () => r.bells.length === 1);
    r.sim.activity.deposit('ZUSD', '100');
    await until('the USD deposit bell', 2000, () => r.bells.length === 2);
    r.bells.splice(1, 1);
    r.sim.activity.trade({ side: 'buy', volume: '100', price: '0.1' });
    await until('two leg bells', 2000, () => r.bells.length === 3);
    expect(r.bells.slice(1)).toEqual([
      { kind: 'update', entries: 1, sequence: 3, gap: false },
      { kind: 'update', entries: 1, sequence: 4, gap: false },
    ]);
    r.sim.ws.act({ kind: 'batch' });
    r.sim.activity.trade({ side: 'sell', volume: '50', price: '0.1' });
    await until('the batched bell', 2000, () => r.bells.length === 4);
    expect(r.bells[3]).toEqual({ kind: 'update', entries: 2, sequence: 5, gap: false });
    // Nothing else arrives for that trade.
    const t0 = Date.now();
    await until('heartbeats after the trade', 2000, () => (r.feed.health().lastMessageTs ?? 0) * 1000 > t0 + 300);
    expect(r.sim.ws.stats().balancesMessages).toBe(5);
    expect(r.bells).toHaveLength(4);
  });

  it('a snapshot with empty wallets still rings and subscribes', async () => {
    const r = (rig = await startRig({ start: false }));
    r.sim.ws.inject({ kind: 'empty-wallets' });
    r.feed.start();
    await until('subscribed', 5000, subscribed(r));
    await until('the snapshot bell', 2000, () => r.bells.length === 1);
    expect(r.bells[0]?.kind).toBe('snapshot');
    expect(r.feed.health().ignored).toBe(0);
  });
});
