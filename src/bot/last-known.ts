import type { JsonObject, LastKnown } from '../recon/last-known.js';
import type { StatusPayload } from './status-types.js';

/** Marks a block of `/status` that comes from disk (the last figures before a restart), not from this run. */
export interface StaleMark {
  /** True: the figures are the last known ones from before the restart; Kraken has not answered since. */
  stale: boolean;
  /** Seconds since those figures were current (null when the block is fresh). */
  age_sec: number | null;
}

/**
 * What to keep of a published payload: its price, balances and reconciliation blocks, only once they rest on
 * fresh answers of this run (a stale overlay is never saved again as if it were new). Null: keep the old one.
 */
export function captureLastKnown(status: StatusPayload | null): LastKnown | null {
  if (status === null || status.price.last === null || status.price.ts === null) return null;
  if (status.balances.doge === null || status.balances.ts === null || status.balances.stale === true) return null;
  const recon = status.balance_recon;
  if (status.price.stale === true || recon.stale === true || recon.held || recon.current_doge_eq === null) return null;
  return {
    price: asJson(status.price),
    balances: asJson(status.balances),
    balance_recon: asJson(status.balance_recon),
    ts: Math.min(status.price.ts, status.balances.ts),
  };
}

/**
 * The payload with every block this run has no fresh figures for taken from `last` and marked stale with its
 * age; blocks with fresh figures are marked `stale: false`. Probes never look at this: they stay honest.
 */
export function withLastKnown(p: StatusPayload, last: LastKnown | null, now: number): StatusPayload {
  const fresh: StaleMark = { stale: false, age_sec: null };
  const mark = (ts: unknown): StaleMark => ({ stale: true, age_sec: typeof ts === 'number' ? Math.max(0, Math.round((now - ts) * 10) / 10) : null });
  // Saved blocks go under the live one's health fields (ok, last_error, source health): those describe this run.
  const savedPrice = last?.price ?? null;
  const savedBalances = last?.balances ?? null;
  const savedRecon = last?.balance_recon ?? null;
  const live = p.balance_recon;
  const price =
    p.price.last === null && savedPrice !== null
      ? { ...p.price, ...(savedPrice as Partial<StatusPayload['price']>), ok: p.price.ok, last_error: p.price.last_error, ...mark(savedPrice.ts) }
      : { ...p.price, ...fresh };
  const balances =
    p.balances.doge === null && savedBalances !== null
      ? { ...p.balances, ...(savedBalances as Partial<StatusPayload['balances']>), ok: p.balances.ok, last_error: p.balances.last_error, ...mark(savedBalances.ts) }
      : { ...p.balances, ...fresh };
  const recon =
    live.current_doge_eq === null && savedRecon !== null
      ? { ...live, ...(savedRecon as Partial<StatusPayload['balance_recon']>), baseline: live.baseline, bot_pnl: live.bot_pnl, threshold_pct: live.threshold_pct, ...mark(last?.ts) }
      : { ...live, ...fresh };
  return { ...p, price, balances, balance_recon: recon };
}

function asJson(block: object): JsonObject {
  return JSON.parse(JSON.stringify(block)) as JsonObject;
}
