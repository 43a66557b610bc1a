import { restoreAlertState } from '../alerts/state.js';
import { restoreRejection } from '../kraken/key-rejection.js';
import { isDecimalString } from './decimal.js';
import { restoreLastKnown } from './last-known.js';
import { restoreLedgerBook, restoreSectionTotals, serializeLedgerBook, type StoredLedgerBook } from './ledger-book-codec.js';
import { emptyReconState, type PendingPoll, type ReconState } from './state.js';
import { restoreReportsState } from '../reports/state.js';
import type { AuditEntry, Baseline, FlowRecord } from './types.js';

/** A bound on restored seen ids (a poll window holds far fewer); guards memory against a corrupt file. */
const SEEN_MAX = 500_000;

/** The JSON form of ReconState (`seen` as [id, time] pairs). */
export type StoredReconState = Omit<ReconState, 'seen' | 'ledger'> & { seen: Array<[string, number]>; ledger: StoredLedgerBook };

export function serializeReconState(state: ReconState, now: number): StoredReconState {
  return { ...state, saved_ts: now, seen: [...state.seen], ledger: serializeLedgerBook(state.ledger) };
}

export interface RestoreResult {
  state: ReconState;
  /** What was dropped or repaired, for one warning line each. */
  repairs: string[];
}

/**
 * Restores a saved state defensively: every field is type-checked, a missing key (an older version) takes
 * its default, bad entries are dropped and reported, lists are capped. Never throws.
 */
export function restoreReconState(raw: unknown, historyMax: number): RestoreResult {
  const state = emptyReconState();
  const repairs: string[] = [];
  if (!isRecord(raw)) {
    if (raw !== null && raw !== undefined) repairs.push('saved state is not an object; starting fresh');
    return { state, repairs };
  }
  state.saved_ts = finiteOr(raw.saved_ts, 0);
  state.baseline = restoreBaseline(raw.baseline, repairs);
  state.cursor = finiteOrNull(raw.cursor);
  state.import_floor = finiteOrNull(raw.import_floor);
  state.nonce_floor = finiteOr(raw.nonce_floor, 0);

  if (Array.isArray(raw.seen)) {
    let dropped = 0;
    for (const entry of raw.seen) {
      if (Array.isArray(entry) && typeof entry[0] === 'string' && Number.isFinite(entry[1])) state.seen.set(entry[0], entry[1] as number);
      else dropped++;
    }
    if (dropped > 0) repairs.push(`dropped ${dropped} malformed seen-id entr${dropped === 1 ? 'y' : 'ies'}`);
    if (state.seen.size > SEEN_MAX) {
      // Keep the newest: only they can come back in a poll window.
      const newest = [...state.seen].sort((a, b) => b[1] - a[1]).slice(0, SEEN_MAX);
      state.seen = new Map(newest);
      repairs.push(`seen ids capped at ${SEEN_MAX}`);
    }
  }
  const flows = listOf(raw.flows, restoreFlow, 'flow', repairs);
  state.flows = flows.slice(-historyMax);
  state.audit = listOf(raw.audit, restoreAudit, 'audit entry', repairs).slice(-historyMax);
  if (raw.reports !== undefined) state.reports = restoreReportsState(raw.reports, repairs);

  if (isRecord(raw.totals)) {
    const t = raw.totals;
    state.totals = {
      count: finiteOr(t.count, flows.length),
      base_in: decimalOr(t.base_in, '0'),
      base_out: decimalOr(t.base_out, '0'),
      quote_in: decimalOr(t.quote_in, '0'),
      quote_out: decimalOr(t.quote_out, '0'),
      adjustments: finiteOr(t.adjustments, state.audit.length),
      ...restoreSectionTotals(t),
    };
  }
  if (isRecord(raw.unapplied)) {
    state.unapplied = { base: decimalOr(raw.unapplied.base, '0'), quote: decimalOr(raw.unapplied.quote, '0') };
  }
  if (isRecord(raw.skipped_rows)) {
    for (const [kind, n] of Object.entries(raw.skipped_rows)) if (Number.isFinite(n)) state.skipped_rows[kind] = n as number;
  }
  if (isRecord(raw.poll)) {
    const p = raw.poll;
    state.poll = {
      last_poll_ts: finiteOrNull(p.last_poll_ts),
      last_end: finiteOrNull(p.last_end),
      last_attempt_ts: finiteOrNull(p.last_attempt_ts),
      ok: typeof p.ok === 'boolean' ? p.ok : null,
      last_error: typeof p.last_error === 'string' ? p.last_error.slice(0, 500) : null,
      pending: restorePending(p.pending),
      polls: finiteOr(p.polls, 0),
    };
  }
  state.ledger = restoreLedgerBook(raw.ledger, state, repairs);
  if (isRecord(raw.budget) && Number.isFinite(raw.budget.counter) && Number.isFinite(raw.budget.ts)) {
    state.budget = { counter: raw.budget.counter as number, ts: raw.budget.ts as number, paused_until: finiteOrNull(raw.budget.paused_until), rejected: restoreRejection(raw.budget.rejected) };
  }
  if (raw.alerts !== undefined) state.alerts = restoreAlertState(raw.alerts);
  if (raw.last_known !== undefined) state.last_known = restoreLastKnown(raw.last_known);
  // Without a baseline the flow bookkeeping means nothing: the next baseline already holds those flows.
  // Start afresh, keeping what protects the API key (nonce floor, budget and any pause), what was alerted, and
  // the closed report periods (a sample records its baseline's time, so the period spanning the reset is incomplete).
  if (state.baseline === null && (state.cursor !== null || state.totals.count > 0 || state.flows.length > 0)) {
    repairs.push('flow history without a baseline; flow tracking restarts with the next baseline');
    const fresh = emptyReconState();
    return { state: { ...fresh, saved_ts: state.saved_ts, nonce_floor: state.nonce_floor, budget: state.budget, alerts: state.alerts, ...(state.reports === undefined ? {} : { reports: state.reports }) }, repairs };
  }
  return { state, repairs };
}

function restoreBaseline(v: unknown, repairs: string[]): Baseline | null {
  if (v === null || v === undefined) return null;
  if (!isRecord(v) || !isDecimalString(v.doge) || !isDecimalString(v.usd) || !Number.isFinite(v.ts)) {
    repairs.push('baseline is malformed; a new one will be set');
    return null;
  }
  return {
    doge: v.doge,
    usd: v.usd,
    ts: v.ts as number,
    price: finiteOr(v.price, 0),
    pnl_source_at_baseline: finiteOrNull(v.pnl_source_at_baseline),
  };
}

function restoreFlow(v: unknown): FlowRecord | null {
  if (!isRecord(v)) return null;
  if (typeof v.ledger_id !== 'string' || !Number.isFinite(v.time) || !isDecimalString(v.net)) return null;
  if (v.side !== 'base' && v.side !== 'quote') return null;
  return {
    ledger_id: v.ledger_id,
    refid: str(v.refid),
    time: v.time as number,
    type: str(v.type),
    subtype: str(v.subtype),
    asset: str(v.asset),
    category: v.category === 'income' ? 'income' : 'external',
    wallet: typeof v.wallet === 'string' && v.wallet !== '' ? v.wallet : 'spot',
    side: v.side,
    amount: decimalOr(v.amount, v.net),
    fee: decimalOr(v.fee, '0'),
    net: v.net,
    price: finiteOr(v.price, 0),
    doge_eq: finiteOr(v.doge_eq, 0),
    detected_ts: finiteOr(v.detected_ts, v.time as number),
    applied: v.applied === true,
  };
}

function restoreAudit(v: unknown): AuditEntry | null {
  if (!isRecord(v) || typeof v.ledger_id !== 'string' || !isDecimalString(v.net)) return null;
  if (!isDecimalString(v.before) || !isDecimalString(v.after) || !Number.isFinite(v.ts)) return null;
  return { ledger_id: v.ledger_id, asset: str(v.asset), net: v.net, before: v.before, after: v.after, ts: v.ts as number, reason: str(v.reason) };
}

function restorePending(v: unknown): PendingPoll | null {
  if (!isRecord(v) || !Number.isFinite(v.start) || !Number.isFinite(v.end) || !Number.isFinite(v.ofs)) return null;
  return {
    start: v.start as number,
    end: v.end as number,
    ofs: Math.max(0, Math.floor(v.ofs as number)),
    pages: finiteOr(v.pages, 0),
    newest: finiteOrNull(v.newest),
    oldest: finiteOrNull(v.oldest),
    count: finiteOrNull(v.count),
  };
}

function listOf<T>(v: unknown, restore: (x: unknown) => T | null, what: string, repairs: string[]): T[] {
  if (!Array.isArray(v)) return [];
  const out: T[] = [];
  let dropped = 0;
  for (const item of v) {
    const r = restore(item);
    if (r === null) dropped++;
    else out.push(r);
  }
  if (dropped > 0) repairs.push(`dropped ${dropped} malformed ${what}${dropped === 1 ? '' : 's'}`);
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function finiteOr(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}
function finiteOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
function decimalOr(v: unknown, fallback: string): string {
  return isDecimalString(v) ? v.trim() : fallback;
}
function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
