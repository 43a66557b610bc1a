/**
 * Domain types of the reconciliation core. Amounts are decimal strings (as Kraken sends them) and are only
 * turned into numbers at the JSON edge. Times are unix seconds (Kraken's ledger times carry fractions).
 */

/** A ledger row that passed validation. */
export interface LedgerRow {
  readonly id: string;
  readonly refid: string;
  readonly time: number;
  readonly type: string;
  readonly subtype: string;
  /** Plain asset code after normalisation (DOGE, USD). */
  readonly asset: string;
  /** `spot` or the earn/staking wallet suffix. */
  readonly wallet: string;
  readonly amount: string;
  readonly fee: string;
  /** The asset-wallet's balance after this row (Kraken's `balance`); null when absent or unreadable. */
  readonly balance: string | null;
}

/** The reconciliation baseline: balances at a moment, moved by applied flows (its time never moves). */
export interface Baseline {
  readonly doge: string;
  readonly usd: string;
  readonly ts: number;
  /** Price when the baseline was first set (for reference; reconciliation values it at the current price). */
  readonly price: number;
  /** Value of the bot-P&L source when the baseline was set; null until the source first answers. */
  readonly pnl_source_at_baseline: number | null;
}

/**
 * A row that moved the pool from outside (category `external`: deposits, withdrawals, transfers out of the
 * pool, app purchases, ...) or paid the owner income (category `income`: rewards, staking, credits).
 */
export interface FlowRecord {
  readonly ledger_id: string;
  readonly refid: string;
  readonly time: number;
  readonly type: string;
  readonly subtype: string;
  readonly asset: string;
  /** DESIGN.md section 15: `external` (the owner's money) or `income` (rewards paid to the owner). */
  readonly category: 'external' | 'income';
  /** `spot` or the wallet suffix (`F`, `B`, ...) of the row's asset code. */
  readonly wallet: string;
  /** `base` or `quote`: which side of the pair the flow moved. */
  readonly side: 'base' | 'quote';
  readonly amount: string;
  readonly fee: string;
  /** Balance effect: amount − fee. */
  readonly net: string;
  /** Price at detection. */
  readonly price: number;
  /** Net in base-asset units at detection price. */
  readonly doge_eq: number;
  readonly detected_ts: number;
  /** Whether the flow has moved the baseline. */
  applied: boolean;
}

export interface AuditEntry {
  readonly ledger_id: string;
  readonly asset: string;
  readonly net: string;
  /** Baseline amount of that asset before and after. */
  readonly before: string;
  readonly after: string;
  readonly ts: number;
  readonly reason: string;
}

/** Counts of ledger rows skipped, by kind. */
export type SkippedRows = Record<string, number>;
