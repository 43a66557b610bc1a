import { z } from 'zod';
import { ALERT_FORMATS, type AlertsStatus } from '../alerts/types.js';
import type { FlowMarker, SparkPoint } from '../equity/types.js';
import type { RollForward } from '../recon/reconcile.js';
import type { LiveStatus } from './live-status.js';

/**
 * The `/status` payload (DESIGN.md section 10) as zod schemas: the types below are inferred from them, so the
 * builder is checked against the same definitions `GET /openapi.json` publishes. Built once per tick and cached;
 * every request serves the cached object. Numbers are JSON numbers, times unix seconds. `doge` names mean
 * "base asset".
 */

const num = z.number();
const nullableNum = num.nullable();
const nullableStr = z.string().nullable();
const counts = z.record(z.string(), num);

/** StaleMark (last-known.ts), optional on the blocks that may come from disk after a restart. */
const staleMark = {
  stale: z.boolean().optional().meta({ description: 'True: the last known figures from before the restart; Kraken has not answered since.' }),
  age_sec: nullableNum.optional().meta({ description: 'Seconds since those figures were current (null when fresh).' }),
};

export const pairStatusSchema = z.object({
  altname: z.string(),
  base: nullableStr.meta({ description: 'Plain base asset code (DOGE) once resolved from AssetPairs.' }),
  quote: nullableStr,
});

export const priceStatusSchema = z.object({ last: nullableNum, ts: nullableNum, ok: z.boolean(), last_error: nullableStr, ...staleMark });

export const balancesStatusSchema = z.object({
  doge: nullableNum.meta({ description: 'Pool total of the base asset over EQUITY_WALLETS (section 15).' }),
  usd: nullableNum,
  wallets: z.record(z.string(), z.object({ doge: num, usd: num })).meta({ description: 'Every wallet seen in Balance for the pair (pool or not): spot, F, B, M, S, HOLD, ...' }),
  pool: z.array(z.string()).meta({ description: 'The EQUITY_WALLETS list.' }),
  ts: nullableNum,
  ok: z.boolean(),
  last_error: nullableStr,
  ...staleMark,
});

export const rolloutStatusSchema = z.object({
  stage: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
  flags: z.object({
    FLOW_DETECTION_ENABLED: z.boolean(),
    FLOW_BASELINE_AUTO_ADJUST: z.boolean(),
    EQUITY_TS_ENABLED: z.boolean(),
    DASHBOARD_FLOW_PANELS_ENABLED: z.boolean(),
  }),
});

export const budgetStatusSchema = z.object({
  tier: z.string(),
  max: num,
  decay_per_sec: num,
  reserve: num,
  per_loop: num,
  counter: num.meta({ description: "The model's estimate of Kraken's counter for this key, now." }),
  calls: num,
  deferrals: num,
  rate_limit_errors: num,
  lockouts: num,
  paused_until: nullableNum.meta({ description: 'Private calls are paused until this time; null when not paused.' }),
  errors_by_code: counts,
  fatal_error: nullableStr.meta({ description: 'Set when Kraken rejected the key itself: a human must act.' }),
});

export const loopStatusSchema = z.object({
  interval_sec: num,
  ticks: num,
  last_tick_ts: nullableNum,
  last_tick_duration_ms: nullableNum,
  tick_errors: num,
  last_error: nullableStr,
  started_ts: num,
});

export const flowJsonSchema = z.object({
  ledger_id: z.string(),
  refid: z.string(),
  time: num.meta({ description: 'Ledger time (unix seconds).' }),
  type: z.string(),
  subtype: z.string(),
  asset: z.string(),
  amount: num,
  fee: num,
  net: num,
  price: num,
  doge_eq: num,
  applied: z.boolean(),
  category: z.enum(['external', 'income']).meta({ description: "`external` (the owner's money) or `income` (rewards); section 15." }),
  wallet: z.string(),
});

export const auditJsonSchema = z.object({ ledger_id: z.string(), asset: z.string(), net: num, before: num, after: num, ts: num, reason: z.string() });

const reconStateSchema = z.enum(['ok', 'warn', 'unknown']);

export const rollForwardSchema = z.object({
  baseline: num,
  pool_changes: num,
  flows: num,
  income: num,
  bot_pnl: num,
  unexplained: num,
  current: num,
});

export const balanceReconStatusSchema = z.object({
  baseline: z.object({ doge: num, usd: num, ts: num, price: num }).nullable(),
  current_doge_eq: nullableNum,
  baseline_doge_eq: nullableNum,
  bot_pnl_usd: num,
  bot_pnl_doge_eq: num,
  bot_pnl: z.object({
    source: z.enum(['none', 'http', 'supabase', 'ledger']),
    ok: z.boolean(),
    stale: z.boolean(),
    last_error: nullableStr,
    age_sec: nullableNum,
  }),
  drift_doge: nullableNum,
  drift_pct: nullableNum,
  status: reconStateSchema,
  external_flows_doge_eq: num,
  external_flow_count: num,
  adjusted_drift_doge: nullableNum,
  adjusted_drift_pct: nullableNum,
  adjusted_status: reconStateSchema,
  last_flow: flowJsonSchema.nullable(),
  threshold_pct: num,
  income_doge_eq: num,
  income_count: num,
  unclassified: z.object({ rows: num, doge_eq: num, types: counts }),
  internal_moves: num,
  ledger_trading_doge_eq: nullableNum.meta({ description: "The bot's trades in the ledger at P (null while flow detection is off)." }),
  roll_forward: rollForwardSchema.nullable().meta({ description: 'current = baseline + pool_changes + flows + income + bot_pnl + unexplained, DOGE-eq at P.' }),
  held: z.boolean().meta({
    description:
      'True while the ledger rows read lag the balances: the figures and their counts are those of the last moment both covered, valued at the current price (at most one FLOW_POLL_INTERVAL_SEC).',
  }),
  ...staleMark,
});

export const externalFlowsStatusSchema = z.object({
  enabled: z.boolean(),
  auto_adjust: z.boolean(),
  flow_count: num,
  deposits_doge_eq: num,
  withdrawals_doge_eq: num,
  cumulative_doge_eq: num,
  cursor: nullableNum,
  last_poll_ts: nullableNum,
  last_poll_age_sec: nullableNum,
  flow_poll_ok: z.boolean().nullable(),
  last_error: nullableStr,
  skipped_rows: counts,
  baseline_adjustments: num,
  recent_audit: z.array(auditJsonSchema),
  recent_flows: z.array(flowJsonSchema).meta({ description: 'The latest 20 flows and income rows, newest first; the whole list is at GET /flows.' }),
});

export const sparkPointSchema = z.tuple([num, num, num]).readonly().meta({ description: '[ts, doge_eq, doge_eq excluding flows]' });

export const flowMarkerSchema = z.object({
  ts: num,
  type: z.enum(['deposit', 'withdrawal']).meta({ description: 'By the sign of the balance effect, not the ledger type.' }),
  ledger_type: z.string(),
  asset: z.string(),
  amount: num,
  doge_eq: num,
  ledger_id: z.string(),
  category: z.enum(['external', 'income']),
  wallet: z.string(),
});

export const equityHistoryStatusSchema = z.object({
  enabled: z.boolean(),
  points: num,
  sparkline_24h: z.array(sparkPointSchema).meta({ description: 'Oldest first.' }),
  sparkline_7d: z.array(sparkPointSchema),
  flow_markers: z.array(flowMarkerSchema).meta({
    description: "Chart markers of external flows at or after flow_markers_from (the chart's default 24 h range), oldest first. Until the DESIGN.md section 19 change (stage 4 payload) this held the whole retention range; payloads that carry flow_markers_from have the new shape. The 7-day markers: GET /flows?category=external&since=.",
  }),
  flow_markers_from: num.meta({ description: 'Unix seconds: flow_markers holds every external flow at or after this time.' }),
  last_flush_ts: nullableNum,
  last_flush_ok: z.boolean().nullable(),
  last_error: nullableStr,
});

const persistenceTargetSchema = z.object({
  configured: z.boolean(),
  ok: z.boolean().nullable(),
  last_write_ts: nullableNum,
  last_error: nullableStr,
  pending: z.boolean(),
  write_failures: num.meta({ description: 'Failed writes since start.' }),
});

const remoteTargetSchema = persistenceTargetSchema.extend({
  table: nullableStr,
  read_only: z.boolean().meta({ description: 'True while another sidecar holds the write lease on the shared rows.' }),
  lease: z.object({ owner: z.string(), expires: nullableNum }).nullable(),
});

export const persistenceStatusSchema = z.object({
  local: persistenceTargetSchema.extend({ dir: z.string() }),
  supabase: remoteTargetSchema.meta({ description: 'Supabase REST (SUPABASE_URL).' }),
  postgres: remoteTargetSchema.meta({ description: 'The Postgres store (DATABASE_URL).' }),
});

export const alertsStatusSchema = z.object({
  configured: z.boolean(),
  format: z.enum(ALERT_FORMATS),
  sent: num,
  failed: num,
  pending: num,
  last_sent_ts: nullableNum,
  last_error: nullableStr,
});

/** `LiveStatus` of live-status.ts, field for field (the compile-time check below keeps them equal). */
export const liveStatusSchema = z.object({
  mode: z.enum(['push', 'poll']),
  connected: z.boolean().meta({ description: 'Subscribed to `balances` and hearing from Kraken.' }),
  since: nullableNum.meta({ description: 'Unix seconds since the current mode holds.' }),
  reason: nullableStr.meta({ description: 'Why the mode holds: off, connecting, a close, a stall, a refused key, ...' }),
  reconnects: num,
  last_message_age_sec: nullableNum,
  system: nullableStr.meta({ description: "The `status` channel's engine state: online, maintenance, cancel_only, post_only." }),
});

export const statusPayloadSchema = z.object({
  version: z.string(),
  mode: z.enum(['live', 'demo']),
  ts: num,
  pair: pairStatusSchema,
  price: priceStatusSchema,
  balances: balancesStatusSchema,
  rollout: rolloutStatusSchema,
  budget: budgetStatusSchema,
  loop: loopStatusSchema,
  balance_recon: balanceReconStatusSchema,
  external_flows: externalFlowsStatusSchema,
  equity_history: equityHistoryStatusSchema,
  persistence: persistenceStatusSchema,
  alerts: alertsStatusSchema.meta({ description: 'Webhook alerts (section 16): counts and the last error, never the URL.' }),
  live: liveStatusSchema.meta({ description: 'Live mode (section 19): push through the WebSocket doorbell or REST polling, and why.' }),
});

export type StatusPayload = z.infer<typeof statusPayloadSchema>;
export type PairStatus = z.infer<typeof pairStatusSchema>;
export type PriceStatus = z.infer<typeof priceStatusSchema>;
export type BalancesStatus = z.infer<typeof balancesStatusSchema>;
export type RolloutStatus = z.infer<typeof rolloutStatusSchema>;
export type BudgetStatus = z.infer<typeof budgetStatusSchema>;
export type LoopStatus = z.infer<typeof loopStatusSchema>;
export type FlowJson = z.infer<typeof flowJsonSchema>;
export type AuditJson = z.infer<typeof auditJsonSchema>;
export type ReconState = z.infer<typeof reconStateSchema>;
export type BalanceReconStatus = z.infer<typeof balanceReconStatusSchema>;
export type ExternalFlowsStatus = z.infer<typeof externalFlowsStatusSchema>;
export type EquityHistoryStatus = z.infer<typeof equityHistoryStatusSchema>;
export type PersistenceTargetStatus = z.infer<typeof persistenceTargetSchema>;
export type PersistenceStatus = z.infer<typeof persistenceStatusSchema>;

// The blocks typed in their own modules must stay what the schemas publish: each pair is assignable both ways.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameTypes: [
  Same<z.infer<typeof liveStatusSchema>, LiveStatus>,
  Same<z.infer<typeof alertsStatusSchema>, AlertsStatus>,
  Same<z.infer<typeof rollForwardSchema>, RollForward>,
  Same<z.infer<typeof flowMarkerSchema>, FlowMarker>,
  Same<z.infer<typeof sparkPointSchema>, SparkPoint>,
] = [true, true, true, true, true];
void sameTypes;
