import { ALERT_EVENT_NAMES, type AlertEventName, type AlertFacts, type AlertItem, type FlowFact, type PendingAlert } from './types.js';

/** What the last evaluated snapshot showed: the "previous" side of every transition, kept across restarts. */
export interface AlertObservation {
  /** Last known adjusted_status (an `unknown` tick keeps the previous one). */
  adjusted: 'ok' | 'warn' | null;
  /** Ledger ids listed in the snapshot's recent flows (external and income). */
  flow_ids: string[];
  /** external_flows.flow_count, to count flows beyond the listed ones. */
  flow_count: number;
  fatal: string | null;
  /** budget.lockouts of the process that started at `started_ts` (the counter restarts with the process). */
  lockouts: number;
  started_ts: number;
  stale: boolean;
  store_down: boolean;
}

/**
 * Everything alerting remembers, persisted as the optional `alerts` field of `__recon_state_v1__`: the last
 * observation, coalescing clocks, held (coalesced) events, the delivery queue and the delivery counters.
 */
export interface AlertState {
  seen: AlertObservation | null;
  /** When a message of each kind was last queued: the start of its coalescing window. */
  last_queued: Partial<Record<AlertEventName, number>>;
  /** Events inside their kind's window, merged per kind, queued when the window ends. */
  held: AlertItem[];
  queue: PendingAlert[];
  next_id: number;
  sent: number;
  failed: number;
  last_sent_ts: number | null;
  last_error: string | null;
}

/** Bounds that keep a corrupt or hostile state file from growing memory. */
export const QUEUE_MAX = 100;
export const FLOW_IDS_MAX = 200;
export const FLOW_FACTS_MAX = 50;

export function emptyAlertState(): AlertState {
  return { seen: null, last_queued: {}, held: [], queue: [], next_id: 1, sent: 0, failed: 0, last_sent_ts: null, last_error: null };
}

/** Sanitiser for a saved `alerts` field: every value type-checked, lists capped; never throws. */
export function restoreAlertState(raw: unknown): AlertState {
  const s = emptyAlertState();
  if (!isRecord(raw)) return s;
  s.seen = restoreObservation(raw.seen);
  if (isRecord(raw.last_queued)) {
    for (const [k, v] of Object.entries(raw.last_queued)) if (isEventName(k) && isNum(v)) s.last_queued[k] = v;
  }
  s.held = listOf(raw.held, restoreItem).slice(-ALERT_EVENT_NAMES.length);
  s.queue = listOf(raw.queue, restorePending).slice(-QUEUE_MAX);
  s.next_id = isNum(raw.next_id) && raw.next_id >= 1 ? Math.floor(raw.next_id) : 1;
  s.sent = isNum(raw.sent) && raw.sent >= 0 ? raw.sent : 0;
  s.failed = isNum(raw.failed) && raw.failed >= 0 ? raw.failed : 0;
  s.last_sent_ts = isNum(raw.last_sent_ts) ? raw.last_sent_ts : null;
  s.last_error = typeof raw.last_error === 'string' ? raw.last_error.slice(0, 300) : null;
  return s;
}

function restoreObservation(v: unknown): AlertObservation | null {
  if (!isRecord(v)) return null;
  return {
    adjusted: v.adjusted === 'ok' || v.adjusted === 'warn' ? v.adjusted : null,
    flow_ids: Array.isArray(v.flow_ids) ? v.flow_ids.filter((x): x is string => typeof x === 'string').slice(0, FLOW_IDS_MAX) : [],
    flow_count: isNum(v.flow_count) ? v.flow_count : 0,
    fatal: typeof v.fatal === 'string' ? v.fatal.slice(0, 300) : null,
    lockouts: isNum(v.lockouts) ? v.lockouts : 0,
    started_ts: isNum(v.started_ts) ? v.started_ts : 0,
    stale: v.stale === true,
    store_down: v.store_down === true,
  };
}

function restoreItem(v: unknown): AlertItem | null {
  if (!isRecord(v) || !isEventName(v.event) || !isNum(v.ts)) return null;
  return {
    event: v.event,
    ts: v.ts,
    first_ts: isNum(v.first_ts) ? v.first_ts : v.ts,
    count: isNum(v.count) && v.count >= 1 ? Math.floor(v.count) : 1,
    facts: restoreFacts(v.facts),
  };
}

function restorePending(v: unknown): PendingAlert | null {
  const item = restoreItem(v);
  if (item === null || !isRecord(v) || typeof v.id !== 'string') return null;
  return {
    ...item,
    id: v.id.slice(0, 64),
    created_ts: isNum(v.created_ts) ? v.created_ts : item.ts,
    attempts: isNum(v.attempts) ? Math.max(0, Math.floor(v.attempts)) : 0,
    sending: v.sending === true,
  };
}

function restoreFacts(v: unknown): AlertFacts {
  const f: AlertFacts = {};
  if (!isRecord(v)) return f;
  const numOrNull = ['adjusted_drift_doge', 'adjusted_drift_pct', 'paused_until', 'price_age_sec', 'balances_age_sec'] as const;
  for (const k of numOrNull) if (isNum(v[k]) || v[k] === null) f[k] = v[k] as number | null;
  const nums = ['threshold_pct', 'unlisted', 'lockouts', 'interval_sec', 'failures'] as const;
  for (const k of nums) if (isNum(v[k])) f[k] = v[k] as number;
  if (typeof v.base === 'string' || v.base === null) f.base = v.base === null ? null : v.base.slice(0, 16);
  if (typeof v.error === 'string' || v.error === null) f.error = v.error === null ? null : v.error.slice(0, 300);
  if (Array.isArray(v.flows)) f.flows = listOf(v.flows, restoreFlowFact).slice(0, FLOW_FACTS_MAX);
  return f;
}

function restoreFlowFact(v: unknown): FlowFact | null {
  if (!isRecord(v) || typeof v.ledger_id !== 'string') return null;
  return {
    ledger_id: v.ledger_id.slice(0, 64),
    type: typeof v.type === 'string' ? v.type.slice(0, 32) : '',
    asset: typeof v.asset === 'string' ? v.asset.slice(0, 16) : '',
    net: isNum(v.net) ? v.net : 0,
    doge_eq: isNum(v.doge_eq) ? v.doge_eq : 0,
    time: isNum(v.time) ? v.time : 0,
  };
}

function listOf<T>(v: unknown, restore: (x: unknown) => T | null): T[] {
  if (!Array.isArray(v)) return [];
  const out: T[] = [];
  for (const x of v) {
    const r = restore(x);
    if (r !== null) out.push(r);
  }
  return out;
}

function isEventName(v: unknown): v is AlertEventName {
  return typeof v === 'string' && (ALERT_EVENT_NAMES as readonly string[]).includes(v);
}
function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
