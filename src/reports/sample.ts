import { isDecimalString } from '../recon/decimal.js';
import type { FlowTotals } from '../recon/state.js';
import type { ReportSample, SideTotals } from './types.js';

/** The cumulative totals a sample reads: `ReconState.totals`, native units since the first baseline. */
export type TotalsInput = Pick<FlowTotals, 'base_in' | 'base_out' | 'quote_in' | 'quote_out' | 'income' | 'trading' | 'pool_changes'>;

export interface SampleInput {
  readonly ts: number;
  /** The tick's price; null or not ok: no sample. */
  readonly price: number | null;
  readonly priceOk: boolean;
  /** Pool balances; null, or the last read failed (stale): no sample. */
  readonly balances: { readonly base: string; readonly quote: string } | null;
  readonly balancesOk: boolean;
  /** The baseline's time (it never moves); null before the first baseline: no sample. */
  readonly baselineTs: number | null;
  readonly totals: TotalsInput;
  /** The bot's own P&L since the baseline (http/supabase sources), null without one. */
  readonly botPnlUsd: number | null;
}

/**
 * The tick's report sample, or null when the tick cannot value the account (no price, no fresh balances, no
 * baseline): the report then shows what it knows and never invents a balance.
 */
export function makeSample(input: SampleInput): ReportSample | null {
  const { price, balances } = input;
  if (!input.priceOk || price === null || !Number.isFinite(price) || price <= 0) return null;
  if (!input.balancesOk || balances === null || !isDecimalString(balances.base) || !isDecimalString(balances.quote)) return null;
  if (input.baselineTs === null) return null;
  const t = input.totals;
  return {
    ts: input.ts,
    price,
    base: balances.base,
    quote: balances.quote,
    epoch: input.baselineTs,
    flows_in: { base: dec(t.base_in), quote: dec(t.quote_in) },
    flows_out: { base: dec(t.base_out), quote: dec(t.quote_out) },
    pool_changes: sides(t.pool_changes),
    income: sides(t.income),
    trading: sides(t.trading),
    bot_pnl_usd: input.botPnlUsd !== null && Number.isFinite(input.botPnlUsd) ? input.botPnlUsd : null,
  };
}

function sides(v: { readonly base: string; readonly quote: string }): SideTotals {
  return { base: dec(v.base), quote: dec(v.quote) };
}

function dec(v: unknown): string {
  return isDecimalString(v) ? v : '0';
}
