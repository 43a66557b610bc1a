import { afterEach, describe, expect, it } from 'vitest';
import { FAST, startRig, subscribed, until, type FeedRig } from './feed-harness.js';

let rig: FeedRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const FLOOR = FAST.maintenanceMinMs ?? 0;

describe('BalancesFeed during maintenance', () => {
  it('attempts no faster than maintenanceMinMs, shows the system, and subscribes again once online', async () => {
    const r = (rig = await startRig());
    await until('subscribed', 5000, subscribed(r));
    const before = r.sim.ws.stats().connections;
    r.sim.ws.setSystem('maintenance');
    await until('maintenance shown', 2000, () => r.feed.health().system === 'maintenance' && !r.feed.health().connected);
    await until('three attempts during maintenance', 10_000, () => r.sim.ws.stats().connections >= before + 3);
    const times = r.sim.ws.stats().connectionTimes.slice(before - 1);
    for (let i = 1; i < times.length; i += 1) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(FLOOR - 20);
    expect(r.feed.health().state).not.toBe('subscribed');
    expect(r.feed.health().fatal).toBeNull();
    r.sim.ws.setSystem('online');
    await until('subscribed again', 5000, subscribed(r));
    expect(r.feed.health().system).toBe('online');
    expect(r.feed.health().reason).toBeNull();
  });
});
