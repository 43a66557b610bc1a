import { Big, toNumber, type Decimal } from '../recon/decimal.js';
import type { ComputedRow } from './rows.js';
import type { ReportSummaryWindow } from './types.js';

type Term = 'deposits_usd' | 'withdrawals_usd' | 'income_usd' | 'bot_pnl_usd' | 'unexplained_usd' | 'price_effect_usd';
const TERMS: readonly Term[] = ['deposits_usd', 'withdrawals_usd', 'income_usd', 'bot_pnl_usd', 'unexplained_usd', 'price_effect_usd'];

/**
 * The last `count` periods (the open one included): each term summed in big.js over the complete rows, and
 * their returns ex flows chain-linked into one time-weighted return, Π(1 + r/100) − 1. Incomplete rows add
 * nothing (the next complete row carries what happened during them).
 */
export function summarize(rows: readonly ComputedRow[], count: number): ReportSummaryWindow {
  const window = rows.slice(-count);
  const sums: Record<Term, Decimal> = Object.fromEntries(TERMS.map((t) => [t, new Big(0)])) as Record<Term, Decimal>;
  let growth = new Big(1);
  let linked = 0;
  let complete = 0;
  for (const { exact } of window) {
    if (exact === null) continue;
    complete++;
    for (const t of TERMS) sums[t] = sums[t].plus(exact[t]);
    if (exact.start_usd.gt(0)) {
      const gain = exact.end_usd.minus(exact.start_usd).minus(exact.deposits_usd).plus(exact.withdrawals_usd);
      growth = growth.times(new Big(1).plus(gain.div(exact.start_usd))).round(20);
      linked++;
    }
  }
  return {
    periods: complete,
    return_ex_flows_pct: linked === 0 ? null : toNumber(growth.minus(1).times(100)),
    deposits_usd: toNumber(sums.deposits_usd),
    withdrawals_usd: toNumber(sums.withdrawals_usd),
    income_usd: toNumber(sums.income_usd),
    bot_pnl_usd: toNumber(sums.bot_pnl_usd),
    unexplained_usd: toNumber(sums.unexplained_usd),
    price_effect_usd: toNumber(sums.price_effect_usd),
  };
}
