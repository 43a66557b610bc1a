import type { FlowJson, StatusPayload } from '../bot/status-types.js';
import { FLOW_FACTS_MAX, FLOW_IDS_MAX, type AlertObservation } from './state.js';
import { STALE_INTERVALS, type AlertItem, type FlowFact } from './types.js';

/** Flow objects gain `category` from the accounting branch; until then every listed flow is external. */
type FlowWithCategory = FlowJson & { category?: string };

/** The part of a snapshot alerting compares from one tick to the next. Pure. */
export function observe(s: StatusPayload, prev: AlertObservation | null): AlertObservation {
  // Figures restored from disk after a restart (`stale: true`) are the past, not news: they neither turn nor
  // clear a drift (they may lag the alerted state by a tick after a SIGKILL).
  const adjusted = s.balance_recon.stale === true ? 'unknown' : s.balance_recon.adjusted_status;
  const remotes = [s.persistence.supabase, s.persistence.postgres];
  const priceAge = ageOf(s.price.ts, s);
  // While push holds, the socket vouches for the balances between the safety interval's reads; once polling
  // took over (live.since), every tick reads them again, so their age counts from then.
  const vouched = s.live.mode === 'push' ? s.ts - (s.live.last_message_age_sec ?? Infinity) : (s.live.since ?? -Infinity);
  const balancesAge = ageOf(Math.max(s.balances.ts ?? -Infinity, vouched), s);
  const staleAfter = STALE_INTERVALS * s.loop.interval_sec;
  return {
    adjusted: adjusted === 'unknown' ? (prev?.adjusted ?? null) : adjusted,
    flow_ids: s.external_flows.recent_flows.map((f) => f.ledger_id).slice(0, FLOW_IDS_MAX),
    flow_count: s.external_flows.flow_count,
    fatal: s.budget.fatal_error,
    lockouts: s.budget.lockouts,
    started_ts: s.loop.started_ts,
    // Balances wait for a rejected key or a Kraken-imposed pause: those have their own alerts, so stale
    // means "no known cause". The price is public and never waits for them.
    stale: priceAge >= staleAfter || (balancesAge >= staleAfter && s.budget.fatal_error === null && s.budget.paused_until === null),
    // Writes failing: the latest value has not reached Supabase and the latest operation failed. Recovered
    // once every pending value is delivered.
    store_down: remotes.some((sb) => sb.configured && (prev?.store_down === true ? sb.pending || sb.ok === false : sb.pending && sb.ok === false)),
  };
}

/**
 * The events between the previous observation and the current snapshot: each fires once per transition.
 * With no previous observation (first run), the healthy state is assumed, so a key rejected from the start
 * still alerts; flows already listed are history, not news.
 */
export function detect(prev: AlertObservation | null, cur: AlertObservation, s: StatusPayload): AlertItem[] {
  const ts = s.ts;
  const out: AlertItem[] = [];
  const item = (event: AlertItem['event'], facts: AlertItem['facts']): void => {
    out.push({ event, ts, first_ts: ts, count: 1, facts });
  };
  const r = s.balance_recon;
  const driftFacts = { adjusted_drift_doge: r.adjusted_drift_doge, adjusted_drift_pct: r.adjusted_drift_pct, threshold_pct: r.threshold_pct, base: s.pair.base };
  const before = prev?.adjusted ?? null;
  if (cur.adjusted === 'warn' && before !== 'warn') item('drift_warn', driftFacts);
  if (cur.adjusted === 'ok' && before === 'warn') item('drift_ok', driftFacts);

  if (prev !== null) {
    const known = new Set(prev.flow_ids);
    const fresh = (s.external_flows.recent_flows as FlowWithCategory[]).filter((f) => !known.has(f.ledger_id));
    const external = fresh.filter((f) => f.category !== 'income');
    const income = fresh.filter((f) => f.category === 'income');
    // More new external flows than the snapshot lists: say how many were not named.
    const unlisted = Math.max(0, cur.flow_count - prev.flow_count - external.length);
    if (external.length > 0 || unlisted > 0) item('flow', { flows: external.slice(0, FLOW_FACTS_MAX).map(flowFact), unlisted, base: s.pair.base });
    if (income.length > 0) item('income', { flows: income.slice(0, FLOW_FACTS_MAX).map(flowFact), unlisted: 0, base: s.pair.base });
  }

  if (cur.fatal !== null && (prev?.fatal ?? null) === null) item('kraken_key', { error: cur.fatal });
  const lockoutsBefore = prev !== null && prev.started_ts === cur.started_ts ? prev.lockouts : 0;
  if (cur.lockouts > lockoutsBefore) item('lockout', { paused_until: s.budget.paused_until, lockouts: cur.lockouts });
  if (cur.stale && prev?.stale !== true) {
    item('stale', { price_age_sec: roundAge(s.price.ts, s), balances_age_sec: roundAge(s.balances.ts, s), interval_sec: s.loop.interval_sec });
  }
  const sb = [s.persistence.supabase, s.persistence.postgres].find((t) => t.configured && (t.pending || t.ok === false)) ?? s.persistence.supabase;
  if (cur.store_down && prev?.store_down !== true) item('store_down', { error: sb.last_error, failures: sb.write_failures });
  if (!cur.store_down && prev?.store_down === true) item('store_up', { failures: sb.write_failures });
  return out;
}

function flowFact(f: FlowJson): FlowFact {
  return { ledger_id: f.ledger_id, type: f.type, asset: f.asset, net: f.net, doge_eq: f.doge_eq, time: f.time };
}

/**
 * Seconds without fresh figures in this run: since `ts`, or since the process started when this run has none
 * yet (none at all, or the last known ones from before a restart, which are older than the process).
 */
function ageOf(ts: number | null, s: StatusPayload): number {
  return s.ts - Math.max(ts ?? s.loop.started_ts, s.loop.started_ts);
}

function roundAge(ts: number | null, s: StatusPayload): number | null {
  return ts === null ? null : Math.round(s.ts - ts);
}
