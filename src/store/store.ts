import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { PersistenceStatus } from '../bot/status-types.js';
import { decodeSeries, encodeSeries } from '../equity/codec.js';
import { mergeSeries, trimSeries } from '../equity/series.js';
import type { EquityPoint } from '../equity/types.js';
import { errorText } from './errors.js';
import { TargetHealth } from './health.js';
import { blockingLease, defaultOwnerId, leaseOf, type Lease } from './lease.js';
import { EQUITY_KEY, LOCAL_FILE, RECON_KEY } from './keys.js';
import type { StoreKey } from './keys.js';
import { readJsonFile, writeJsonAtomic } from './local-file.js';
import { createPostgresTarget, type LeasedTarget } from './postgres-target.js';
import { createSupabaseTarget } from './supabase-target.js';
import type { RemoteTarget } from './supabase-target.js';

export interface SupabaseStoreConfig {
  url: string;
  /** Service key: used for requests only, never logged, never in status. */
  key: string;
  table: string;
  fetch?: typeof fetch | undefined;
  /** Per-request timeout, default 10 s. */
  timeoutMs?: number | undefined;
}

export interface PostgresStoreConfig {
  /** DATABASE_URL: holds the password; never logged, never in status or errors. */
  url: string;
  table: string;
  /** Statement and connection timeout, default 10 s. */
  timeoutMs?: number | undefined;
}

export interface StoreOptions {
  dataDir: string;
  /** Unset (both): local files only. Both may be set: each gets every save. */
  supabase?: SupabaseStoreConfig | undefined;
  postgres?: PostgresStoreConfig | undefined;
  logger: Logger;
  nowMs: () => number;
  /**
   * Horizon for series points recovered from the remote copy after an unreadable start (see saveSeries),
   * relative to the newest point saved. Default 7 days; pass EQUITY_TS_RETENTION_DAYS·86400.
   */
  seriesRetentionSec?: number | undefined;
  /** Single-writer lease on the remote rows (Supabase, Postgres). Default: owner from host + data dir, 120 s. */
  lease?: { owner?: string | undefined; ttlSec?: number | undefined } | undefined;
}

export interface Store {
  /** The newer of the local and remote copies by their `saved_ts` number (a copy without one is oldest; a tie goes to local). Null when there is none. Never throws; the caller sanitises. */
  loadReconState(): Promise<unknown>;
  /** Local always (atomic), then remote when configured. Never throws. Generic so that literals with more fields type-check. */
  saveReconState<S extends { readonly saved_ts: number }>(state: S): Promise<void>;
  /** Union of the local and remote copies. Never throws; remembers whether the remote copy could be read. */
  loadSeries(): Promise<EquityPoint[]>;
  /**
   * Local always, then remote when configured. Until the remote copy has been read once, a save first reads
   * and merges it (and skips the remote write if it cannot), so a flush never replaces the remote series
   * with less than it holds. Returns the series as persisted: `points` plus any recovered remote points; the
   * caller should adopt it. Never throws.
   */
  saveSeries(points: readonly EquityPoint[]): Promise<readonly EquityPoint[]>;
  status(): PersistenceStatus;
  /** Closes remote connections (the Postgres pool). */
  close?(): Promise<void>;
}

/** One remote copy and what the store knows of it. */
interface RemoteSlot {
  readonly name: 'supabase' | 'postgres';
  readonly target: RemoteTarget | LeasedTarget;
  readonly health: TargetHealth;
  /** Whether each key's remote copy has been read (or found absent) at least once. */
  readonly seen: Record<StoreKey, boolean>;
  /** Another sidecar's unexpired lease: while set, nothing is written to this remote. */
  blockedBy: Lease | null;
  /** Expiry of this instance's own lease as last written. */
  ownLeaseExpires: number | null;
}

const LABEL = { supabase: 'Supabase', postgres: 'Postgres' } as const;

function isLeased(t: RemoteTarget | LeasedTarget): t is LeasedTarget {
  return 'writeLeased' in t;
}

const WEEK_SEC = 7 * 86_400;

type RemoteRead = { ok: true; value: unknown } | { ok: false };

function isObject(raw: unknown): raw is Record<string, unknown> {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw);
}

function savedTs(state: unknown): number {
  const ts = isObject(state) ? state['saved_ts'] : undefined;
  return typeof ts === 'number' && Number.isFinite(ts) ? ts : -Infinity;
}

export function createStore(opts: StoreOptions): Store {
  const { logger } = opts;
  const retentionSec = opts.seriesRetentionSec ?? WEEK_SEC;
  const slot = (name: RemoteSlot['name'], target: RemoteTarget | LeasedTarget): RemoteSlot => ({
    name,
    target,
    health: new TargetHealth(true),
    seen: { [EQUITY_KEY]: false, [RECON_KEY]: false },
    blockedBy: null,
    ownLeaseExpires: null,
  });
  const remotes: RemoteSlot[] = [];
  if (opts.supabase) remotes.push(slot('supabase', createSupabaseTarget({ ...opts.supabase, nowMs: opts.nowMs })));
  if (opts.postgres) remotes.push(slot('postgres', createPostgresTarget({ ...opts.postgres, nowMs: opts.nowMs })));
  const local = new TargetHealth(true);
  /** saved_ts of the recon state handed out by loadReconState (-Infinity: none). */
  let loadedReconTs = -Infinity;
  const leaseOwner = opts.lease?.owner ?? defaultOwnerId(opts.dataDir);
  const leaseTtlSec = opts.lease?.ttlSec ?? 120;

  /** Checks the lease held in a remote recon state; logs when this instance becomes read-only or writer again. */
  function checkLease(r: RemoteSlot, remoteValue: unknown): boolean {
    const blocking = blockingLease(leaseOf(remoteValue), leaseOwner, nowSec());
    if (blocking !== null && r.blockedBy === null) {
      logger.warn({ store: r.name, lease_owner: blocking.owner, lease_expires: blocking.expires }, `another sidecar holds the ${LABEL[r.name]} write lease; this instance stays read-only until it expires`);
    } else if (blocking === null && r.blockedBy !== null) {
      logger.info({ store: r.name, previous_owner: r.blockedBy.owner }, `${LABEL[r.name]} write lease acquired; this instance writes again`);
    }
    r.blockedBy = blocking;
    return blocking === null;
  }

  /** Remote series points found after an unreadable start; merged into every save until they age out. */
  let recovered: EquityPoint[] = [];
  /** One operation per key at a time, in call order: a slow remote write never lands after a newer one. */
  const queues: Record<StoreKey, Promise<unknown>> = { [EQUITY_KEY]: Promise.resolve(), [RECON_KEY]: Promise.resolve() };

  const nowSec = (): number => Math.floor(opts.nowMs() / 1000);
  const filePath = (key: StoreKey): string => join(opts.dataDir, LOCAL_FILE[key]);

  function serial<T>(key: StoreKey, job: () => Promise<T>): Promise<T> {
    const run = queues[key].then(job, job);
    queues[key] = run.catch(() => undefined);
    return run;
  }

  /** Keys whose local file exists but could not be read (permissions, I/O): never written over blind. */
  const unreadable = new Set<StoreKey>();

  async function readLocal<T>(key: StoreKey, validate: (raw: unknown) => T | null): Promise<T | null> {
    try {
      const value = await readJsonFile(filePath(key), { validate, logger, nowMs: opts.nowMs });
      local.readOk();
      unreadable.delete(key);
      return value;
    } catch (err) {
      local.failed(errorText(err));
      unreadable.add(key);
      logger.warn({ key, err: errorText(err) }, 'local state file unreadable; it will be moved aside before the next write');
      return null;
    }
  }

  /** The unreadable file may still hold good data: keep it under another name before writing a new one. */
  async function setAsideUnreadable(key: StoreKey): Promise<boolean> {
    if (!unreadable.has(key)) return true;
    const aside = `${filePath(key)}.unreadable-${opts.nowMs()}`;
    try {
      await rename(filePath(key), aside);
      logger.warn({ key, moved_to: aside }, 'unreadable local state file moved aside');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        if (local.failed(`cannot move the unreadable ${LOCAL_FILE[key]} aside: ${errorText(err)}`, key)) {
          logger.error({ key, err: errorText(err) }, 'local state file unreadable and immovable; not writing over it');
        }
        return false;
      }
    }
    unreadable.delete(key);
    return true;
  }

  async function writeLocal(key: StoreKey, value: unknown): Promise<void> {
    if (!(await setAsideUnreadable(key))) return;
    try {
      await writeJsonAtomic(filePath(key), value);
      local.wrote(key, nowSec());
    } catch (err) {
      if (local.failed(errorText(err), key)) logger.error({ key, err: errorText(err) }, 'local state write failed');
    }
  }

  async function readRemote(r: RemoteSlot, key: StoreKey): Promise<RemoteRead> {
    try {
      const value = await r.target.read(key);
      r.seen[key] = true;
      if (r.health.readOk()) logger.info({ key, store: r.name }, `${r.name} reachable again`);
      return { ok: true, value };
    } catch (err) {
      if (r.health.failed(errorText(err))) logger.warn({ key, store: r.name, err: errorText(err) }, `${r.name} read failed; using the local copy`);
      else logger.debug({ key, store: r.name, err: errorText(err) }, `${r.name} read failed again`);
      return { ok: false };
    }
  }

  /** Writes a value; with a leased target, only while the lease it finds in the locked row lets us. */
  async function writeRemote(r: RemoteSlot, key: StoreKey, value: unknown, leased = false): Promise<boolean> {
    try {
      const wrote = leased && isLeased(r.target) ? await r.target.writeLeased(key, value, (current) => checkLease(r, current)) : (await r.target.write(key, value), true);
      if (!wrote) return false;
      if (r.health.wrote(key, nowSec())) logger.info({ key, store: r.name }, `${r.name} write succeeded again; pending value delivered`);
      return true;
    } catch (err) {
      if (r.health.failed(errorText(err), key)) logger.warn({ key, store: r.name, err: errorText(err) }, `${r.name} write failed; kept locally, retried on the next save`);
      else logger.debug({ key, store: r.name, err: errorText(err) }, `${r.name} write failed again`);
      return false;
    }
  }

  async function saveReconRemote(r: RemoteSlot, state: { readonly saved_ts: number }): Promise<void> {
    // Read before every write: the lease may have changed hands, and a copy never read must not be replaced blind.
    const seenBefore = r.seen[RECON_KEY];
    const read = await readRemote(r, RECON_KEY);
    if (!read.ok) {
      r.health.skippedWrite(RECON_KEY);
      return;
    }
    if (!checkLease(r, read.value)) return;
    if (!seenBefore && isObject(read.value) && savedTs(read.value) > loadedReconTs) {
      const backup = `${filePath(RECON_KEY)}.${r.name === 'supabase' ? 'remote' : r.name}-${opts.nowMs()}`;
      try {
        await writeJsonAtomic(backup, read.value);
        logger.warn({ key: RECON_KEY, store: r.name, backup }, `${r.name} held a recon state not loaded at start; saved a local copy before replacing it`);
      } catch (err) {
        logger.error({ key: RECON_KEY, store: r.name, err: errorText(err) }, `could not back up the unseen ${r.name} recon state; not replacing it`);
        r.health.skippedWrite(RECON_KEY);
        return;
      }
    }
    const expires = nowSec() + leaseTtlSec;
    // Postgres checks the lease again with the row locked (a real compare-and-set); PostgREST cannot.
    const wrote = await writeRemote(r, RECON_KEY, { ...state, lease: { owner: leaseOwner, expires } }, true);
    if (wrote) r.ownLeaseExpires = expires;
  }

  async function saveSeriesRemote(r: RemoteSlot, points: readonly EquityPoint[], series: EquityPoint[]): Promise<EquityPoint[]> {
    if (r.blockedBy !== null) return series;
    if (!r.seen[EQUITY_KEY]) {
      const read = await readRemote(r, EQUITY_KEY);
      if (!read.ok) {
        r.health.skippedWrite(EQUITY_KEY); // never write blind over a copy we have not seen
        return series;
      }
      const decoded = read.value === null ? [] : decodeSeries(read.value);
      if (decoded === null) logger.warn({ key: EQUITY_KEY, store: r.name }, `${r.name} equity series has the wrong shape; replacing it`);
      const known = new Set(series.map((p) => p.ts));
      const missing = (decoded ?? []).filter((p) => !known.has(p.ts));
      if (missing.length > 0) {
        recovered = mergeSeries(recovered, missing);
        series = withRecovered(points);
        logger.info({ recovered: missing.length, store: r.name }, `merged equity points from the ${r.name} copy not read at start`);
        await writeLocal(EQUITY_KEY, encodeSeries(series));
      }
    }
    await writeRemote(r, EQUITY_KEY, encodeSeries(series));
    return series;
  }

  function remoteStatus(name: RemoteSlot['name'], table: string | null): PersistenceStatus['supabase'] {
    const r = remotes.find((x) => x.name === name);
    if (r === undefined) return { ...new TargetHealth(false).snapshot(), table: null, read_only: false, lease: null };
    return { ...r.health.snapshot(), table, read_only: r.blockedBy !== null, lease: r.blockedBy ?? { owner: leaseOwner, expires: r.ownLeaseExpires } };
  }

  /** Remote series points merged with recovered points still inside the retention horizon. */
  function withRecovered(points: readonly EquityPoint[]): EquityPoint[] {
    if (recovered.length === 0) return points.slice();
    const newest = points[points.length - 1]?.ts ?? recovered[recovered.length - 1]?.ts ?? 0;
    recovered = trimSeries(recovered, newest, retentionSec);
    return mergeSeries(points, recovered);
  }

  return {
    loadReconState: () =>
      serial(RECON_KEY, async () => {
        const localCopy = await readLocal(RECON_KEY, (raw) => (isObject(raw) ? raw : null));
        let chosen: unknown = localCopy;
        let from = localCopy === null ? 'none' : 'local';
        const found: Record<string, boolean> = { local: localCopy !== null };
        for (const r of remotes) {
          const read = await readRemote(r, RECON_KEY);
          if (read.ok) checkLease(r, read.value);
          found[r.name] = false;
          if (!read.ok || read.value === null) continue;
          if (!isObject(read.value)) {
            logger.warn({ key: RECON_KEY, store: r.name }, `${r.name} recon state has the wrong shape; ignoring it`);
            continue;
          }
          found[r.name] = true;
          if (chosen === null || savedTs(read.value) > savedTs(chosen)) {
            chosen = read.value;
            from = r.name;
          }
        }
        loadedReconTs = chosen === null ? -Infinity : savedTs(chosen);
        logger.info({ ...found, chosen: from }, 'recon state loaded');
        return chosen;
      }).catch((err: unknown) => {
        logger.error({ err: errorText(err) }, 'loading recon state failed');
        return null;
      }),

    saveReconState: (state) =>
      serial(RECON_KEY, async () => {
        await writeLocal(RECON_KEY, state);
        await Promise.all(remotes.map((r) => saveReconRemote(r, state)));
      }).catch((err: unknown) => {
        logger.error({ err: errorText(err) }, 'saving recon state failed');
      }),

    loadSeries: () =>
      serial(EQUITY_KEY, async () => {
        let merged = (await readLocal(EQUITY_KEY, decodeSeries)) ?? [];
        const counts: Record<string, number | boolean> = { local: merged.length };
        for (const r of remotes) {
          const read = await readRemote(r, EQUITY_KEY);
          counts[`${r.name}_read`] = read.ok;
          if (!read.ok || read.value === null) continue;
          const decoded = decodeSeries(read.value);
          if (decoded === null) logger.warn({ key: EQUITY_KEY, store: r.name }, `${r.name} equity series has the wrong shape; ignoring it`);
          counts[r.name] = decoded?.length ?? 0;
          merged = mergeSeries(merged, decoded ?? []);
        }
        logger.info({ ...counts, merged: merged.length }, 'equity series loaded');
        return merged;
      }).catch((err: unknown) => {
        logger.error({ err: errorText(err) }, 'loading equity series failed');
        return [];
      }),

    saveSeries: (points) =>
      serial(EQUITY_KEY, async () => {
        let series = withRecovered(points);
        await writeLocal(EQUITY_KEY, encodeSeries(series));
        for (const r of remotes) series = await saveSeriesRemote(r, points, series);
        return series;
      }).catch((err: unknown) => {
        logger.error({ err: errorText(err) }, 'saving equity series failed');
        return points;
      }),

    status: () => ({
      local: { ...local.snapshot(), dir: opts.dataDir },
      supabase: remoteStatus('supabase', opts.supabase?.table ?? null),
      postgres: remoteStatus('postgres', opts.postgres?.table ?? null),
    }),

    close: async () => {
      for (const r of remotes) if (isLeased(r.target)) await r.target.close().catch(() => undefined);
    },
  };
}
