import type { Logger } from 'pino';
import type { EquityPoint } from '../equity/types.js';
import type { ReconState } from '../recon/state.js';
import type { FlowRecord } from '../recon/types.js';
import { buildReport, makeSample, recordSample, type ReportConfig, type ReportView } from '../reports/index.js';
import type { Config } from './config.js';

/** What the report routes serve: built once per tick from that tick's results, never from the loop's live fields. */
export interface ReportExports {
  readonly report: ReportView;
  /** A copy of the stored flows as of the tick (the loop updates its own list in place). */
  readonly flows: readonly FlowRecord[];
  readonly equity: readonly EquityPoint[];
}

interface Observed<T> {
  readonly value: T | null;
  readonly ok: boolean;
}

/**
 * The loop's side of the period reports (DESIGN.md section 17): after each tick's reconciliation it records the
 * tick's sample into `state.reports`; at the end of the tick it publishes the report and the export data.
 * The accounting is in src/reports (pure); this only feeds it and keeps the published snapshot.
 */
export class ReportFeed {
  exports: ReportExports | null = null;
  private readonly cfg: ReportConfig;
  private readonly ownPnl: boolean;
  private flowsCopy: { key: string; flows: readonly FlowRecord[] } | null = null;

  constructor(
    config: Config,
    private readonly log: Logger,
  ) {
    this.cfg = { periodSec: config.REPORT_PERIOD_SEC, tz: config.REPORT_TZ, retentionDays: config.REPORT_RETENTION_DAYS };
    // The bot's own figure is marked to market at its own prices: across a period it also revalues the bot's
    // inventory, which price_effect_usd already counts (base held at the start × Δprice), so the inventory would
    // land twice and come back as unexplained. With flow detection on, the ledger's trades are the period's bot
    // P&L (valued at the end price like every other term); the own figure is used only when there is no ledger.
    const own = (config.BOT_PNL_SOURCE as string) === 'http' || (config.BOT_PNL_SOURCE as string) === 'supabase';
    this.ownPnl = own && !config.FLOW_DETECTION_ENABLED;
  }

  /**
   * Records the tick's sample (called after reconciliation, before the state is saved). `rowsCoverBalances`
   * false: the balances hold rows not read yet (the card holds its last figures meanwhile), so no sample either:
   * an unread trade would land in the open period as unexplained (its fee and price move) until the rows came.
   */
  record(state: ReconState, now: number, price: Observed<number>, balances: Observed<{ base: string; quote: string }>, botPnlUsd: number | null, rowsCoverBalances = true): void {
    try {
      this.recordUnsafe(state, now, price, { ...balances, ok: balances.ok && rowsCoverBalances }, botPnlUsd);
    } catch (err) {
      // A report bug must never cost the tick its reconciliation, series or save.
      this.log.error({ err, component: 'reports' }, 'recording the report sample failed');
    }
  }

  private recordUnsafe(state: ReconState, now: number, price: Observed<number>, balances: Observed<{ base: string; quote: string }>, botPnlUsd: number | null): void {
    // While a ledger poll is still paging, the balances may hold rows the totals do not yet: wait for it, so a
    // flow is not booked as unexplained in one period and back in the next.
    const aligned = state.poll.pending === null;
    const sample = makeSample({
      ts: now,
      price: price.value,
      priceOk: price.ok,
      balances: balances.value,
      balancesOk: balances.ok && aligned,
      baselineTs: state.baseline?.ts ?? null,
      totals: state.totals,
      botPnlUsd: this.ownPnl ? botPnlUsd : null,
    });
    const { state: reports, notes } = recordSample(state.reports, sample, now, this.cfg);
    state.reports = reports;
    for (const note of notes) this.log.warn({ component: 'reports' }, note);
  }

  /** Publishes the tick's report and export data (called once at the end of every tick). */
  publish(state: ReconState, equity: readonly EquityPoint[]): void {
    this.exports = { report: buildReport(state.reports, this.cfg), flows: this.flowsOf(state.flows), equity };
  }

  /** The flow list is updated in place by the loop; copy it only when it changed, so the CSV cache survives quiet ticks. */
  private flowsOf(flows: readonly FlowRecord[]): readonly FlowRecord[] {
    let applied = 0;
    for (const f of flows) if (f.applied) applied++;
    const key = `${flows.length}:${flows[0]?.ledger_id ?? ''}:${flows.at(-1)?.ledger_id ?? ''}:${applied}`;
    if (this.flowsCopy?.key !== key) this.flowsCopy = { key, flows: Object.freeze(flows.map((f) => Object.freeze({ ...f }))) };
    return this.flowsCopy.flows;
  }
}
