import { Big, toNumber, type Decimal } from '../recon/decimal.js';
import type { ReportRow, ReportSample, SideTotals } from './types.js';

/** A complete row's terms in big.js, before they become JSON numbers (the summary sums these). */
export interface ExactTerms {
  readonly start_usd: Decimal;
  readonly end_usd: Decimal;
  readonly deposits_usd: Decimal;
  readonly withdrawals_usd: Decimal;
  readonly income_usd: Decimal;
  readonly bot_pnl_usd: Decimal;
  readonly unexplained_usd: Decimal;
  readonly price_effect_usd: Decimal;
}

export interface ComputedRow {
  readonly row: ReportRow;
  /** Null when the row is incomplete. */
  readonly exact: ExactTerms | null;
}

export interface RowBounds {
  readonly start_ts: number;
  readonly end_ts: number;
  readonly open: boolean;
}

/**
 * DESIGN.md section 17's roll-forward between two samples, every term valued at the end price Pe:
 *   start_usd        = base_s·Ps + quote_s                  end_usd = base_e·Pe + quote_e
 *   price_effect_usd = base_s·(Pe − Ps)                     (the start holdings revalued)
 *   deposits_usd     = Δ(base in)·Pe + Δ(quote in)          (+ pool additions)
 *   withdrawals_usd  = Δ(base out)·Pe + Δ(quote out)        (+ pool removals, as a magnitude)
 *   income_usd       = Δ(income base)·Pe + Δ(income quote)
 *   bot_pnl_usd      = Δ(bot's own P&L) when both samples have it, else Δ(trading base)·Pe + Δ(trading quote)
 *   unexplained_usd  = end − start − price effect − deposits + withdrawals − income − bot   (the residual)
 * so end = start + price effect + deposits − withdrawals + income + bot + unexplained holds exactly in big.js.
 * Without both samples, or across a baseline reset (two epochs), the row says `complete: false` and has no figures.
 */
export function computeRow(bounds: RowBounds, start: ReportSample | null, end: ReportSample | null): ComputedRow {
  if (start === null || end === null || start.epoch !== end.epoch) return { row: incompleteRow(bounds), exact: null };
  const ps = new Big(start.price);
  const pe = new Big(end.price);
  const atEnd = (a: SideTotals, b: SideTotals): Decimal => new Big(b.base).minus(a.base).times(pe).plus(new Big(b.quote).minus(a.quote));

  const startUsd = new Big(start.base).times(ps).plus(start.quote);
  const endUsd = new Big(end.base).times(pe).plus(end.quote);
  const priceEffect = new Big(start.base).times(pe.minus(ps));
  const pool = poolChangeAtEnd(start.pool_changes, end.pool_changes, pe);
  const deposits = atEnd(start.flows_in, end.flows_in).plus(pool.added);
  const withdrawals = atEnd(start.flows_out, end.flows_out).plus(pool.removed);
  const income = atEnd(start.income, end.income);
  const bot =
    start.bot_pnl_usd !== null && end.bot_pnl_usd !== null ? new Big(end.bot_pnl_usd).minus(start.bot_pnl_usd) : atEnd(start.trading, end.trading);
  const unexplained = endUsd.minus(startUsd).minus(priceEffect).minus(deposits).plus(withdrawals).minus(income).minus(bot);

  const exact: ExactTerms = {
    start_usd: startUsd,
    end_usd: endUsd,
    deposits_usd: deposits,
    withdrawals_usd: withdrawals,
    income_usd: income,
    bot_pnl_usd: bot,
    unexplained_usd: unexplained,
    price_effect_usd: priceEffect,
  };
  // The identity's terms stay exact; the DOGE-eq views and percentages are ratios for display, taken in floating point.
  const startNum = toNumber(startUsd);
  const endNum = toNumber(endUsd);
  const botNum = toNumber(bot);
  const depositsNum = toNumber(deposits);
  const withdrawalsNum = toNumber(withdrawals);
  const row: ReportRow = {
    ...bounds,
    complete: true,
    start_price: start.price,
    end_price: end.price,
    start_usd: startNum,
    end_usd: endNum,
    start_doge_eq: startNum / start.price,
    end_doge_eq: endNum / end.price,
    deposits_usd: depositsNum,
    withdrawals_usd: withdrawalsNum,
    income_usd: toNumber(income),
    bot_pnl_usd: botNum,
    unexplained_usd: toNumber(unexplained),
    price_effect_usd: toNumber(priceEffect),
    return_ex_flows_pct: percentOf(toNumber(endUsd.minus(startUsd).minus(deposits).plus(withdrawals)), startNum),
    bot_return_pct: percentOf(botNum, startNum),
  };
  return { row, exact };
}

export function incompleteRow(bounds: RowBounds): ReportRow {
  return {
    ...bounds,
    complete: false,
    start_price: null,
    end_price: null,
    start_usd: null,
    end_usd: null,
    start_doge_eq: null,
    end_doge_eq: null,
    deposits_usd: null,
    withdrawals_usd: null,
    income_usd: null,
    bot_pnl_usd: null,
    unexplained_usd: null,
    price_effect_usd: null,
    return_ex_flows_pct: null,
    bot_return_pct: null,
  };
}

/** Pool changes are net per side: a side that grew is money added to the pool, one that shrank money removed. */
function poolChangeAtEnd(a: SideTotals, b: SideTotals, pe: Decimal): { added: Decimal; removed: Decimal } {
  let added = new Big(0);
  let removed = new Big(0);
  for (const v of [new Big(b.base).minus(a.base).times(pe), new Big(b.quote).minus(a.quote)]) {
    if (v.gt(0)) added = added.plus(v);
    else removed = removed.minus(v);
  }
  return { added, removed };
}

/** 100·part/whole; null when the start is not positive (a return on nothing is not a number). */
export function percentOf(part: number, whole: number): number | null {
  return whole > 0 ? (100 * part) / whole : null;
}
