import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';

/**
 * Single writer for the shared Supabase rows: the writer's id and an expiry ride inside `__recon_state_v1__`.
 * A second sidecar pointed at the same table sees an unexpired lease of another owner and stays read-only
 * until it expires. There is no compare-and-set in PostgREST upserts, so two instances starting in the same
 * instant can both write once; each save reads first, so the later one steps down on its next save.
 */
export interface Lease {
  readonly owner: string;
  /** Unix seconds. */
  readonly expires: number;
}

/** Stable across restarts of the same deployment (host + data dir), different between two deployments. */
export function defaultOwnerId(dataDir: string): string {
  const digest = createHash('sha256').update(`${hostname()}\0${resolve(dataDir)}`).digest('hex').slice(0, 12);
  return `${hostname().slice(0, 32)}-${digest}`;
}

export function leaseOf(value: unknown): Lease | null {
  if (typeof value !== 'object' || value === null) return null;
  const lease = (value as { lease?: unknown }).lease;
  if (typeof lease !== 'object' || lease === null) return null;
  const { owner, expires } = lease as { owner?: unknown; expires?: unknown };
  return typeof owner === 'string' && typeof expires === 'number' && Number.isFinite(expires) ? { owner, expires } : null;
}

/** The lease that blocks `me` from writing now, or null when `me` may write. */
export function blockingLease(held: Lease | null, me: string, now: number): Lease | null {
  return held !== null && held.owner !== me && held.expires > now ? held : null;
}
