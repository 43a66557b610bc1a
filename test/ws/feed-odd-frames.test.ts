import { afterEach, describe, expect, it } from 'vitest';
import { startRig, subscribed, tokenLeaks, until, type FeedRig } from './feed-harness.js';

let rig: FeedRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

function ignoredKinds(r: FeedRig): string[] {
  return r.log.lines().filter((l) => String(l.msg).includes('frame ignored')).map((l) => String(l.kind));
}

/** A heartbeat arrived after `t0`: every frame sent before it has been handled. */
async function settled(r: FeedRig): Promise<void> {
  const t0 = Date.now();
  await until('a heartbeat after the frames', 3000, () => (r.feed.health().lastMessageTs ?? 0) * 1000 > t0 + 150);
}

describe('BalancesFeed with odd frames from the simulator', () => {
  it('garbage, unknown shapes, huge numbers, duplicates, gaps and reordering: stays subscribed, counts, logs once per kind', async () => {
    const r = (rig = await startRig());
    await until('the snapshot', 5000, () => subscribed(r)() && r.bells.length === 1);
    // Every status frame carries a connection_id above 2^53: read without trouble.
    expect(r.feed.health().system).toBe('online');

    r.sim.ws.act({ kind: 'garbage' });
    r.sim.ws.act({ kind: 'garbage' });
    await settled(r);
    expect(r.feed.health().ignored).toBe(10);
    expect(ignoredKinds(r).sort()).toEqual(['garbage: binary frame', 'garbage: not JSON', 'garbage: not a JSON object']);
    expect(r.bells).toHaveLength(1);

    r.sim.ws.act({ kind: 'unknown' });
    await settled(r);
    expect(r.feed.health().ignored).toBe(12); // the ohlc channel and the balances "delta"; the odd entry still rings
    expect(r.bells.at(-1)).toEqual({ kind: 'update', entries: 1, sequence: 2, gap: false });

    r.sim.ws.act({ kind: 'huge-numbers' });
    await until('the huge update', 2000, () => r.bells.length === 3);
    expect(r.bells.at(-1)).toEqual({ kind: 'update', entries: 1, sequence: 3, gap: false });

    r.sim.ws.act({ kind: 'duplicate' });
    r.sim.ws.act({ kind: 'duplicate' });
    await settled(r);
    expect(r.bells).toHaveLength(3); // no second bell
    expect(r.feed.health().ignored).toBe(14);

    r.sim.ws.act({ kind: 'gap', by: 2 });
    r.sim.activity.deposit('XXDG', '1');
    await until('the gap bell', 2000, () => r.bells.length === 4);
    expect(r.bells.at(-1)).toEqual({ kind: 'update', entries: 1, sequence: 6, gap: true });

    r.sim.ws.act({ kind: 'reorder' });
    r.sim.activity.deposit('XXDG', '1');
    r.sim.activity.deposit('XXDG', '1');
    await until('both reordered bells', 2000, () => r.bells.length === 6);
    expect(r.bells.slice(4)).toEqual([
      { kind: 'update', entries: 1, sequence: 8, gap: true },
      { kind: 'update', entries: 1, sequence: 7, gap: false },
    ]);
    expect(r.feed.health().ignored).toBe(15); // the late one rings but is counted as odd

    // Again every kind: counted, never logged twice.
    r.sim.ws.act({ kind: 'garbage' });
    r.sim.ws.act({ kind: 'unknown' });
    r.sim.ws.act({ kind: 'duplicate' });
    await settled(r);
    expect(r.feed.health().ignored).toBe(15 + 5 + 2 + 1);
    const kinds = ignoredKinds(r);
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(kinds.sort()).toEqual([
      'duplicate sequence',
      'garbage: binary frame',
      'garbage: not JSON',
      'garbage: not a JSON object',
      'out-of-order sequence',
      'unknown: balances delta',
      'unknown: channel ohlc',
    ]);

    expect(r.feed.health()).toMatchObject({ state: 'subscribed', connected: true, reconnects: 0, fatal: null });
    expect(r.sim.ws.stats().connections).toBe(1);
    expect(tokenLeaks(r)).toEqual([]);
    expect(r.tokens).toHaveLength(1);
  });
});
