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

export interface StoreOptions {
  dataDir: string;
  /** Unset: local files only. */
  supabase?: SupabaseStoreConfig | undefined;
  logger: Logger;
  nowMs: () => number;
  /**
   * Horizon for series points recovered from the remote copy after an unreadable start (see saveSeries),
   * relative to the newest point saved. Default 7 days; pass EQUITY_TS_RETENTION_DAYS·86400.
   */
  seriesRetentionSec?: number | undefined;
  /** Single-writer lease on the Supabase rows (only used with Supabase). Default: owner from host + data dir, 120 s. */
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
  const remote: RemoteTarget | null = opts.supabase
    ? createSupabaseTarget({ ...opts.supabase, nowMs: opts.nowMs })
    : null;
  const local = new TargetHealth(true);
  const remoteHealth = new TargetHealth(remote !== null);
  /** Whether each key's remote copy has been read (or found absent) at least once. */
  const remoteSeen: Record<StoreKey, boolean> = { [EQUITY_KEY]: false, [RECON_KEY]: false };
  /** saved_ts of the recon state handed out by loadReconState (-Infinity: none). */
  let loadedReconTs = -Infinity;
  const leaseOwner = opts.lease?.owner ?? defaultOwnerId(opts.dataDir);
  const leaseTtlSec = opts.lease?.ttlSec ?? 120;
  /** Another sidecar's unexpired lease: while set, nothing is written to Supabase. */
  let blockedBy: Lease | null = null;
  /** Expiry of this instance's own lease as last written. */
  let ownLeaseExpires: number | null = null;

  /** Checks the lease held in the remote recon state; logs when this instance becomes read-only or writer again. */
  function checkLease(remoteValue: unknown): boolean {
    const blocking = blockingLease(leaseOf(remoteValue), leaseOwner, nowSec());
    if (blocking !== null && blockedBy === null) {
      logger.warn({ lease_owner: blocking.owner, lease_expires: blocking.expires }, 'another sidecar holds the Supabase write lease; this instance stays read-only until it expires');
    } else if (blocking === null && blockedBy !== null) {
      logger.info({ previous_owner: blockedBy.owner }, 'Supabase write lease acquired; this instance writes again');
    }
    blockedBy = blocking;
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

  async function readRemote(key: StoreKey): Promise<RemoteRead> {
    if (remote === null) return { ok: false };
    try {
      const value = await remote.read(key);
      remoteSeen[key] = true;
      if (remoteHealth.readOk()) logger.info({ key }, 'supabase reachable again');
      return { ok: true, value };
    } catch (err) {
      if (remoteHealth.failed(errorText(err))) logger.warn({ key, err: errorText(err) }, 'supabase read failed; using the local copy');
      else logger.debug({ key, err: errorText(err) }, 'supabase read failed again');
      return { ok: false };
    }
  }

  async function writeRemote(key: StoreKey, value: unknown): Promise<void> {
    if (remote === null) return;
    try {
      await remote.write(key, value);
      if (remoteHealth.wrote(key, nowSec())) logger.info({ key }, 'supabase write succeeded again; pending value delivered');
    } catch (err) {
      if (remoteHealth.failed(errorText(err), key)) logger.warn({ key, err: errorText(err) }, 'supabase write failed; kept locally, retried on the next save');
      else logger.debug({ key, err: errorText(err) }, 'supabase write failed again');
    }
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
        let remoteCopy: unknown = null;
        const r = await readRemote(RECON_KEY);
        if (r.ok) checkLease(r.value);
        if (r.ok && r.value !== null) {
          if (isObject(r.value)) remoteCopy = r.value;
          else logger.warn({ key: RECON_KEY }, 'supabase recon state has the wrong shape; ignoring it');
        }
        const chosen = remoteCopy !== null && (localCopy === null || savedTs(remoteCopy) > savedTs(localCopy)) ? remoteCopy : localCopy;
        loadedReconTs = chosen === null ? -Infinity : savedTs(chosen);
        logger.info({ local: localCopy !== null, remote: remoteCopy !== null, chosen: chosen === null ? 'none' : chosen === localCopy ? 'local' : 'remote' }, 'recon state loaded');
        return chosen;
      }).catch((err: unknown) => {
        logger.error({ err: errorText(err) }, 'loading recon state failed');
        return null;
      }),

    saveReconState: (state) =>
      serial(RECON_KEY, async () => {
        await writeLocal(RECON_KEY, state);
        if (remote === null) return;
        // Read before every write: the lease may have changed hands, and a copy never read must not be replaced blind.
        const seenBefore = remoteSeen[RECON_KEY];
        const r = await readRemote(RECON_KEY);
        if (!r.ok) {
          remoteHealth.skippedWrite(RECON_KEY);
          return;
        }
        if (!checkLease(r.value)) return;
        if (!seenBefore && isObject(r.value) && savedTs(r.value) > loadedReconTs) {
          const backup = `${filePath(RECON_KEY)}.remote-${opts.nowMs()}`;
          try {
            await writeJsonAtomic(backup, r.value);
            logger.warn({ key: RECON_KEY, backup }, 'supabase held a recon state not loaded at start; saved a local copy before replacing it');
          } catch (err) {
            logger.error({ key: RECON_KEY, err: errorText(err) }, 'could not back up the unseen supabase recon state; not replacing it');
            remoteHealth.skippedWrite(RECON_KEY);
            return;
          }
        }
        const expires = nowSec() + leaseTtlSec;
        await writeRemote(RECON_KEY, { ...state, lease: { owner: leaseOwner, expires } });
        if (!remoteHealth.pending.has(RECON_KEY)) ownLeaseExpires = expires;
      }).catch((err: unknown) => {
        logger.error({ err: errorText(err) }, 'saving recon state failed');
      }),

    loadSeries: () =>
      serial(EQUITY_KEY, async () => {
        const localPoints = (await readLocal(EQUITY_KEY, decodeSeries)) ?? [];
        let remotePoints: EquityPoint[] = [];
        const r = await readRemote(EQUITY_KEY);
        if (r.ok && r.value !== null) {
          const decoded = decodeSeries(r.value);
          if (decoded === null) logger.warn({ key: EQUITY_KEY }, 'supabase equity series has the wrong shape; ignoring it');
          remotePoints = decoded ?? [];
        }
        const merged = mergeSeries(localPoints, remotePoints);
        logger.info({ local: localPoints.length, remote: remotePoints.length, merged: merged.length, remote_read: r.ok }, 'equity series loaded');
        return merged;
      }).catch((err: unknown) => {
        logger.error({ err: errorText(err) }, 'loading equity series failed');
        return [];
      }),

    saveSeries: (points) =>
      serial(EQUITY_KEY, async () => {
        let series = withRecovered(points);
        await writeLocal(EQUITY_KEY, encodeSeries(series));
        if (remote === null || blockedBy !== null) return series;
        if (!remoteSeen[EQUITY_KEY]) {
          const r = await readRemote(EQUITY_KEY);
          if (!r.ok) {
            remoteHealth.skippedWrite(EQUITY_KEY); // never write blind over a copy we have not seen
            return series;
          }
          const decoded = r.value === null ? [] : decodeSeries(r.value);
          if (decoded === null) logger.warn({ key: EQUITY_KEY }, 'supabase equity series has the wrong shape; replacing it');
          const remotePoints = decoded ?? [];
          const known = new Set(series.map((p) => p.ts));
          const missing = remotePoints.filter((p) => !known.has(p.ts));
          if (missing.length > 0) {
            recovered = mergeSeries(recovered, missing);
            series = withRecovered(points);
            logger.info({ recovered: missing.length }, 'merged equity points from the supabase copy not read at start');
            await writeLocal(EQUITY_KEY, encodeSeries(series));
          }
        }
        await writeRemote(EQUITY_KEY, encodeSeries(series));
        return series;
      }).catch((err: unknown) => {
        logger.error({ err: errorText(err) }, 'saving equity series failed');
        return points;
      }),

    status: () => ({
      local: { ...local.snapshot(), dir: opts.dataDir },
      supabase: {
        ...remoteHealth.snapshot(),
        table: opts.supabase?.table ?? null,
        read_only: blockedBy !== null,
        lease: remote === null ? null : blockedBy ?? { owner: leaseOwner, expires: ownLeaseExpires },
      },
    }),
  };
}
