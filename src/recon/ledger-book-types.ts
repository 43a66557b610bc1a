import type { RowVerdict } from './groups.js';
import type { LedgerRow } from './types.js';

/** One refid group kept while more of its legs can still arrive (its rows are inside the poll window). */
export interface LedgerGroup {
  rows: LedgerRow[];
  /** The verdict currently applied to the totals, by row (same order as `rows`). */
  verdict: RowVerdict[];
  /** Whether the group currently counts as one internal move. */
  internal: boolean;
  /** Newest row time: the group is final once the poll window has moved past it. */
  newest: number;
}

/** The `ledger` field of `__recon_state_v1__` (DESIGN.md section 15). */
export interface LedgerBook {
  /** EQUITY_WALLETS the baseline covers; a state from before section 15 covered `spot` only. */
  pool: string[];
  /** The first baseline, before any adjustment (the roll-forward starts from it). */
  first_baseline: { doge: string; usd: string } | null;
  /** Open refid groups by key (refid, or `#<ledger id>` for a row without one). */
  groups: Map<string, LedgerGroup>;
  /** Rows read from the ledger but written after the balances were read: they wait for the next balances. */
  held: LedgerRow[];
  /** Fingerprint of the pool balances the last complete poll accounted for (poll on change). */
  accounted: string | null;
}

export function emptyLedgerBook(pool: readonly string[] = ['spot', 'F']): LedgerBook {
  return { pool: [...pool], first_baseline: null, groups: new Map(), held: [], accounted: null };
}
