import { pushAudit } from './baseline.js';
import { Big } from './decimal.js';
import type { ReconState } from './state.js';

/**
 * DESIGN.md section 15: EQUITY_WALLETS changed (or a spot-only state from an earlier version was loaded).
 * The wallets entering the pool add their balances at this moment to the baseline, the wallets leaving
 * take theirs out, with an audit entry per side and the sum in `totals.pool_changes`: a pool change is
 * never drift. Returns the wallets that entered and left (both empty: nothing changed).
 */
export function applyPoolChange(
  state: ReconState,
  wallets: Readonly<Record<string, { readonly base: string; readonly quote: string }>>,
  pool: readonly string[],
  now: number,
  historyMax: number,
  assets: { readonly base: string; readonly quote: string },
): { entered: string[]; left: string[] } {
  const old = state.ledger.pool;
  const entered = pool.filter((w) => !old.includes(w));
  const left = old.filter((w) => !pool.includes(w));
  if (entered.length === 0 && left.length === 0) return { entered, left };
  state.ledger.pool = [...pool];
  if (state.baseline === null) return { entered, left };
  const reason = `EQUITY_WALLETS ${old.join(',')} → ${pool.join(',')}${entered.length > 0 ? `: ${entered.join(',')} entered the pool` : ''}${left.length > 0 ? `${entered.length > 0 ? ',' : ':'} ${left.join(',')} left the pool` : ''}`;
  for (const side of ['base', 'quote'] as const) {
    let delta = new Big(0);
    for (const w of entered) delta = delta.plus(wallets[w]?.[side] ?? '0');
    for (const w of left) delta = delta.minus(wallets[w]?.[side] ?? '0');
    if (delta.eq(0)) continue;
    const field = side === 'base' ? 'doge' : 'usd';
    const before: string = state.baseline[field];
    const after: string = new Big(before).plus(delta).toString();
    state.baseline = { ...state.baseline, [field]: after };
    state.totals.pool_changes[side] = new Big(state.totals.pool_changes[side]).plus(delta).toString();
    pushAudit(state, { ledger_id: '(pool change)', asset: assets[side], net: delta.toString(), before, after, ts: now, reason }, historyMax);
  }
  return { entered, left };
}
