import type { AlertsStatus } from '../alerts/types.js';
import type { FlowMarker, SparkPoint } from '../equity/types.js';
import type { RollForward } from '../recon/reconcile.js';
import type { StaleMark } from './last-known.js';
import type { LiveStatus } from './live-status.js';

/**
 * The `/status` payload (DESIGN.md section 10). Built once per tick and cached; every request serves the
 * cached object. Numbers are JSON numbers, times unix seconds. `doge` names mean "base asset".
 */
export interface StatusPayload {
  version: string;
  mode: 'live' | 'demo';
  ts: number;
  pair: PairStatus;
  price: PriceStatus;
  balances: BalancesStatus;
  rollout: RolloutStatus;
  budget: BudgetStatus;
  loop: LoopStatus;
  balance_recon: BalanceReconStatus;
  external_flows: ExternalFlowsStatus;
  equity_history: EquityHistoryStatus;
  persistence: PersistenceStatus;
  /** Webhook alerts (DESIGN.md section 16): counts and the last error, never the URL. */
  alerts: AlertsStatus;
  /** Live mode (DESIGN.md section 19): push through the WebSocket doorbell or REST polling, and why. */
  live: LiveStatus;
}

export interface PairStatus {
  altname: string;
  /** Plain base and quote asset codes (DOGE, USD) once resolved from AssetPairs. */
  base: string | null;
  quote: string | null;
}

export interface PriceStatus extends Partial<StaleMark> {
  last: number | null;
  ts: number | null;
  ok: boolean;
  last_error: string | null;
}

export interface BalancesStatus extends Partial<StaleMark> {
  /** Pool totals: the pair's assets summed over EQUITY_WALLETS (DESIGN.md section 15). */
  doge: number | null;
  usd: number | null;
  /** Every wallet seen in Balance for the pair's assets (pool or not): `spot`, `F`, `B`, `M`, `S`, `HOLD`, ... */
  wallets: Record<string, { doge: number; usd: number }>;
  /** The EQUITY_WALLETS list. */
  pool: string[];
  ts: number | null;
  ok: boolean;
  last_error: string | null;
}

export interface RolloutStatus {
  stage: 0 | 1 | 2 | 3 | 4;
  flags: {
    FLOW_DETECTION_ENABLED: boolean;
    FLOW_BASELINE_AUTO_ADJUST: boolean;
    EQUITY_TS_ENABLED: boolean;
    DASHBOARD_FLOW_PANELS_ENABLED: boolean;
  };
}

export interface BudgetStatus {
  tier: string;
  max: number;
  decay_per_sec: number;
  reserve: number;
  per_loop: number;
  /** The model's estimate of Kraken's counter for this key, now. */
  counter: number;
  calls: number;
  deferrals: number;
  rate_limit_errors: number;
  lockouts: number;
  /** Private calls are paused until this time (rate-limit back-off, Throttled, lockout or a rejected key); null when not paused. */
  paused_until: number | null;
  errors_by_code: Record<string, number>;
  /** Set when Kraken rejected the key itself (bad key/signature/permission/nonce): a human must act. */
  fatal_error: string | null;
}

export interface LoopStatus {
  interval_sec: number;
  ticks: number;
  last_tick_ts: number | null;
  last_tick_duration_ms: number | null;
  tick_errors: number;
  last_error: string | null;
  started_ts: number;
}

export interface FlowJson {
  ledger_id: string;
  refid: string;
  time: number;
  type: string;
  subtype: string;
  asset: string;
  amount: number;
  fee: number;
  net: number;
  price: number;
  doge_eq: number;
  applied: boolean;
  /** `external` (the owner's money) or `income` (rewards); section 15. */
  category: 'external' | 'income';
  wallet: string;
}

export interface AuditJson {
  ledger_id: string;
  asset: string;
  net: number;
  before: number;
  after: number;
  ts: number;
  reason: string;
}

export type ReconState = 'ok' | 'warn' | 'unknown';

export interface BalanceReconStatus extends Partial<StaleMark> {
  baseline: { doge: number; usd: number; ts: number; price: number } | null;
  current_doge_eq: number | null;
  baseline_doge_eq: number | null;
  bot_pnl_usd: number;
  bot_pnl_doge_eq: number;
  bot_pnl: { source: 'none' | 'http' | 'supabase' | 'ledger'; ok: boolean; stale: boolean; last_error: string | null; age_sec: number | null };
  drift_doge: number | null;
  drift_pct: number | null;
  status: ReconState;
  external_flows_doge_eq: number;
  external_flow_count: number;
  adjusted_drift_doge: number | null;
  adjusted_drift_pct: number | null;
  adjusted_status: ReconState;
  last_flow: FlowJson | null;
  threshold_pct: number;
  // section 15
  income_doge_eq: number;
  income_count: number;
  unclassified: { rows: number; doge_eq: number; types: Record<string, number> };
  internal_moves: number;
  /** The bot's trades in the ledger at P (null while flow detection is off): a cross-check beside http/supabase. */
  ledger_trading_doge_eq: number | null;
  /** current = baseline + pool_changes + flows + income + bot_pnl + unexplained, DOGE-eq at P. */
  roll_forward: RollForward | null;
}


export interface ExternalFlowsStatus {
  enabled: boolean;
  auto_adjust: boolean;
  flow_count: number;
  deposits_doge_eq: number;
  withdrawals_doge_eq: number;
  cumulative_doge_eq: number;
  cursor: number | null;
  last_poll_ts: number | null;
  last_poll_age_sec: number | null;
  flow_poll_ok: boolean | null;
  last_error: string | null;
  skipped_rows: Record<string, number>;
  baseline_adjustments: number;
  recent_audit: AuditJson[];
  recent_flows: FlowJson[];
}

export interface EquityHistoryStatus {
  enabled: boolean;
  points: number;
  /** [ts, doge_eq, doge_eq excluding flows], oldest first. */
  sparkline_24h: SparkPoint[];
  sparkline_7d: SparkPoint[];
  flow_markers: FlowMarker[];
  last_flush_ts: number | null;
  last_flush_ok: boolean | null;
  last_error: string | null;
}

export interface PersistenceTargetStatus {
  configured: boolean;
  ok: boolean | null;
  last_write_ts: number | null;
  last_error: string | null;
  pending: boolean;
  /** Failed writes since start. */
  write_failures: number;
}

export interface PersistenceStatus {
  local: PersistenceTargetStatus & { dir: string };
  supabase: PersistenceTargetStatus & {
    table: string | null;
    /** True while another sidecar holds the write lease on the shared rows. */
    read_only: boolean;
    /** The lease holder: another instance while read-only, else this instance (expires null until its first write). */
    lease: { owner: string; expires: number | null } | null;
  };
}
