/**
 * Types of the period reports (DESIGN.md section 17). A report is built from per-tick samples of cumulative
 * totals: each period's row needs only the sample that closed the previous period and the one that closes its
 * own, so a restart, an outage or a missed tick inside a period changes nothing.
 */

/** Cumulative totals by side, native units, decimal strings. */
export interface SideTotals {
  readonly base: string;
  readonly quote: string;
}

/**
 * One tick's view of the account, all cumulative since the first baseline (native units, decimal strings),
 * taken after the tick's reconciliation. Only complete samples (a price and fresh pool balances) are recorded.
 */
export interface ReportSample {
  /** When it was taken (unix seconds; never earlier than the previous recorded sample). */
  readonly ts: number;
  /** Last trade price, quote per base. */
  readonly price: number;
  /** Pool balances. */
  readonly base: string;
  readonly quote: string;
  /** Time of the first baseline the totals count from; totals of two epochs cannot be subtracted. */
  readonly epoch: number | null;
  /** External flows (magnitudes): into and out of the pool. */
  readonly flows_in: SideTotals;
  readonly flows_out: SideTotals;
  /** Net pool changes (wallets entering or leaving EQUITY_WALLETS): a move of the owner's money, never drift. */
  readonly pool_changes: SideTotals;
  /** Net income (rewards, staking, credits). */
  readonly income: SideTotals;
  /** Net trading rows (the bot's trades in the ledger). */
  readonly trading: SideTotals;
  /** The bot's own cumulative P&L in quote currency (http/supabase sources); null: use the ledger's trades. */
  readonly bot_pnl_usd: number | null;
}

/** DESIGN.md section 17's row, numbers at the JSON edge. A row without both boundary samples has null figures. */
export interface ReportRow {
  readonly start_ts: number;
  readonly end_ts: number;
  readonly open: boolean;
  /** Both boundary samples are known (and of one epoch): the figures are real. False: they are null. */
  readonly complete: boolean;
  readonly start_price: number | null;
  readonly end_price: number | null;
  readonly start_usd: number | null;
  readonly end_usd: number | null;
  readonly start_doge_eq: number | null;
  readonly end_doge_eq: number | null;
  readonly deposits_usd: number | null;
  readonly withdrawals_usd: number | null;
  readonly income_usd: number | null;
  readonly bot_pnl_usd: number | null;
  readonly unexplained_usd: number | null;
  readonly price_effect_usd: number | null;
  readonly return_ex_flows_pct: number | null;
  readonly bot_return_pct: number | null;
}

export interface ReportSummaryWindow {
  /** Complete periods linked and summed (of the window's periods). */
  readonly periods: number;
  /** Time-weighted: Π(1 + r/100) − 1 over the complete periods, in percent; null with none. */
  readonly return_ex_flows_pct: number | null;
  readonly deposits_usd: number;
  readonly withdrawals_usd: number;
  readonly income_usd: number;
  readonly bot_pnl_usd: number;
  readonly unexplained_usd: number;
  readonly price_effect_usd: number;
}

/** `GET /report`. */
export interface ReportView {
  readonly period_sec: number;
  readonly tz: string;
  /** Oldest first; the last one is the open period. */
  readonly periods: readonly ReportRow[];
  readonly summary: { readonly '7d': ReportSummaryWindow; readonly '30d': ReportSummaryWindow };
}

export interface ReportConfig {
  readonly periodSec: number;
  readonly tz: string;
  readonly retentionDays: number;
}
