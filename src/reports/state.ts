import { isDecimalString } from '../recon/decimal.js';
import type { ReportSample, SideTotals } from './types.js';

/** Hard cap on stored periods (short REPORT_PERIOD_SEC values): the state is saved every tick. */
export const MAX_STORED_PERIODS = 2000;
/** Times a restored state may hold: unix seconds from 1970 to well past 2200 (Intl refuses dates beyond ±8.64e12 s). */
const MAX_TS = 1e10;

/**
 * What the reports keep inside `__recon_state_v1__` (field `reports`). Rows are never stored: they are a pure
 * function of these samples, so a restored state can never carry a row that does not sum.
 */
export interface ReportsState {
  /** The REPORT_PERIOD_SEC and REPORT_TZ the samples were bucketed with; a change restarts the history. */
  period_sec: number;
  tz: string;
  /** Start of the oldest period shown. */
  first_start: number | null;
  /** Opens the oldest period: the last sample before it (or, at the very start, the first sample ever). */
  anchor: ReportSample | null;
  /** The last sample of each period that had one, oldest first; the open period's is its latest. */
  closes: ReportSample[];
  /** Latest time seen (the reports' clock never goes back; see record.ts). */
  last_ts: number | null;
}

export function emptyReportsState(periodSec: number, tz: string): ReportsState {
  return { period_sec: periodSec, tz, first_start: null, anchor: null, closes: [], last_ts: null };
}

/**
 * Sanitises a saved `reports` field: an older state without it, a truncated list, a malformed sample or one out
 * of order is dropped (and reported), never trusted. Never throws. Config checks happen at the first record.
 */
export function restoreReportsState(raw: unknown, repairs: string[]): ReportsState {
  const fresh = emptyReportsState(0, '');
  if (!isRecord(raw)) {
    if (raw !== undefined && raw !== null) repairs.push('reports: not an object; report history restarts');
    return fresh;
  }
  const periodSec = typeof raw.period_sec === 'number' && Number.isInteger(raw.period_sec) && raw.period_sec > 0 ? raw.period_sec : 0;
  const tz = typeof raw.tz === 'string' ? raw.tz.slice(0, 100) : '';
  const closes: ReportSample[] = [];
  let dropped = 0;
  if (Array.isArray(raw.closes)) {
    for (const c of raw.closes.slice(-MAX_STORED_PERIODS)) {
      const s = restoreSample(c);
      if (s === null || (closes.length > 0 && s.ts < (closes.at(-1) as ReportSample).ts)) dropped++;
      else closes.push(s);
    }
  }
  if (dropped > 0) repairs.push(`reports: dropped ${dropped} malformed or out-of-order sample${dropped === 1 ? '' : 's'}`);
  const anchor = restoreSample(raw.anchor);
  if (raw.anchor !== undefined && raw.anchor !== null && anchor === null) repairs.push('reports: anchor sample malformed; the oldest period starts incomplete');
  const firstStart = isTime(raw.first_start) ? raw.first_start : null;
  const newest = Math.max(isTime(raw.last_ts) ? raw.last_ts : -Infinity, closes.at(-1)?.ts ?? -Infinity);
  return {
    period_sec: periodSec,
    tz,
    first_start: firstStart ?? closes[0]?.ts ?? null,
    anchor: anchor !== null && (closes.length === 0 || anchor.ts <= (closes[0] as ReportSample).ts) ? anchor : null,
    closes,
    last_ts: Number.isFinite(newest) ? newest : null,
  };
}

export function restoreSample(v: unknown): ReportSample | null {
  if (!isRecord(v)) return null;
  const ts = v.ts;
  const price = v.price;
  if (!isTime(ts) || typeof price !== 'number' || !Number.isFinite(price) || price <= 0) return null;
  if (!isDecimalString(v.base) || !isDecimalString(v.quote)) return null;
  const sides = ['flows_in', 'flows_out', 'pool_changes', 'income', 'trading'] as const;
  const parsed: Partial<Record<(typeof sides)[number], SideTotals>> = {};
  for (const k of sides) {
    const s = restoreSides(v[k]);
    if (s === null) return null;
    parsed[k] = s;
  }
  const pnl = v.bot_pnl_usd;
  return {
    ts,
    price,
    base: v.base,
    quote: v.quote,
    epoch: finiteOrNull(v.epoch),
    flows_in: parsed.flows_in as SideTotals,
    flows_out: parsed.flows_out as SideTotals,
    pool_changes: parsed.pool_changes as SideTotals,
    income: parsed.income as SideTotals,
    trading: parsed.trading as SideTotals,
    bot_pnl_usd: typeof pnl === 'number' && Number.isFinite(pnl) ? pnl : null,
  };
}

/** A missing side (a state from before that total existed) reads as zero; a present but bad one is malformed. */
function restoreSides(v: unknown): SideTotals | null {
  if (v === undefined) return { base: '0', quote: '0' };
  if (!isRecord(v)) return null;
  const base = v.base ?? '0';
  const quote = v.quote ?? '0';
  return isDecimalString(base) && isDecimalString(quote) ? { base, quote } : null;
}

function isTime(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < MAX_TS;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function finiteOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
