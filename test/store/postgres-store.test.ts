// The Postgres store against a running PostgreSQL (test/setup/postgres.ts starts a throwaway cluster on loopback,
// or PG_TEST_URL names one). Each test has a table of its own. Without a server these tests are skipped and say
// why; in CI they fail instead.
import { readFile } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { decodeSeries } from '../../src/equity/codec.js';
import type { EquityPoint } from '../../src/equity/types.js';
import { blockingLease, leaseOf } from '../../src/store/lease.js';
import { createPostgresTarget } from '../../src/store/postgres-target.js';
import { createStore, type Store, type StoreOptions } from '../../src/store/store.js';
import { PostgrestDouble } from '../helpers/postgrest-double.js';
import { SERVICE_KEY, manualClock, memoryLogger, tempDir, type MemoryLogger } from '../helpers/store-fixtures.js';

const { url, why } = inject('pg');
if (url === null) console.warn(`Postgres store tests skipped: ${why ?? 'no server'}`);
const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../scripts/pg-test-cluster.sh', import.meta.url));
const PASSWORD = url === null ? '' : decodeURIComponent(new URL(url).password);

const T0 = 1_700_000_000;
const pt = (i: number): EquityPoint => ({ ts: T0 + i * 300, doge_eq: 10_000 + i, usd: 500, doge: 5_000, price: 0.1, bot_pnl_usd: 0, flows_cumulative_doge_eq: 0 });
const range = (from: number, to: number): EquityPoint[] => Array.from({ length: to - from }, (_, k) => pt(from + k));

describe.runIf(process.env.CI === 'true')('Postgres in CI', () => {
  it('has a PostgreSQL server to run the store tests against', () => {
    expect(url, why ?? '').not.toBeNull();
  });
});

describe.runIf(url !== null)('Postgres store (a real server)', () => {
  const admin = new pg.Pool({ connectionString: url ?? '', max: 2 });
  admin.on('error', () => undefined); // the kill -9 test ends its idle connections
  let table: string;
  let dir: string;
  let cleanup: () => Promise<void>;
  let log: MemoryLogger;
  let clock: ReturnType<typeof manualClock>;
  const stores: Store[] = [];
  let n = 0;

  const make = (overrides: Partial<StoreOptions> & { dbUrl?: string; timeoutMs?: number } = {}): Store => {
    const { dbUrl, timeoutMs, ...rest } = overrides;
    const s = createStore({ dataDir: dir, postgres: { url: dbUrl ?? url ?? '', table, timeoutMs: timeoutMs ?? 3000 }, logger: log.logger, nowMs: clock.nowMs, ...rest });
    stores.push(s);
    return s;
  };
  const row = async (key: string): Promise<unknown> => (await admin.query(`SELECT value FROM ${table} WHERE key = $1`, [key])).rows[0]?.value ?? null;

  beforeEach(async () => {
    table = `bot_state_t${process.pid}_${++n}`;
    ({ dir, cleanup } = await tempDir('pg-store-'));
    log = memoryLogger();
    clock = manualClock(T0 * 1000);
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close?.();
    await admin.query(`DROP TABLE IF EXISTS ${table}`);
    await cleanup();
  });
  afterAll(async () => {
    await admin.end();
  });

  it('creates the table, writes only the two keys, and a restarted store reads the same figures back', async () => {
    const a = make();
    await a.saveReconState({ saved_ts: T0, baseline: { doge: '1.50' } });
    await a.saveSeries(range(0, 3));
    expect(a.status().postgres).toMatchObject({ configured: true, ok: true, pending: false, read_only: false, table, lease: { expires: T0 + 120 } });
    const keys = (await admin.query<{ key: string; t: string }>(`SELECT key, pg_typeof(value)::text AS t FROM ${table} ORDER BY key`)).rows;
    expect(keys).toEqual([{ key: '__equity_ts__', t: 'jsonb' }, { key: '__recon_state_v1__', t: 'jsonb' }]);
    expect(await row('__recon_state_v1__')).toMatchObject({ saved_ts: T0, baseline: { doge: '1.50' } });
    const b = make({ dataDir: (await tempDir('pg-store-b-')).dir });
    expect(await b.loadReconState()).toMatchObject({ saved_ts: T0, baseline: { doge: '1.50' } });
    expect(await b.loadSeries()).toEqual(range(0, 3));
  });

  it('reads rows the Supabase store wrote: a deployment moves from Supabase REST to Postgres without losing history', async () => {
    const double = await new PostgrestDouble().start();
    try {
      const sb = createStore({ dataDir: dir, supabase: { url: double.url, key: SERVICE_KEY, table: 'bot_state' }, logger: log.logger, nowMs: clock.nowMs });
      await sb.saveReconState({ saved_ts: T0, cursor: 123, flows: [{ ledger_id: 'L1', net: '5.00000000' }] });
      await sb.saveSeries(range(0, 5));
      // The same rows, copied as a dump and restore would (the values as Supabase stored them).
      await admin.query(`CREATE TABLE ${table} (key text PRIMARY KEY, value jsonb, updated_at timestamptz)`);
      for (const key of ['__recon_state_v1__', '__equity_ts__']) await admin.query(`INSERT INTO ${table} VALUES ($1, $2::jsonb, now())`, [key, JSON.stringify(double.value(key))]);
      // The same deployment (the same lease owner: host and data dir) switched to DATABASE_URL, with its local files
      // gone: it reads the whole history from the rows and writes on.
      const p = make({ dataDir: (await tempDir('pg-store-moved-')).dir, lease: { owner: (double.value('__recon_state_v1__') as { lease: { owner: string } }).lease.owner } });
      expect(await p.loadReconState()).toEqual(double.value('__recon_state_v1__'));
      expect(await p.loadSeries()).toEqual(range(0, 5));
      await p.saveReconState({ saved_ts: T0 + 60, cursor: 124 });
      expect(p.status().postgres).toMatchObject({ ok: true, read_only: false });
      expect(await row('__recon_state_v1__')).toMatchObject({ cursor: 124 });
      // Another deployment on the same rows waits for that lease.
      const other = make({ dataDir: (await tempDir('pg-store-other-')).dir });
      await other.loadReconState();
      await other.saveReconState({ saved_ts: T0 + 61, cursor: 999 });
      expect(other.status().postgres.read_only).toBe(true);
      expect(await row('__recon_state_v1__')).toMatchObject({ cursor: 124 });
    } finally {
      await double.close();
    }
  });

  it('a value larger than 1 MB round-trips exactly', async () => {
    const a = make();
    const big = { saved_ts: T0, blob: 'x'.repeat(1_200_000), decimals: ['0.10000000', '123456789012345678.12345678'] };
    await a.saveReconState(big);
    expect(a.status().postgres.ok).toBe(true);
    const stored = (await row('__recon_state_v1__')) as typeof big;
    expect(stored.blob.length).toBe(1_200_000);
    expect(stored.decimals).toEqual(big.decimals);
  });

  it('a table made by hand with a wrong column type: a clear error, the local copy still written', async () => {
    await admin.query(`CREATE TABLE ${table} (key text PRIMARY KEY, value text, updated_at timestamptz)`);
    const a = make();
    await a.saveReconState({ saved_ts: T0, baseline: 'b' });
    expect(a.status().postgres.ok).toBe(false);
    expect(a.status().postgres.last_error).toMatch(/wrong columns.*value text/);
    expect(JSON.parse(await readFile(join(dir, 'recon_state.json'), 'utf8'))).toEqual({ saved_ts: T0, baseline: 'b' });
    expect(a.status().local.ok).toBe(true);
  });

  it('never shows the password: not in logs, status or errors, even when the server refuses it', async () => {
    expect(PASSWORD.length).toBeGreaterThan(4);
    const wrong = new URL(url ?? '');
    wrong.pathname = '/no_such_database';
    const a = make({ dbUrl: wrong.toString() });
    await a.saveReconState({ saved_ts: T0 });
    await a.loadSeries();
    const st = a.status().postgres;
    expect(st.ok).toBe(false);
    expect(st.last_error).toMatch(/no_such_database|does not exist/);
    expect(JSON.stringify(a.status())).not.toContain(PASSWORD);
    expect(log.text()).not.toContain(PASSWORD);
    expect(log.text()).not.toContain(wrong.toString());
  });

  it('two writers on one database: exactly one writes; the other is read-only until the lease expires, then takes over', async () => {
    const a = make({ lease: { owner: 'writer-a', ttlSec: 120 } });
    const b = make({ lease: { owner: 'writer-b', ttlSec: 120 }, dataDir: (await tempDir('pg-store-b-')).dir });
    for (let i = 0; i < 10; i++) await Promise.all([a.saveReconState({ saved_ts: T0 + i, by: 'a' }), b.saveReconState({ saved_ts: T0 + i, by: 'b' })]);
    const owner = ((await row('__recon_state_v1__')) as { lease: { owner: string } }).lease.owner;
    const [winner, loser] = owner === 'writer-a' ? [a, b] : [b, a];
    expect(winner.status().postgres.read_only).toBe(false);
    expect(loser.status().postgres.read_only).toBe(true);
    expect(loser.status().postgres.lease?.owner).toBe(owner);
    // Both read an empty row in the first round; the lock made the second wait and then see the first's lease.
    expect(loser.status().postgres.last_write_ts).toBeNull();
    expect(((await row('__recon_state_v1__')) as { by: string }).by).toBe(owner.slice(-1));
    // The winner stops renewing; past its lease the other takes over, and the old writer then writes nothing.
    clock.advance(121_000);
    await loser.saveReconState({ saved_ts: T0 + 200, by: 'taken over' });
    expect(loser.status().postgres.read_only).toBe(false);
    await winner.saveReconState({ saved_ts: T0 + 201, by: 'stale writer' });
    expect(winner.status().postgres.read_only).toBe(true);
    expect(((await row('__recon_state_v1__')) as { by: string }).by).toBe('taken over');
  });

  it('the lease is a compare-and-set: two writers queued on the locked row, exactly one writes', async () => {
    const key = '__recon_state_v1__';
    const [ta, tb] = ['a', 'b'].map(() => createPostgresTarget({ url: url ?? '', table, nowMs: clock.nowMs }));
    if (ta === undefined || tb === undefined) throw new Error('targets');
    try {
      await ta.write(key, { saved_ts: T0 });
      const lock = await admin.connect();
      await lock.query('BEGIN');
      await lock.query(`SELECT 1 FROM ${table} WHERE key = $1 FOR UPDATE`, [key]);
      const mayWrite = (me: string) => (current: unknown): boolean => blockingLease(leaseOf(current), me, T0) === null;
      const pa = ta.writeLeased(key, { saved_ts: T0 + 1, lease: { owner: 'a', expires: T0 + 120 } }, mayWrite('a'));
      const pb = tb.writeLeased(key, { saved_ts: T0 + 1, lease: { owner: 'b', expires: T0 + 120 } }, mayWrite('b'));
      await new Promise((r) => setTimeout(r, 300)); // both wait on the lock now
      await lock.query('COMMIT');
      lock.release();
      const wrote = await Promise.all([pa, pb]);
      expect(wrote.filter(Boolean)).toHaveLength(1);
      const owner = wrote[0] === true ? 'a' : 'b';
      expect(await row(key)).toMatchObject({ lease: { owner } });
    } finally {
      await ta.close();
      await tb.close();
    }
  });

  it('a network stall longer than the statement timeout: the save gives up in time, is queued, and is delivered after', async () => {
    const proxy = await stallableProxy(new URL(url ?? '').port);
    try {
      const viaProxy = new URL(url ?? '');
      viaProxy.port = String(proxy.port);
      const a = make({ dbUrl: viaProxy.toString(), timeoutMs: 500 });
      await a.saveReconState({ saved_ts: T0, step: 1 });
      expect(a.status().postgres.ok).toBe(true);
      proxy.stall(true);
      const t0 = Date.now();
      await a.saveReconState({ saved_ts: T0 + 1, step: 2 });
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect(a.status().postgres).toMatchObject({ ok: false, pending: true });
      expect(JSON.parse(await readFile(join(dir, 'recon_state.json'), 'utf8'))).toMatchObject({ step: 2 });
      proxy.stall(false);
      proxy.resetAll(); // stalled connections are dead to the pool; new ones go through
      await a.saveReconState({ saved_ts: T0 + 2, step: 3 });
      expect(a.status().postgres).toMatchObject({ ok: true, pending: false });
      expect(await row('__recon_state_v1__')).toMatchObject({ step: 3 });
    } finally {
      await proxy.close();
    }
  });

  // Last: it kills the shared server (and resumes it).
  it('kill -9 of the server mid-save: nothing lost, the queue drains after the restart', async () => {
    const a = make({ timeoutMs: 1000 });
    let points = range(0, 10);
    await a.saveSeries(points);
    await a.saveReconState({ saved_ts: T0, step: 0 });
    const saving = a.saveSeries((points = range(0, 20)));
    await run('bash', [SCRIPT, 'kill']);
    await saving;
    await a.saveReconState({ saved_ts: T0 + 1, step: 1 });
    expect(a.status().postgres).toMatchObject({ ok: false, pending: true });
    await run('bash', [SCRIPT, 'resume'], { timeout: 30_000 });
    points = range(0, 25);
    await a.saveSeries(points);
    await a.saveReconState({ saved_ts: T0 + 2, step: 2 });
    expect(a.status().postgres).toMatchObject({ ok: true, pending: false });
    expect(await row('__recon_state_v1__')).toMatchObject({ step: 2 });
    expect(decodeSeries(await row('__equity_ts__'))).toEqual(points);
  }, 60_000);
});

/** A TCP proxy on loopback whose traffic can be held (a network stall) and whose connections can be reset. */
async function stallableProxy(targetPort: string): Promise<{ port: number; stall(on: boolean): void; resetAll(): void; close(): Promise<void> }> {
  let stalled = false;
  const pairs = new Set<[Socket, Socket]>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(targetPort), '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const pipe = (from: Socket, to: Socket): void => {
      from.on('data', (chunk) => {
        if (!stalled) to.write(chunk);
      });
    };
    pipe(client, upstream);
    pipe(upstream, client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    stall: (on) => void (stalled = on),
    resetAll: () => {
      for (const [c, u] of pairs) {
        c.destroy();
        u.destroy();
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const [c, u] of pairs) {
          c.destroy();
          u.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
