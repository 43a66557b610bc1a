import { rowsCoverRead, type BalanceRead } from '../recon/alignment.js';
import { ledgerPnlUsd, reconcile, type ReconFigures, type ReconInput } from '../recon/reconcile.js';
import type { FlowTotals, ReconState } from '../recon/state.js';
import type { Config } from './config.js';

/** What a tick's figures rest on. */
export interface FiguresInput {
  readonly config: Config;
  readonly state: ReconState;
  readonly price: number | null;
  readonly balances: { readonly base: string; readonly quote: string } | null;
  readonly botPnlUsd: number;
  /** The balances' read, and this tick's fresh fingerprint (null: no fresh balances this tick). */
  readonly read: BalanceRead | null;
  readonly fresh: string | null;
  readonly flowsEnabled: boolean;
  readonly now: number;
}

/** Bot P&L since the baseline: the ledger's trading rows, or the bot's own figure against its value then. */
export function botPnlUsd(config: Config, state: ReconState, price: number | null, sourceValue: number | null): number {
  if (config.BOT_PNL_SOURCE === 'ledger') return ledgerPnlUsd(state.totals.trading, price);
  const at = state.baseline?.pnl_source_at_baseline;
  return at === null || at === undefined || sourceValue === null ? 0 : sourceValue - at;
}

/** What one moment's figures rest on: the balances and the rows read up to then (copied: the state moves on). */
type Moment = Omit<ReconInput, 'price'> & { readonly totals: FlowTotals };

/**
 * The figures of each tick. While the rows read lag the balances (a poll still paging, or one whose end came
 * before this tick's read), a tick keeps the balances and totals of the last moment both covered and values
 * them at the current price: a trade whose row is not read yet is not drift, and a price move still shows.
 * At most for one poll interval; a ledger stuck longer shows what the balances say.
 */
export class TickFigures {
  figures: ReconFigures | null = null;
  private moment: Moment | null = null;
  private heldSince: number | null = null;
  private momentIsNow = true;

  /** True while the rows read lag the balances (a report sample then waits too). */
  get holding(): boolean {
    return this.heldSince !== null;
  }

  /** True while the figures are an earlier moment's (`balance_recon.held`). */
  get held(): boolean {
    return !this.momentIsNow;
  }

  /** The totals the figures rest on: their counts go with them in `/status`. */
  get totals(): FlowTotals | null {
    return this.moment?.totals ?? null;
  }

  next(i: FiguresInput): ReconFigures {
    const lagging =
      this.moment !== null &&
      i.read !== null &&
      i.state.baseline !== null &&
      i.config.FLOW_DETECTION_ENABLED &&
      i.flowsEnabled &&
      !rowsCoverRead(i.state.poll, i.read.latest ?? i.read.ts, i.fresh === null || i.fresh === i.state.ledger.accounted);
    if (!lagging) this.heldSince = null;
    else this.heldSince ??= i.now;
    this.momentIsNow = this.heldSince === null || i.now - this.heldSince >= i.config.FLOW_POLL_INTERVAL_SEC;
    if (this.momentIsNow || this.moment === null) this.moment = momentOf(i);
    this.figures = reconcile({ ...this.moment, price: i.price });
    return this.figures;
  }
}

function momentOf(i: FiguresInput): Moment {
  const s = i.state;
  return structuredClone({
    balances: i.balances,
    baseline: s.baseline,
    botPnlUsd: i.botPnlUsd,
    totals: s.totals,
    unapplied: s.unapplied,
    thresholdPct: i.config.BALANCE_RECON_DRIFT_PCT,
    firstBaseline: s.ledger.first_baseline,
    pnlFromLedger: i.config.BOT_PNL_SOURCE === 'ledger',
  });
}
