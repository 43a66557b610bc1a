import type { AlertState } from '../alerts/state.js';
import type { SavedRejection } from '../kraken/key-rejection.js';
import type { LastKnown } from './last-known.js';
import { emptyLedgerBook, type LedgerBook } from './ledger-book-types.js';
import type { AuditEntry, Baseline, FlowRecord, SkippedRows } from './types.js';
import type { ReportsState } from '../reports/state.js';

/**
 * Totals since the baseline was first set (decimal strings, native units); never capped, never reset by an
 * adjustment. `count` and the in/out magnitudes are external flows only (DESIGN.md section 15).
 */
export interface FlowTotals {
  count: number;
  base_in: string;
  base_out: string;
  quote_in: string;
  quote_out: string;
  /** How many times the baseline has been moved. */
  adjustments: number;
  /** Income rows (rewards, staking, credits): net amounts and how many. */
  income: { base: string; quote: string; count: number };
  /** The bot's trades in the ledger: net amounts. */
  trading: { base: string; quote: string };
  /** Baseline moves from EQUITY_WALLETS changes (wallets entering or leaving the pool). */
  pool_changes: { base: string; quote: string };
  /** Rows of types nobody classified: net amounts, rows, and rows per type. */
  unclassified: { base: string; quote: string; rows: number; types: Record<string, number> };
  /** Refid groups that were internal moves (Auto Earn allocations and the like). */
  internal_moves: number;
}

export function emptyTotals(): FlowTotals {
  return {
    count: 0,
    base_in: '0',
    base_out: '0',
    quote_in: '0',
    quote_out: '0',
    adjustments: 0,
    income: { base: '0', quote: '0', count: 0 },
    trading: { base: '0', quote: '0' },
    pool_changes: { base: '0', quote: '0' },
    unclassified: { base: '0', quote: '0', rows: 0, types: {} },
    internal_moves: 0,
  };
}

/** A ledger poll in progress: the same window resumes on the next tick until a short or empty page. */
export interface PendingPoll {
  /** Exclusive lower bound sent as `start`. */
  readonly start: number;
  /** Inclusive upper bound sent as `end`, fixed for the whole poll so offsets stay stable. */
  readonly end: number;
  ofs: number;
  pages: number;
  /** Newest valid row time seen in this poll. */
  newest: number | null;
  /** Oldest valid row time seen in this poll (pages come newest first: once at or before the last poll's end, every newer row is in). */
  oldest?: number | null;
  /** Kraken's `count` on the first page: a different count on a later page means the window shifted. */
  count?: number | null;
}

export interface PollHealth {
  /** When the last complete poll finished. */
  last_poll_ts: number | null;
  /** The `end` of the last complete poll: everything up to it has been read once. */
  last_end: number | null;
  last_attempt_ts: number | null;
  ok: boolean | null;
  last_error: string | null;
  pending: PendingPoll | null;
  polls: number;
}

/**
 * Everything the reconciliation needs to survive a restart; persisted as `__recon_state_v1__`.
 * The functions in src/recon update it in place (no I/O, no clock: `now` is always passed in).
 */
export interface ReconState {
  v: 1;
  saved_ts: number;
  baseline: Baseline | null;
  /** Newest ledger time fully processed; only moves forward, only after a complete poll. */
  cursor: number | null;
  /** Rows at or before this time are never imported (no backfill before the sidecar started watching). */
  import_floor: number | null;
  /** Ledger id → row time, kept while a poll window can still return it. */
  seen: Map<string, number>;
  flows: FlowRecord[];
  audit: AuditEntry[];
  totals: FlowTotals;
  /** Net flows and income not yet applied to the baseline (observe-only mode), by side. */
  unapplied: { base: string; quote: string };
  skipped_rows: SkippedRows;
  poll: PollHealth;
  /** Period report samples (src/reports/state.ts); absent in states saved before reports existed. */
  reports?: ReportsState;
  /** Highest nonce used, so nonces keep increasing across restarts. */
  nonce_floor: number;
  /** `rejected`: Kraken refused the key (src/kraken/key-rejection.ts); absent in older states. */
  budget: { counter: number; ts: number; paused_until?: number | null; rejected?: SavedRejection | null } | null;
  /** Alerting's memory and delivery queue (src/alerts/state.ts); absent in older states and with alerts off. */
  alerts?: AlertState | undefined;
  /** The last published figures, shown stale after a restart until Kraken answers (optional: older states lack it). */
  last_known?: LastKnown | null;
  /** Section 15 bookkeeping: pool definition, first baseline, refid groups awaiting legs, rows held for alignment. */
  ledger: LedgerBook;
}

export function emptyReconState(): ReconState {
  return {
    v: 1,
    saved_ts: 0,
    baseline: null,
    cursor: null,
    import_floor: null,
    seen: new Map(),
    flows: [],
    audit: [],
    totals: emptyTotals(),
    unapplied: { base: '0', quote: '0' },
    skipped_rows: {},
    poll: { last_poll_ts: null, last_end: null, last_attempt_ts: null, ok: null, last_error: null, pending: null, polls: 0 },
    nonce_floor: 0,
    budget: null,
    ledger: emptyLedgerBook(),
  };
}
