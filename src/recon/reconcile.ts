import { Big, baseEquivalent, toNumber } from './decimal.js';
import type { FlowTotals } from './state.js';
import type { Baseline } from './types.js';

export type ReconStatus = 'ok' | 'warn' | 'unknown';

/** The totals reconciliation reads (older callers may omit the section 15 ones: zero). */
export type ReconTotals = Pick<FlowTotals, 'base_in' | 'base_out' | 'quote_in' | 'quote_out'> &
  Partial<Pick<FlowTotals, 'income' | 'trading' | 'pool_changes' | 'unclassified'>>;

/** DESIGN.md section 15: current = baseline + pool changes + flows + income + bot P&L + unexplained, in DOGE-eq at P. */
export interface RollForward {
  baseline: number;
  pool_changes: number;
  flows: number;
  income: number;
  bot_pnl: number;
  unexplained: number;
  current: number;
}

export interface ReconInput {
  /** Current last-trade price (quote per base); null before the first price. */
  readonly price: number | null;
  /** Current spot balances as decimal strings; null before the first balances. */
  readonly balances: { readonly base: string; readonly quote: string } | null;
  readonly baseline: Baseline | null;
  /** Bot P&L in quote currency since the baseline (source now − source at baseline); 0 without a source. */
  readonly botPnlUsd: number;
  readonly totals: ReconTotals;
  /** Net flows not applied to the baseline, by side. */
  readonly unapplied: { readonly base: string; readonly quote: string };
  readonly thresholdPct: number;
  /** BOT_PNL_SOURCE=ledger: the bot's P&L is `totals.trading` at P (exact; `botPnlUsd` is then ignored). */
  readonly pnlFromLedger?: boolean;
  /** The first baseline, before any adjustment (section 15); without it there is no roll-forward. */
  readonly firstBaseline?: { readonly doge: string; readonly usd: string } | null;
}

export interface ReconFigures {
  current_doge_eq: number | null;
  baseline_doge_eq: number | null;
  bot_pnl_usd: number;
  bot_pnl_doge_eq: number;
  drift_doge: number | null;
  drift_pct: number | null;
  status: ReconStatus;
  external_flows_doge_eq: number;
  adjusted_drift_doge: number | null;
  adjusted_drift_pct: number | null;
  adjusted_status: ReconStatus;
  deposits_doge_eq: number;
  withdrawals_doge_eq: number;
  /** Income rows at P (section 15). */
  income_doge_eq: number;
  /** The bot's trades in the ledger at P: P·Σ trading base + Σ trading quote, in DOGE-eq. */
  ledger_trading_doge_eq: number;
  /** Unclassified rows at P (they stay in unexplained). */
  unclassified_doge_eq: number;
  roll_forward: RollForward | null;
}

/**
 * DESIGN.md section 7. Everything is valued at the current price P, so price moves are not drift:
 *   current_doge_eq  = doge + usd/P            baseline_doge_eq = doge_b + usd_b/P
 *   drift_doge       = current − baseline − bot_pnl_usd/P
 *   adjusted_drift   = drift − unapplied flows at P   (the same in auto-adjust and observe-only mode)
 * The adjusted percentage uses the flow-adjusted baseline (baseline + unapplied flows), so it too is the
 * same in both modes.
 */
export function reconcile(input: ReconInput): ReconFigures {
  const { balances, baseline, totals } = input;
  // A price that cannot value anything is no price: every figure that needs one is unknown.
  const price = input.price !== null && Number.isFinite(input.price) && input.price > 0 ? input.price : null;
  const inflow = price === null ? null : baseEquivalent(totals.base_in, totals.quote_in, price);
  const outflow = price === null ? null : baseEquivalent(totals.base_out, totals.quote_out, price);
  const flowsAtP = inflow !== null && outflow !== null ? inflow.minus(outflow) : null;
  const ledgerPnl = input.pnlFromLedger === true && price !== null ? pairAt(totals.trading, price) : null;
  const botPnlUsd = ledgerPnl !== null && price !== null ? toNumber(ledgerPnl.times(price)) : input.botPnlUsd;
  const common = {
    bot_pnl_usd: botPnlUsd,
    bot_pnl_doge_eq: ledgerPnl !== null ? toNumber(ledgerPnl) : price === null ? 0 : input.botPnlUsd / price,
    external_flows_doge_eq: flowsAtP === null ? 0 : toNumber(flowsAtP),
    deposits_doge_eq: inflow === null ? 0 : toNumber(inflow),
    withdrawals_doge_eq: outflow === null ? 0 : toNumber(outflow),
    income_doge_eq: price === null ? 0 : toNumber(pairAt(totals.income, price)),
    ledger_trading_doge_eq: price === null ? 0 : toNumber(pairAt(totals.trading, price)),
    unclassified_doge_eq: price === null ? 0 : toNumber(pairAt(totals.unclassified, price)),
  };
  if (price === null || balances === null || baseline === null) {
    return {
      ...common,
      current_doge_eq: price !== null && balances !== null ? toNumber(baseEquivalent(balances.base, balances.quote, price)) : null,
      baseline_doge_eq: null,
      drift_doge: null,
      drift_pct: null,
      status: 'unknown',
      adjusted_drift_doge: null,
      adjusted_drift_pct: null,
      adjusted_status: 'unknown',
      roll_forward: null,
    };
  }
  const current = baseEquivalent(balances.base, balances.quote, price);
  const base = baseEquivalent(baseline.doge, baseline.usd, price);
  const pnl = ledgerPnl ?? new Big(input.botPnlUsd).div(price);
  const drift = current.minus(base).minus(pnl);
  const unapplied = baseEquivalent(input.unapplied.base, input.unapplied.quote, price);
  const adjusted = drift.minus(unapplied);
  const adjustedBase = base.plus(unapplied);
  const driftPct = percent(drift, base);
  const adjustedPct = percent(adjusted, adjustedBase);
  const first = input.firstBaseline;
  const roll_forward: RollForward | null =
    first === null || first === undefined || flowsAtP === null
      ? null
      : {
          baseline: toNumber(baseEquivalent(first.doge, first.usd, price)),
          pool_changes: toNumber(pairAt(totals.pool_changes, price)),
          flows: toNumber(flowsAtP),
          income: toNumber(pairAt(totals.income, price)),
          bot_pnl: toNumber(pnl),
          unexplained: toNumber(adjusted),
          current: toNumber(current),
        };
  return {
    roll_forward,
    ...common,
    current_doge_eq: toNumber(current),
    baseline_doge_eq: toNumber(base),
    drift_doge: toNumber(drift),
    drift_pct: driftPct,
    status: statusFor(driftPct, input.thresholdPct),
    adjusted_drift_doge: toNumber(adjusted),
    adjusted_drift_pct: adjustedPct,
    adjusted_status: statusFor(adjustedPct, input.thresholdPct),
  };
}

/** DESIGN.md section 15, bot P&L from the ledger: P·Σ(trading base net) + Σ(trading quote net); 0 without a price. */
export function ledgerPnlUsd(trading: { readonly base: string; readonly quote: string }, price: number | null): number {
  if (price === null || !Number.isFinite(price) || price <= 0) return 0;
  return toNumber(new Big(trading.base).times(price).plus(trading.quote));
}

function pairAt(v: { readonly base: string; readonly quote: string } | undefined, price: number): InstanceType<typeof Big> {
  return v === undefined ? new Big(0) : baseEquivalent(v.base, v.quote, price);
}

function percent(part: InstanceType<typeof Big>, whole: InstanceType<typeof Big>): number | null {
  return whole.eq(0) ? null : toNumber(part.times(100).div(whole));
}

function statusFor(pct: number | null, thresholdPct: number): ReconStatus {
  if (pct === null) return 'unknown';
  return Math.abs(pct) > thresholdPct ? 'warn' : 'ok';
}
