/**
 * Alert vocabulary (DESIGN.md section 16). Pure data: no I/O here or in the modules that only import this.
 */

export const ALERT_EVENT_NAMES = ['drift_warn', 'drift_ok', 'flow', 'income', 'kraken_key', 'lockout', 'stale', 'store_down', 'store_up'] as const;
export type AlertEventName = (typeof ALERT_EVENT_NAMES)[number];

/** `income` is opt-in: every other event is on by default. */
export const DEFAULT_ALERT_EVENTS: readonly AlertEventName[] = Object.freeze(['drift_warn', 'drift_ok', 'flow', 'kraken_key', 'lockout', 'stale', 'store_down', 'store_up']);

export const ALERT_FORMATS = ['json', 'slack', 'discord', 'telegram'] as const;
export type AlertFormat = (typeof ALERT_FORMATS)[number];

export type Severity = 'info' | 'warning' | 'critical';

/** Ticks without a fresh price or fresh balances before `stale` fires. */
export const STALE_INTERVALS = 5;

/** One ledger row named in a flow or income alert. */
export interface FlowFact {
  ledger_id: string;
  type: string;
  asset: string;
  net: number;
  doge_eq: number;
  time: number;
}

/**
 * The figures an event carries, taken from the snapshot that raised it. Every field is optional so one
 * sanitiser restores any event's facts from a saved state.
 */
export interface AlertFacts {
  adjusted_drift_doge?: number | null;
  adjusted_drift_pct?: number | null;
  threshold_pct?: number;
  base?: string | null;
  flows?: FlowFact[];
  /** Flows in the same message not listed in `flows` (more than fit). */
  unlisted?: number;
  error?: string | null;
  paused_until?: number | null;
  lockouts?: number;
  price_age_sec?: number | null;
  balances_age_sec?: number | null;
  interval_sec?: number;
  failures?: number;
}

/** An event, or several of one kind coalesced: `count` of them between `first_ts` and `ts`. */
export interface AlertItem {
  event: AlertEventName;
  /** Time of the latest occurrence (unix seconds). */
  ts: number;
  first_ts: number;
  count: number;
  facts: AlertFacts;
}

/** A message waiting for delivery. */
export interface PendingAlert extends AlertItem {
  /** Stable id, also in the json body's `details.id`, so a receiver can de-duplicate. */
  id: string;
  created_ts: number;
  attempts: number;
  /**
   * True while a request for it may be on the wire. Persisted before each request: a restart finds it true
   * only if the process died mid-request, and then does not resend it (at-most-once for that one request).
   */
  sending: boolean;
}

/** The webhook message, the `json` format's body. */
export interface AlertMessage {
  event: AlertEventName;
  severity: Severity;
  title: string;
  text: string;
  ts: number;
  pair: string;
  mode: 'live' | 'demo';
  details: Record<string, unknown>;
}

/** `/status.alerts` (never the URL). */
export interface AlertsStatus {
  configured: boolean;
  format: AlertFormat;
  sent: number;
  failed: number;
  pending: number;
  last_sent_ts: number | null;
  last_error: string | null;
}
