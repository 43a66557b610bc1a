import { rowsCoverRead, type BalanceRead } from '../recon/alignment.js';
import { ledgerPnlUsd, reconcile, type ReconFigures } from '../recon/reconcile.js';
import type { ReconState } from '../recon/state.js';
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

/**
 * The figures of each tick. While the rows read lag the balances (a poll still paging, or one whose end came
 * before this tick's read), a tick keeps the figures of the last moment both covered: a trade whose row is not
 * read yet is not drift. At most for one poll interval; a ledger stuck longer shows what the balances say.
 */
export class TickFigures {
  figures: ReconFigures | null = null;
  private heldSince: number | null = null;

  /** True while the figures are held back for rows not read yet (a report sample then waits too). */
  get holding(): boolean {
    return this.heldSince !== null;
  }

  next(i: FiguresInput): ReconFigures {
    const lagging =
      this.figures !== null &&
      i.read !== null &&
      i.state.baseline !== null &&
      i.config.FLOW_DETECTION_ENABLED &&
      i.flowsEnabled &&
      !rowsCoverRead(i.state.poll, i.read.latest ?? i.read.ts, i.fresh === null || i.fresh === i.state.ledger.accounted);
    if (!lagging || this.figures === null) {
      this.heldSince = null;
      this.figures = reconcileNow(i);
      return this.figures;
    }
    this.heldSince ??= i.now;
    if (i.now - this.heldSince >= i.config.FLOW_POLL_INTERVAL_SEC) this.figures = reconcileNow(i);
    return this.figures;
  }
}

function reconcileNow(i: FiguresInput): ReconFigures {
  return reconcile({
    price: i.price,
    balances: i.balances,
    baseline: i.state.baseline,
    botPnlUsd: i.botPnlUsd,
    totals: i.state.totals,
    unapplied: i.state.unapplied,
    thresholdPct: i.config.BALANCE_RECON_DRIFT_PCT,
    firstBaseline: i.state.ledger.first_baseline,
    pnlFromLedger: i.config.BOT_PNL_SOURCE === 'ledger',
  });
}
