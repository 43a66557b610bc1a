import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeSeries, encodeSeries } from '../../src/equity/codec.js';
import type { EquityPoint } from '../../src/equity/types.js';
import { createStore } from '../../src/store/store.js';
import type { Store, StoreOptions } from '../../src/store/store.js';
import { PostgrestDouble } from '../helpers/postgrest-double.js';
import { SERVICE_KEY, closedPortUrl, manualClock, memoryLogger, tempDir } from '../helpers/store-fixtures.js';
import type { MemoryLogger } from '../helpers/store-fixtures.js';

const T0 = 1_700_000_000;
const pt = (i: number, doge_eq = 10_000 + i): EquityPoint => ({
  ts: T0 + i * 300, doge_eq, usd: 500, doge: 5_000, price: 0.1, bot_pnl_usd: 0, flows_cumulative_doge_eq: 0,
});
const range = (from: number, to: number): EquityPoint[] => Array.from({ length: to - from }, (_, k) => pt(from + k));
const tsIndexes = (ps: readonly EquityPoint[] | null | undefined): number[] => (ps ?? []).map((p) => (p.ts - T0) / 300);

describe('store (fallback policy)', () => {
  let double: PostgrestDouble;
  let dir: string;
  let cleanup: () => Promise<void>;
  let log: MemoryLogger;
  let clock: ReturnType<typeof manualClock>;

  const make = (overrides: Partial<StoreOptions> = {}): Store =>
    createStore({
      dataDir: dir,
      supabase: { url: double.url, key: SERVICE_KEY, table: 'bot_state', timeoutMs: 2_000 },
      logger: log.logger,
      nowMs: clock.nowMs,
      ...overrides,
    });
  const remoteSeries = (): EquityPoint[] | null => decodeSeries(double.value('__equity_ts__'));
  const localSeries = async (): Promise<EquityPoint[] | null> => decodeSeries(JSON.parse(await readFile(join(dir, 'equity_ts.json'), 'utf8')));
  const posts = (): number => double.requests.filter((r) => r.method === 'POST').length;

  beforeEach(async () => {
    double = await new PostgrestDouble().start();
    ({ dir, cleanup } = await tempDir());
    log = memoryLogger();
    clock = manualClock();
  });
  afterEach(async () => {
    await double.close();
    await cleanup();
  });

  it('writes local first, then Supabase, and reports both healthy', async () => {
    const store = make();
    await store.saveSeries(range(0, 3));
    await store.saveReconState({ saved_ts: T0, baseline: 'b' });
    expect(tsIndexes(await localSeries())).toEqual([0, 1, 2]);
    expect(tsIndexes(remoteSeries())).toEqual([0, 1, 2]);
    expect(double.value('__recon_state_v1__')).toEqual({ saved_ts: T0, baseline: 'b', lease: { owner: expect.any(String), expires: T0 + 120 } });
    expect(JSON.parse(await readFile(join(dir, 'recon_state.json'), 'utf8'))).toEqual({ saved_ts: T0, baseline: 'b' });
    expect(store.status()).toEqual({
      local: { configured: true, ok: true, last_write_ts: T0, last_error: null, pending: false, write_failures: 0, dir },
      supabase: {
        configured: true, ok: true, last_write_ts: T0, last_error: null, pending: false, write_failures: 0, table: 'bot_state',
        read_only: false, lease: { owner: expect.any(String), expires: T0 + 120 },
      },
      postgres: { configured: false, ok: null, last_write_ts: null, last_error: null, pending: false, write_failures: 0, table: null, read_only: false, lease: null },
    });
  });

  it('works with local files only when Supabase is not configured', async () => {
    const store = make({ supabase: undefined });
    await store.saveSeries(range(0, 2));
    await expect(make({ supabase: undefined }).loadSeries()).resolves.toEqual(range(0, 2));
    expect(store.status().supabase).toEqual({ configured: false, ok: null, last_write_ts: null, last_error: null, pending: false, write_failures: 0, table: null, read_only: false, lease: null });
    expect(double.requests).toHaveLength(0);
  });

  describe('loading', () => {
    it('first start (no row, no file): empty series, null state, healthy', async () => {
      const store = make();
      await expect(store.loadSeries()).resolves.toEqual([]);
      await expect(store.loadReconState()).resolves.toBeNull();
      expect(store.status().supabase.ok).toBe(true);
    });

    it('merges two diverging copies of the series (union by ts)', async () => {
      await make({ supabase: undefined }).saveSeries([...range(0, 4), pt(6)]);
      double.rows.set('__equity_ts__', { key: '__equity_ts__', value: encodeSeries([...range(2, 6), pt(7)]), updated_at: null });
      expect(tsIndexes(await make().loadSeries())).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    });

    it('reads the plain array-of-points shape from Supabase too', async () => {
      double.rows.set('__equity_ts__', { key: '__equity_ts__', value: range(0, 2), updated_at: null });
      await expect(make().loadSeries()).resolves.toEqual(range(0, 2));
    });

    it.each([
      ['the remote copy is newer', { saved_ts: 100, from: 'local' }, { saved_ts: 200, from: 'remote' }, 'remote'],
      ['the local copy is newer', { saved_ts: 300, from: 'local' }, { saved_ts: 200, from: 'remote' }, 'local'],
      ['they tie (local is written first)', { saved_ts: 200, from: 'local' }, { saved_ts: 200, from: 'remote' }, 'local'],
      ['the remote one has no saved_ts', { saved_ts: 1, from: 'local' }, { from: 'remote' }, 'local'],
    ])('recon state: takes the newer copy by saved_ts when %s', async (_name, localCopy, remoteCopy, expected) => {
      await writeFile(join(dir, 'recon_state.json'), JSON.stringify(localCopy));
      double.rows.set('__recon_state_v1__', { key: '__recon_state_v1__', value: remoteCopy, updated_at: null });
      await expect(make().loadReconState()).resolves.toMatchObject({ from: expected });
    });

    it('moves a corrupt local file aside with a warning and uses the Supabase copy', async () => {
      await writeFile(join(dir, 'equity_ts.json'), '{"v":1,"n":2,"ts":{"dec":0,"del');
      await writeFile(join(dir, 'recon_state.json'), '"just a string"');
      double.rows.set('__equity_ts__', { key: '__equity_ts__', value: encodeSeries(range(0, 3)), updated_at: null });
      double.rows.set('__recon_state_v1__', { key: '__recon_state_v1__', value: { saved_ts: 5 }, updated_at: null });
      const store = make();
      await expect(store.loadSeries()).resolves.toEqual(range(0, 3));
      await expect(store.loadReconState()).resolves.toEqual({ saved_ts: 5 });
      expect((await readdir(dir)).sort()).toEqual([`equity_ts.json.corrupt-${clock.nowMs()}`, `recon_state.json.corrupt-${clock.nowMs()}`]);
      expect(log.lines().filter((l) => l['level'] === 40 && l['moved_to'])).toHaveLength(2);
    });

    it('never throws when Supabase refuses connections: local copy, status says why', async () => {
      await make({ supabase: undefined }).saveSeries(range(0, 2));
      const store = make({ supabase: { url: await closedPortUrl(), key: SERVICE_KEY, table: 'bot_state' } });
      await expect(store.loadSeries()).resolves.toEqual(range(0, 2));
      await expect(store.loadReconState()).resolves.toBeNull();
      expect(store.status().supabase).toMatchObject({ configured: true, ok: false, last_error: expect.stringMatching(/ECONNREFUSED/) });
      expect(store.status().local.ok).toBe(true);
    });

    it('treats a 500 with a JSON body as unreadable, not as empty', async () => {
      double.rows.set('__equity_ts__', { key: '__equity_ts__', value: encodeSeries(range(0, 3)), updated_at: null });
      double.failNext(1, 'error');
      const store = make();
      await expect(store.loadSeries()).resolves.toEqual([]);
      expect(store.status().supabase).toMatchObject({ ok: false, last_error: 'supabase read __equity_ts__ failed: HTTP 500 [XX000] scripted failure' });
    });
  });

  describe('outages', () => {
    it('points saved during an outage reach Supabase once it is back', async () => {
      const store = make();
      let series = await store.loadSeries();
      series = range(0, 2);
      await store.saveSeries(series);

      double.failNext(2, 'error');
      for (const more of [range(0, 3), range(0, 4)]) {
        series = more;
        await store.saveSeries(series);
        expect(store.status().supabase).toMatchObject({ ok: false, pending: true, last_error: expect.stringContaining('HTTP 500') });
        expect(store.status().local).toMatchObject({ ok: true, pending: false });
      }
      expect(tsIndexes(remoteSeries())).toEqual([0, 1]);
      expect(tsIndexes(await localSeries())).toEqual([0, 1, 2, 3]);

      clock.advance(900_000);
      await store.saveSeries(range(0, 5));
      expect(tsIndexes(remoteSeries())).toEqual([0, 1, 2, 3, 4]);
      expect(store.status().supabase).toEqual(expect.objectContaining({ ok: true, pending: false, last_error: null, last_write_ts: T0 + 900 }));
      expect(log.lines().some((l) => l['msg'] === 'supabase write succeeded again; pending value delivered')).toBe(true);
    });

    it('a dropped connection or a timeout is an outage like any other', async () => {
      const store = make({ supabase: { url: double.url, key: SERVICE_KEY, table: 'bot_state', timeoutMs: 150 } });
      await store.loadSeries();
      double.failNext(1, 'drop');
      await store.saveSeries(range(0, 1));
      expect(store.status().supabase).toMatchObject({ ok: false, pending: true });
      double.failNext(1, 'delay', { delayMs: 1_000 });
      await store.saveSeries(range(0, 2));
      expect(store.status().supabase.last_error).toContain('no answer within 150 ms');
      await store.saveSeries(range(0, 3));
      expect(tsIndexes(remoteSeries())).toEqual([0, 1, 2]);
      expect(store.status().supabase.pending).toBe(false);
    });

    it('remote unreadable at start: no blind write; the first contact merges the remote copy before writing', async () => {
      // Supabase holds a week of older points this machine does not have (say, a new host).
      double.rows.set('__equity_ts__', { key: '__equity_ts__', value: encodeSeries(range(0, 10)), updated_at: null });
      const store = make();
      double.failNext(2, 'error'); // the load's read, then the first flush's read
      await expect(store.loadSeries()).resolves.toEqual([]);
      const before = posts();
      await store.saveSeries(range(10, 12));
      expect(posts()).toBe(before); // never replaced the remote copy with less
      expect(store.status().supabase).toMatchObject({ ok: false, pending: true });

      const persisted = await store.saveSeries(range(10, 13));
      expect(tsIndexes(remoteSeries())).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      expect(tsIndexes(persisted)).toEqual(tsIndexes(remoteSeries()));
      expect(tsIndexes(await localSeries())).toEqual(tsIndexes(remoteSeries()));
      // A later flush of only the caller's own points still keeps them.
      await store.saveSeries(range(10, 14));
      expect(tsIndexes(remoteSeries())).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
      expect(store.status().supabase).toMatchObject({ ok: true, pending: false });
    });

    it('recovered remote points age out at the retention horizon', async () => {
      double.rows.set('__equity_ts__', { key: '__equity_ts__', value: encodeSeries(range(0, 4)), updated_at: null });
      const store = make({ seriesRetentionSec: 600 }); // two intervals
      double.failNext(1, 'error');
      await store.loadSeries();
      await store.saveSeries([pt(4)]);
      expect(tsIndexes(remoteSeries())).toEqual([2, 3, 4]);
    });

    it('recon state unreadable at start: an unseen newer remote state is kept in a local backup before it is replaced', async () => {
      double.rows.set('__recon_state_v1__', { key: '__recon_state_v1__', value: { saved_ts: 900, baseline: 'old-host' }, updated_at: null });
      const store = make();
      double.failNext(1, 'error');
      await expect(store.loadReconState()).resolves.toBeNull();
      await store.saveReconState({ saved_ts: 1_000, baseline: 'fresh' });
      expect(double.value('__recon_state_v1__')).toMatchObject({ saved_ts: 1_000, baseline: 'fresh' });
      const backup = `recon_state.json.remote-${clock.nowMs()}`;
      expect(JSON.parse(await readFile(join(dir, backup), 'utf8'))).toEqual({ saved_ts: 900, baseline: 'old-host' });
      expect(log.lines().some((l) => l['level'] === 40 && l['backup'] === join(dir, backup))).toBe(true);
    });

    it('never throws when the local directory cannot be written; Supabase still gets the value', async () => {
      await writeFile(join(dir, 'blocker'), 'x');
      const store = make({ dataDir: join(dir, 'blocker', 'data') });
      await expect(store.saveSeries(range(0, 2))).resolves.toBeDefined();
      await expect(store.saveReconState({ saved_ts: 1 })).resolves.toBeUndefined();
      expect(store.status().local).toMatchObject({ ok: false, pending: true, last_error: expect.stringContaining('ENOTDIR') });
      expect(tsIndexes(remoteSeries())).toEqual([0, 1]);
    });
  });

  describe('safety', () => {
    it('only ever writes the two keys, whatever happens', async () => {
      double.rows.set('bot_own_state', { key: 'bot_own_state', value: { pnl: 1 }, updated_at: null });
      const store = make();
      await store.loadSeries();
      await store.loadReconState();
      double.failNext(1, 'error');
      for (let i = 1; i <= 4; i++) {
        await store.saveSeries(range(0, i));
        await store.saveReconState({ saved_ts: i });
      }
      expect(new Set(double.writtenKeys())).toEqual(new Set(['__equity_ts__', '__recon_state_v1__']));
      expect(double.rows.get('bot_own_state')?.value).toEqual({ pnl: 1 });
      expect(double.requests.every((r) => r.method === 'GET' || r.method === 'POST')).toBe(true);
    });

    it('never puts the service key in logs or status, even when the server echoes it', async () => {
      const store = make();
      double.failNext(2, 'error', { status: 401, message: `Invalid API key ${SERVICE_KEY}` });
      await store.loadSeries();
      await store.saveSeries(range(0, 1));
      const refused = make({ supabase: { url: await closedPortUrl(), key: SERVICE_KEY, table: 'bot_state' } });
      await refused.loadReconState();
      await refused.saveReconState({ saved_ts: 1 });
      expect(log.text()).toContain('Invalid API key [redacted]');
      expect(log.text()).toContain('ECONNREFUSED');
      expect(log.text()).not.toContain(SERVICE_KEY);
      expect(JSON.stringify([store.status(), refused.status()])).not.toContain(SERVICE_KEY);
    });
  });
});

describe('a local file that exists but cannot be read', () => {
  it('is moved aside (not written over) before the next save, keeping its content for a human', async () => {
    const { mkdir, writeFile: write, readdir: list, readFile: read } = await import('node:fs/promises');
    const { dir, cleanup } = await tempDir('unreadable-');
    try {
      // A directory where the file should be: reading it fails with EISDIR, an I/O error, not "missing".
      await mkdir(join(dir, 'recon_state.json'));
      await write(join(dir, 'recon_state.json', 'precious.txt'), 'do not lose me');
      const log = memoryLogger();
      const store = createStore({ dataDir: dir, logger: log.logger, nowMs: () => 1_700_000_000_000 });
      expect(await store.loadReconState()).toBeNull();
      await store.saveReconState({ saved_ts: 1, baseline: 'new' });
      const names = await list(dir);
      const aside = names.find((n) => n.startsWith('recon_state.json.unreadable-'));
      expect(aside).toBeDefined();
      expect(await read(join(dir, aside ?? '', 'precious.txt'), 'utf8')).toBe('do not lose me');
      expect(JSON.parse(await read(join(dir, 'recon_state.json'), 'utf8'))).toEqual({ saved_ts: 1, baseline: 'new' });
      expect(log.text()).toMatch(/unreadable local state file moved aside/);
    } finally {
      await cleanup();
    }
  });
});
