import { Big, baseEquivalent, toNumber } from './decimal.js';
import type { FlowTotals } from './state.js';
import type { Baseline } from './types.js';

export type ReconStatus = 'ok' | 'warn' | 'unknown';

/** The totals reconciliation reads (older callers may omit the section 15 ones: zero). */
export type ReconTotals = Pick<FlowTotals, 'base_in' | 'base_out' | 'quote_in' | 'quote_out'> & Partial<Pick<FlowTotals, 'income' | 'trading' | 'pool_changes'>>;

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
  const common = {
    bot_pnl_usd: input.botPnlUsd,
    bot_pnl_doge_eq: price === null ? 0 : input.botPnlUsd / price,
    external_flows_doge_eq: flowsAtP === null ? 0 : toNumber(flowsAtP),
    deposits_doge_eq: inflow === null ? 0 : toNumber(inflow),
    withdrawals_doge_eq: outflow === null ? 0 : toNumber(outflow),
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
    };
  }
  const current = baseEquivalent(balances.base, balances.quote, price);
  const base = baseEquivalent(baseline.doge, baseline.usd, price);
  const pnl = new Big(input.botPnlUsd).div(price);
  const drift = current.minus(base).minus(pnl);
  const unapplied = baseEquivalent(input.unapplied.base, input.unapplied.quote, price);
  const adjusted = drift.minus(unapplied);
  const adjustedBase = base.plus(unapplied);
  const driftPct = percent(drift, base);
  const adjustedPct = percent(adjusted, adjustedBase);
  return {
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

function percent(part: InstanceType<typeof Big>, whole: InstanceType<typeof Big>): number | null {
  return whole.eq(0) ? null : toNumber(part.times(100).div(whole));
}

function statusFor(pct: number | null, thresholdPct: number): ReconStatus {
  if (pct === null) return 'unknown';
  return Math.abs(pct) > thresholdPct ? 'warn' : 'ok';
}
