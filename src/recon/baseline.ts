import { Big } from './decimal.js';
import type { ReconState } from './state.js';
import type { AuditEntry, Baseline, FlowRecord } from './types.js';

/** First balances and price set the baseline; its time never moves afterwards. */
export function setInitialBaseline(
  state: ReconState,
  balances: { base: string; quote: string },
  price: number,
  now: number,
  pnlSourceValue: number | null,
  /** EQUITY_WALLETS the balances cover (kept, so a later change of the pool moves the baseline). */
  pool?: readonly string[],
): Baseline {
  const baseline: Baseline = { doge: balances.base, usd: balances.quote, ts: now, price, pnl_source_at_baseline: pnlSourceValue };
  state.baseline = baseline;
  state.ledger.first_baseline = { doge: balances.base, usd: balances.quote };
  if (pool !== undefined) state.ledger.pool = [...pool];
  return baseline;
}

/** The bot-P&L source answered for the first time after the baseline was set: that value is its zero. */
export function anchorPnlSource(state: ReconState, value: number): void {
  if (state.baseline !== null && state.baseline.pnl_source_at_baseline === null) {
    state.baseline = { ...state.baseline, pnl_source_at_baseline: value };
  }
}

/** Moves the baseline by one flow's net amount and appends an audit entry. Idempotent per flow. */
export function applyFlowToBaseline(
  state: ReconState,
  flow: FlowRecord,
  now: number,
  reason: string,
  historyMax: number,
  /** False when the flow was never added to `unapplied` (recorded and applied at once). */
  wasUnapplied = true,
): void {
  if (flow.applied || state.baseline === null) return;
  const field = flow.side === 'base' ? 'doge' : 'usd';
  const before = state.baseline[field];
  const after = new Big(before).plus(flow.net).toString();
  state.baseline = { ...state.baseline, [field]: after };
  if (wasUnapplied) state.unapplied[flow.side] = new Big(state.unapplied[flow.side]).minus(flow.net).toString();
  flow.applied = true;
  pushAudit(state, { ledger_id: flow.ledger_id, asset: flow.asset, net: flow.net, before, after, ts: now, reason }, historyMax);
}

/**
 * Auto-adjust was switched on: apply every flow observed while it was off. Flows already dropped from the
 * capped list are applied as one aggregate entry per side, so the baseline still ends up complete.
 */
export function applyUnappliedFlows(
  state: ReconState,
  now: number,
  historyMax: number,
  assets: { readonly base: string; readonly quote: string },
): number {
  if (state.baseline === null) return 0;
  let applied = 0;
  for (const flow of state.flows) {
    if (!flow.applied) {
      applyFlowToBaseline(state, flow, now, `${flow.type}: applied when auto-adjust was switched on`, historyMax);
      applied++;
    }
  }
  for (const side of ['base', 'quote'] as const) {
    const rest = state.unapplied[side];
    if (new Big(rest).eq(0)) continue;
    const field = side === 'base' ? 'doge' : 'usd';
    const before: string = state.baseline[field];
    const after: string = new Big(before).plus(rest).toString();
    state.baseline = { ...state.baseline, [field]: after };
    state.unapplied[side] = '0';
    pushAudit(
      state,
      { ledger_id: '(older flows)', asset: assets[side], net: rest, before, after, ts: now, reason: 'flows beyond the stored history, applied when auto-adjust was switched on' },
      historyMax,
    );
    applied++;
  }
  return applied;
}

export function pushAudit(state: ReconState, entry: AuditEntry, historyMax: number): void {
  state.audit.push(entry);
  state.totals.adjustments += 1;
  if (state.audit.length > historyMax) state.audit.splice(0, state.audit.length - historyMax);
}
