import { Big, toNumber, type Decimal } from '../recon/decimal.js';
import type { ComputedRow } from './rows.js';
import type { ReportSummaryWindow } from './types.js';

type Term = 'deposits_usd' | 'withdrawals_usd' | 'income_usd' | 'bot_pnl_usd' | 'unexplained_usd' | 'price_effect_usd';
const TERMS: readonly Term[] = ['deposits_usd', 'withdrawals_usd', 'income_usd', 'bot_pnl_usd', 'unexplained_usd', 'price_effect_usd'];

/** Running totals over some rows. */
interface Partial {
  readonly sums: Readonly<Record<Term, Decimal>>;
  /** Π(1 + r) over the linked rows (a ratio for display: floating point is exact enough, 1e-15 per period). */
  readonly growth: number;
  readonly linked: number;
  readonly complete: number;
}

const EMPTY: Partial = { sums: Object.fromEntries(TERMS.map((t) => [t, new Big(0)])) as Record<Term, Decimal>, growth: 1, linked: 0, complete: 0 };

/**
 * Closed rows never change (build.ts hands out one object per closed row), so the totals over a window's closed
 * rows are kept per (newest closed row, window size): each tick then adds only the open row.
 */
const closedMemo = new WeakMap<ComputedRow, Map<number, { first: ComputedRow; partial: Partial }>>();

/**
 * The last `count` periods (the open one included): each term summed in big.js over the complete rows, and
 * their returns ex flows chain-linked into one time-weighted return, Π(1 + r/100) − 1. Incomplete rows add
 * nothing (the next complete row carries what happened during them).
 */
export function summarize(rows: readonly ComputedRow[], count: number): ReportSummaryWindow {
  const window = rows.slice(-count);
  const open = window.at(-1);
  if (open === undefined) return toWindow(EMPTY);
  return toWindow(add(closedPartial(window.slice(0, -1)), open));
}

function closedPartial(closed: readonly ComputedRow[]): Partial {
  const last = closed.at(-1);
  const first = closed[0];
  if (last === undefined || first === undefined) return EMPTY;
  const hit = closedMemo.get(last)?.get(closed.length);
  if (hit !== undefined && hit.first === first) return hit.partial;
  let partial = EMPTY;
  for (const r of closed) partial = add(partial, r);
  let byLength = closedMemo.get(last);
  if (byLength === undefined) closedMemo.set(last, (byLength = new Map()));
  byLength.set(closed.length, { first, partial });
  return partial;
}

function add(p: Partial, { exact }: ComputedRow): Partial {
  if (exact === null) return p;
  const sums = Object.fromEntries(TERMS.map((t) => [t, p.sums[t].plus(exact[t])])) as Record<Term, Decimal>;
  const start = toNumber(exact.start_usd);
  if (!(start > 0)) return { ...p, sums, complete: p.complete + 1 };
  const gain = toNumber(exact.end_usd.minus(exact.start_usd).minus(exact.deposits_usd).plus(exact.withdrawals_usd));
  return { sums, growth: p.growth * (1 + gain / start), linked: p.linked + 1, complete: p.complete + 1 };
}

function toWindow(p: Partial): ReportSummaryWindow {
  return {
    periods: p.complete,
    return_ex_flows_pct: p.linked === 0 ? null : (p.growth - 1) * 100,
    deposits_usd: toNumber(p.sums.deposits_usd),
    withdrawals_usd: toNumber(p.sums.withdrawals_usd),
    income_usd: toNumber(p.sums.income_usd),
    bot_pnl_usd: toNumber(p.sums.bot_pnl_usd),
    unexplained_usd: toNumber(p.sums.unexplained_usd),
    price_effect_usd: toNumber(p.sums.price_effect_usd),
  };
}
