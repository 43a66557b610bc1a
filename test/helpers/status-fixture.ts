// A rich /status payload for dashboard and browser tests: stage 4, 24 h + 7 d sparklines, flow markers
// (some outside each range), recent flows. One base fixture; each test overrides what its story needs.
import type { FlowJson, StatusPayload } from '../../src/bot/status-types.js';
import type { FlowMarker, SparkPoint } from '../../src/equity/types.js';

export type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> | null } : T;

export interface FixtureFlow {
  /** Seconds before `now`. */
  ago: number;
  asset: 'DOGE' | 'USD';
  /** Signed balance effect. */
  net: number;
  ledger_id: string;
  type?: string;
  /** Section 15: `income` rows are listed beside external flows; default external. */
  category?: 'external' | 'income';
  wallet?: string;
}

export const PRICE = 0.16;
const HOUR = 3600;
const DAY = 86_400;

/** Flows: 3 in the last 24 h, 6 in the last 7 d, 1 older than 7 d (must never be drawn). */
export const DEFAULT_FLOWS: readonly FixtureFlow[] = [
  { ago: 2 * HOUR, asset: 'DOGE', net: 5000, ledger_id: 'LDEP1-AAAAA-BBBBBB' },
  { ago: 9 * HOUR, asset: 'USD', net: -150, ledger_id: 'LWDR1-CCCCC-DDDDDD', type: 'withdrawal' },
  { ago: 20 * HOUR, asset: 'USD', net: 250, ledger_id: 'LDEP2-EEEEE-FFFFFF' },
  { ago: 2 * DAY, asset: 'DOGE', net: -2000, ledger_id: 'LWDR2-GGGGG-HHHHHH', type: 'withdrawal' },
  { ago: 4 * DAY, asset: 'DOGE', net: 10_000, ledger_id: 'LDEP3-IIIII-JJJJJJ' },
  { ago: 6.5 * DAY, asset: 'DOGE', net: -1200, ledger_id: 'LWDR3-KKKKK-LLLLLL', type: 'withdrawal' },
  { ago: 8 * DAY, asset: 'DOGE', net: 800, ledger_id: 'LDEP0-MMMMM-NNNNNN' },
];

const dogeEqOf = (f: FixtureFlow): number => (f.asset === 'DOGE' ? f.net : f.net / PRICE);

/** Expected number of markers drawn for a range (the same rule as chart.js: ts in [end − range, end]). */
export function markersInWindow(markers: readonly FlowMarker[], rangeSec: number, end: number): number {
  return markers.filter((m) => m.ts >= end - rangeSec && m.ts <= end).length;
}

function series(now: number, flows: readonly FixtureFlow[], span: number, step: number): SparkPoint[] {
  const t0 = now - 8 * DAY;
  const out: SparkPoint[] = [];
  for (let ts = now - span; ts <= now; ts += step) {
    const cum = flows.filter((f) => now - f.ago <= ts).reduce((s, f) => s + dogeEqOf(f), 0);
    const bot = 40_000 + 350 * Math.sin(ts / (5 * HOUR)) + 120 * Math.sin(ts / (31 * HOUR)) + (0.6 * (ts - t0)) / HOUR;
    out.push([ts, Math.round((bot + cum) * 100) / 100, Math.round(bot * 100) / 100]);
  }
  return out;
}

export function flowJson(f: FixtureFlow, now: number): FlowJson {
  return {
    ledger_id: f.ledger_id,
    refid: `R${f.ledger_id.slice(1)}`,
    time: now - f.ago,
    type: f.type ?? (f.net >= 0 ? 'deposit' : 'withdrawal'),
    subtype: '',
    asset: f.asset,
    amount: f.net,
    fee: 0,
    net: f.net,
    price: PRICE,
    doge_eq: Math.round(dogeEqOf(f) * 100) / 100,
    applied: true,
    category: f.category ?? 'external',
    wallet: f.wallet ?? 'spot',
  };
}

export function flowMarker(f: FixtureFlow, now: number): FlowMarker {
  return {
    ts: now - f.ago,
    type: f.net >= 0 ? 'deposit' : 'withdrawal',
    ledger_type: f.type ?? (f.net >= 0 ? 'deposit' : 'withdrawal'),
    asset: f.asset,
    amount: f.net,
    doge_eq: Math.round(dogeEqOf(f) * 100) / 100,
    ledger_id: f.ledger_id,
    category: f.category ?? 'external',
    wallet: f.wallet ?? 'spot',
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = v === undefined ? base[k] : merge(base[k], v);
  return out;
}

export interface FixtureOptions {
  now?: number;
  flows?: readonly FixtureFlow[];
}

/** The base payload, deep-merged with `overrides` (arrays and null replace). */
export function makeStatus(overrides: DeepPartial<StatusPayload> = {}, opts: FixtureOptions = {}): StatusPayload {
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  const flows = opts.flows ?? DEFAULT_FLOWS;
  const spark24 = series(now, flows, DAY, 300);
  const spark7 = series(now, flows, 7 * DAY, 1800);
  const last = spark24[spark24.length - 1] ?? [now, 40_000, 40_000];
  const recent = flows.map((f) => flowJson(f, now)).sort((a, b) => b.time - a.time);
  const deposits = recent.filter((f) => f.net > 0).reduce((s, f) => s + f.doge_eq, 0);
  const withdrawals = -recent.filter((f) => f.net < 0).reduce((s, f) => s + f.doge_eq, 0);
  const baselineEq = 40_000;
  const drift = last[1] - baselineEq - 250;
  const adjusted = drift - (deposits - withdrawals);
  const base: StatusPayload = {
    version: '0.1.0',
    mode: 'demo',
    ts: now,
    pair: { altname: 'XDGUSD', base: 'DOGE', quote: 'USD' },
    price: { last: PRICE, ts: now, ok: true, last_error: null },
    balances: {
      doge: 35_120.5, usd: 1_420.37, ts: now, ok: true, last_error: null,
      wallets: { spot: { doge: 35_120.5, usd: 220.37 }, F: { doge: 0, usd: 1_200 }, S: { doge: 500, usd: 0 } },
      pool: ['spot', 'F'],
    },
    rollout: {
      stage: 4,
      flags: { FLOW_DETECTION_ENABLED: true, FLOW_BASELINE_AUTO_ADJUST: true, EQUITY_TS_ENABLED: true, DASHBOARD_FLOW_PANELS_ENABLED: true },
    },
    budget: {
      tier: 'starter', max: 15, decay_per_sec: 0.33, reserve: 0, per_loop: 3, counter: 2.4, calls: 1234, deferrals: 3,
      rate_limit_errors: 0, lockouts: 0, paused_until: null, errors_by_code: {}, fatal_error: null,
    },
    loop: { interval_sec: 30, ticks: 2880, last_tick_ts: now, last_tick_duration_ms: 184, tick_errors: 1, last_error: null, started_ts: now - 8 * DAY },
    balance_recon: {
      baseline: { doge: 30_000, usd: 1_600, ts: now - 8 * DAY, price: 0.15 },
      current_doge_eq: last[1],
      baseline_doge_eq: baselineEq,
      bot_pnl_usd: 40,
      bot_pnl_doge_eq: 250,
      bot_pnl: { source: 'http', ok: true, stale: false, last_error: null, age_sec: 12 },
      drift_doge: drift,
      drift_pct: (100 * drift) / baselineEq,
      status: 'warn',
      external_flows_doge_eq: deposits - withdrawals,
      external_flow_count: recent.length,
      adjusted_drift_doge: adjusted,
      adjusted_drift_pct: (100 * adjusted) / baselineEq,
      adjusted_status: Math.abs((100 * adjusted) / baselineEq) > 1 ? 'warn' : 'ok',
      last_flow: recent[0] ?? null,
      threshold_pct: 1,
      income_doge_eq: 0,
      income_count: 0,
      unclassified: { rows: 0, doge_eq: 0, types: {} },
      internal_moves: 0,
      ledger_trading_doge_eq: 250,
      // The terms sum to current (the identity of section 15).
      roll_forward: { baseline: last[1] - (deposits - withdrawals) - 250 - adjusted, pool_changes: 0, flows: deposits - withdrawals, income: 0, bot_pnl: 250, unexplained: adjusted, current: last[1] },
      held: false,
    },
    external_flows: {
      enabled: true, auto_adjust: true, flow_count: recent.length, deposits_doge_eq: deposits, withdrawals_doge_eq: withdrawals,
      cumulative_doge_eq: deposits - withdrawals, cursor: now - 600, last_poll_ts: now - 40, last_poll_age_sec: 40, flow_poll_ok: true,
      last_error: null, skipped_rows: { other_asset: 4 }, baseline_adjustments: recent.length,
      recent_audit: [],
      recent_flows: recent,
    },
    equity_history: {
      enabled: true, points: spark24.length, sparkline_24h: spark24, sparkline_7d: spark7,
      flow_markers: flows.map((f) => flowMarker(f, now)).sort((a, b) => a.ts - b.ts),
      // A fixture that carries the whole week, as a server before the /flows split did: the page must still draw it.
      flow_markers_from: now - 7 * 86_400,
      last_flush_ts: now - 120, last_flush_ok: true, last_error: null,
    },
    persistence: {
      local: { configured: true, ok: true, last_write_ts: now - 2, last_error: null, pending: false, write_failures: 0, dir: 'logs' },
      supabase: { configured: false, ok: null, last_write_ts: null, last_error: null, pending: false, write_failures: 0, table: null, read_only: false, lease: null },
      postgres: { configured: false, ok: null, last_write_ts: null, last_error: null, pending: false, write_failures: 0, table: null, read_only: false, lease: null },
    },

    alerts: { configured: false, format: 'json', sent: 0, failed: 0, pending: 0, last_sent_ts: null, last_error: null },
    live: { mode: 'push', connected: true, since: now - 3600, reason: null, reconnects: 0, last_message_age_sec: 0.4, system: 'online' },
  };
  return merge(base, overrides) as StatusPayload;
}

/** A payload with whole blocks removed (an older or partial producer): the page must cope. */
export function withoutBlocks(status: StatusPayload, ...keys: (keyof StatusPayload)[]): StatusPayload {
  const copy: Record<string, unknown> = { ...status };
  for (const k of keys) delete copy[k];
  return copy as unknown as StatusPayload;
}
