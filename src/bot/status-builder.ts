import { alertsStatus } from '../alerts/status.js';
import { downsampleExtremes, flowMarkers, last24h, toSparkline } from '../equity/index.js';
import { toNumber } from '../recon/decimal.js';
import type { AuditEntry, FlowRecord } from '../recon/types.js';
import { rolloutStage } from './config.js';
import type { Daemon } from './daemon.js';
import { withLastKnown } from './last-known.js';
import type { AuditJson, FlowJson, StatusPayload } from './status-types.js';

/** How many flows and audit entries `/status` lists (the stored history holds up to FLOW_HISTORY_MAX). */
export const RECENT_LIMIT = 20;

/** `/status` carries the chart markers of the page's default range only; the 7-day ones are paged at /flows. */
export const MARKERS_RANGE_SEC = 86_400;

/** Builds the `/status` payload once per tick, from the daemon's state. Pure apart from reading the daemon. */
export function buildStatus(d: Daemon): StatusPayload {
  const now = d.nowSec();
  return withLastKnown(buildLive(d, now), d.state.last_known ?? null, now);
}

function buildLive(d: Daemon, now: number): StatusPayload {
  const cfg = d.config;
  const state = d.state;
  const figures = d.tickFigures.figures;
  // The counts that go with the figures: those of the moment they rest on (a held one while rows are read).
  const counted = d.tickFigures.totals ?? state.totals;
  const budget = d.budget;
  const pnl = d.deps.pnl;
  const baseline = state.baseline;
  const price = d.price.value;
  const lastFlow = state.flows.at(-1);
  const wallets = d.wallets?.wallets ?? {};
  const persistence = d.deps.store.status();

  return {
    version: d.deps.version,
    mode: cfg.mode,
    ts: round(now, 3),
    pair: { altname: cfg.KRAKEN_PAIR, base: d.pair?.base ?? null, quote: d.pair?.quote ?? null },
    price: { last: price, ts: d.price.ts, ok: d.price.ok, last_error: d.price.error ?? d.pairError },
    balances: {
      doge: d.balances.value === null ? null : toNumber(d.balances.value.base),
      usd: d.balances.value === null ? null : toNumber(d.balances.value.quote),
      wallets: Object.fromEntries(Object.entries(wallets).map(([w, v]) => [w, { doge: toNumber(v.base), usd: toNumber(v.quote) }])),
      pool: [...cfg.EQUITY_WALLETS],
      ts: d.balances.ts,
      ok: d.balances.ok,
      last_error: d.balances.error,
    },
    rollout: {
      stage: rolloutStage(cfg),
      flags: {
        FLOW_DETECTION_ENABLED: cfg.FLOW_DETECTION_ENABLED,
        FLOW_BASELINE_AUTO_ADJUST: cfg.FLOW_BASELINE_AUTO_ADJUST,
        EQUITY_TS_ENABLED: cfg.EQUITY_TS_ENABLED,
        DASHBOARD_FLOW_PANELS_ENABLED: cfg.DASHBOARD_FLOW_PANELS_ENABLED,
      },
    },
    budget: {
      tier: cfg.KRAKEN_TIER,
      max: budget.opts.max,
      decay_per_sec: budget.opts.decayPerSec,
      reserve: budget.opts.reserve,
      per_loop: budget.opts.perLoop,
      counter: round(budget.counterAt(now), 3),
      calls: budget.calls,
      deferrals: budget.deferrals,
      rate_limit_errors: budget.rateLimitErrors,
      lockouts: budget.lockouts,
      paused_until: budget.pausedUntil(now),
      errors_by_code: { ...budget.errorsByCode },
      fatal_error: d.fatalError,
    },
    loop: {
      interval_sec: cfg.LOOP_INTERVAL_SEC,
      ticks: d.ticks,
      last_tick_ts: d.lastTickTs,
      last_tick_duration_ms: d.lastTickDurationMs,
      tick_errors: d.tickErrors,
      last_error: d.lastTickError,
      started_ts: d.startedTs,
    },
    balance_recon: {
      baseline:
        baseline === null ? null : { doge: toNumber(baseline.doge), usd: toNumber(baseline.usd), ts: baseline.ts, price: baseline.price },
      current_doge_eq: figures?.current_doge_eq ?? null,
      baseline_doge_eq: figures?.baseline_doge_eq ?? null,
      bot_pnl_usd: figures?.bot_pnl_usd ?? 0,
      bot_pnl_doge_eq: figures?.bot_pnl_doge_eq ?? 0,
      bot_pnl: {
        source: cfg.BOT_PNL_SOURCE,
        ok: pnl.source === null ? true : pnl.ok,
        stale: pnl.source !== null && !pnl.ok && pnl.value !== null,
        last_error: pnl.lastError,
        age_sec: pnl.okTs === null ? null : round(now - pnl.okTs, 1),
      },
      drift_doge: figures?.drift_doge ?? null,
      drift_pct: figures?.drift_pct ?? null,
      status: figures?.status ?? 'unknown',
      external_flows_doge_eq: figures?.external_flows_doge_eq ?? 0,
      external_flow_count: counted.count,
      adjusted_drift_doge: figures?.adjusted_drift_doge ?? null,
      adjusted_drift_pct: figures?.adjusted_drift_pct ?? null,
      adjusted_status: figures?.adjusted_status ?? 'unknown',
      last_flow: lastFlow === undefined ? null : flowJson(lastFlow),
      threshold_pct: cfg.BALANCE_RECON_DRIFT_PCT,
      income_doge_eq: figures?.income_doge_eq ?? 0,
      income_count: counted.income.count,
      unclassified: { rows: counted.unclassified.rows, doge_eq: figures?.unclassified_doge_eq ?? 0, types: { ...counted.unclassified.types } },
      internal_moves: counted.internal_moves,
      ledger_trading_doge_eq: cfg.FLOW_DETECTION_ENABLED ? (figures?.ledger_trading_doge_eq ?? 0) : null,
      roll_forward: figures?.roll_forward ?? null,
      held: d.tickFigures.held,
    },
    external_flows: {
      enabled: cfg.FLOW_DETECTION_ENABLED,
      auto_adjust: cfg.FLOW_BASELINE_AUTO_ADJUST,
      flow_count: state.totals.count,
      deposits_doge_eq: figures?.deposits_doge_eq ?? 0,
      withdrawals_doge_eq: figures?.withdrawals_doge_eq ?? 0,
      cumulative_doge_eq: figures?.external_flows_doge_eq ?? 0,
      cursor: state.cursor,
      last_poll_ts: state.poll.last_poll_ts,
      last_poll_age_sec: state.poll.last_poll_ts === null ? null : round(now - state.poll.last_poll_ts, 1),
      flow_poll_ok: state.poll.ok,
      last_error: state.poll.last_error,
      skipped_rows: { ...state.skipped_rows },
      baseline_adjustments: state.totals.adjustments,
      recent_audit: state.audit.slice(-RECENT_LIMIT).reverse().map(auditJson),
      recent_flows: state.flows.slice(-RECENT_LIMIT).reverse().map(flowJson),
    },
    equity_history: equityHistory(d, now),
    persistence,
    alerts: alertsStatus(cfg.ALERT_WEBHOOK_URL !== undefined, cfg.ALERT_WEBHOOK_FORMAT, state.alerts),
    live: d.liveStatus(),
  };
}

function equityHistory(d: Daemon, now: number): StatusPayload['equity_history'] {
  const cfg = d.config;
  const rec = d.equity;
  const points = rec.points;
  const from = now - Math.min(rec.retentionSec, MARKERS_RANGE_SEC);
  return {
    enabled: cfg.EQUITY_TS_ENABLED,
    points: points.length,
    sparkline_24h: toSparkline(last24h(points, now)),
    sparkline_7d: cfg.EQUITY_TS_ENABLED ? toSparkline(downsampleExtremes(points, cfg.EQUITY_TS_SPARKLINE_7D_STEP)) : [],
    // Markers carry the DOGE-eq at detection time: the value the flow had where it sits on the time axis.
    flow_markers: flowMarkers(d.state.flows, from),
    flow_markers_from: round(from, 3),
    last_flush_ts: rec.lastFlushTs,
    last_flush_ok: rec.lastFlushOk,
    last_error: rec.lastFlushError,
  };
}

export function flowJson(f: FlowRecord): FlowJson {
  return {
    ledger_id: f.ledger_id,
    refid: f.refid,
    time: f.time,
    type: f.type,
    subtype: f.subtype,
    asset: f.asset,
    amount: toNumber(f.amount),
    fee: toNumber(f.fee),
    net: toNumber(f.net),
    price: f.price,
    doge_eq: f.doge_eq,
    applied: f.applied,
    category: f.category,
    wallet: f.wallet,
  };
}

function auditJson(a: AuditEntry): AuditJson {
  return { ledger_id: a.ledger_id, asset: a.asset, net: toNumber(a.net), before: toNumber(a.before), after: toNumber(a.after), ts: a.ts, reason: a.reason };
}

function round(v: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(v * f) / f;
}

