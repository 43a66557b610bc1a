import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EquityPoint } from '../../src/equity/types.js';
import { blockingLease, defaultOwnerId, leaseOf } from '../../src/store/lease.js';
import { createStore, type Store } from '../../src/store/store.js';
import { PostgrestDouble } from '../helpers/postgrest-double.js';
import { SERVICE_KEY, manualClock, memoryLogger, tempDir } from '../helpers/store-fixtures.js';

const T0 = 1_700_000_000;
const point = (i: number): EquityPoint => ({ ts: T0 + i * 300, doge_eq: 100 + i, usd: 1, doge: 90, price: 0.1, bot_pnl_usd: 0, flows_cumulative_doge_eq: 0 });

describe('lease rules', () => {
  it('blocks only for another owner with an unexpired lease', () => {
    expect(blockingLease(null, 'a', T0)).toBeNull();
    expect(blockingLease({ owner: 'a', expires: T0 + 10 }, 'a', T0)).toBeNull();
    expect(blockingLease({ owner: 'b', expires: T0 + 10 }, 'a', T0)).toEqual({ owner: 'b', expires: T0 + 10 });
    expect(blockingLease({ owner: 'b', expires: T0 }, 'a', T0)).toBeNull();
    expect(leaseOf({ lease: { owner: 'b', expires: 'soon' } })).toBeNull();
  });

  it('gives the same owner id to the same data dir and different ids to different dirs', () => {
    expect(defaultOwnerId('logs')).toBe(defaultOwnerId('./logs'));
    expect(defaultOwnerId('logs')).not.toBe(defaultOwnerId('other'));
  });
});

describe('two sidecars on one Supabase table', () => {
  let double: PostgrestDouble;
  const dirs: Array<() => Promise<void>> = [];
  const clock = manualClock(T0 * 1000);

  beforeEach(async () => {
    double = await new PostgrestDouble().start();
  });
  afterEach(async () => {
    await double.close();
    for (const cleanup of dirs.splice(0)) await cleanup();
  });

  async function sidecar(owner: string): Promise<{ store: Store; log: ReturnType<typeof memoryLogger> }> {
    const { dir, cleanup } = await tempDir('lease-');
    dirs.push(cleanup);
    const log = memoryLogger();
    const store = createStore({
      dataDir: dir,
      supabase: { url: double.url, key: SERVICE_KEY, table: 'bot_state', timeoutMs: 2000 },
      logger: log.logger,
      nowMs: clock.nowMs,
      lease: { owner, ttlSec: 60 },
    });
    return { store, log };
  }

  it('the second instance stays read-only, says so, and takes over when the lease expires', async () => {
    const a = await sidecar('A');
    await a.store.loadReconState();
    await a.store.saveReconState({ saved_ts: T0, baseline: 'A' });
    await a.store.saveSeries([point(0), point(1)]);
    expect(leaseOf(double.value('__recon_state_v1__'))).toEqual({ owner: 'A', expires: T0 + 60 });

    const b = await sidecar('B');
    await b.store.loadReconState();
    await b.store.saveReconState({ saved_ts: T0 + 1, baseline: 'B' });
    await b.store.saveSeries([point(5)]);
    expect(double.value('__recon_state_v1__')).toMatchObject({ baseline: 'A' });
    expect(b.store.status().supabase).toMatchObject({ read_only: true, lease: { owner: 'A', expires: T0 + 60 } });
    expect(b.log.text()).toMatch(/another sidecar holds the Supabase write lease/);
    expect(a.store.status().supabase.read_only).toBe(false);

    // A keeps renewing while alive.
    clock.advance(50_000);
    await a.store.saveReconState({ saved_ts: T0 + 50, baseline: 'A' });
    clock.advance(30_000);
    await b.store.saveReconState({ saved_ts: T0 + 80, baseline: 'B' });
    expect(double.value('__recon_state_v1__')).toMatchObject({ baseline: 'A' });

    // A stops; after its lease expires, B writes.
    clock.advance(60_000);
    await b.store.saveReconState({ saved_ts: T0 + 140, baseline: 'B' });
    expect(double.value('__recon_state_v1__')).toMatchObject({ baseline: 'B', lease: { owner: 'B' } });
    expect(b.store.status().supabase.read_only).toBe(false);
    expect(b.log.text()).toMatch(/write lease acquired/);
  });

  it('a restart of the same deployment keeps its own lease (no wait after a crash)', async () => {
    const first = await sidecar('A');
    await first.store.loadReconState();
    await first.store.saveReconState({ saved_ts: T0, baseline: 'A1' });
    const again = await sidecar('A');
    await again.store.loadReconState();
    await again.store.saveReconState({ saved_ts: T0 + 5, baseline: 'A2' });
    expect(double.value('__recon_state_v1__')).toMatchObject({ baseline: 'A2' });
  });
});
