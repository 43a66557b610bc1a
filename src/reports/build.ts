import { periodEnd, periodStart } from './periods.js';
import { specOf } from './record.js';
import { computeRow, type ComputedRow, type RowBounds } from './rows.js';
import { MAX_STORED_PERIODS, type ReportsState } from './state.js';
import { summarize } from './summary.js';
import type { ReportConfig, ReportSample, ReportView } from './types.js';

/**
 * Closed rows never change (their samples are immutable), so each is computed once: keyed by its end sample,
 * checked against its start sample and bounds. Only the open row is recomputed on each tick.
 */
const rowMemo = new WeakMap<ReportSample, { start: ReportSample | null; bounds: RowBounds; computed: ComputedRow }>();

/** Rows without an end sample depend on their bounds alone; one object per bounds keeps the summary memo warm. */
const incompleteMemo = new Map<string, ComputedRow>();

function rowFor(bounds: RowBounds, start: ReportSample | null, end: ReportSample | null): ComputedRow {
  if (end === null) {
    const key = `${bounds.start_ts}:${bounds.end_ts}:${bounds.open}`;
    let row = incompleteMemo.get(key);
    if (row === undefined) {
      row = computeRow(bounds, start, end);
      if (incompleteMemo.size >= 10_000) incompleteMemo.clear();
      incompleteMemo.set(key, row);
    }
    return row;
  }
  const hit = rowMemo.get(end);
  if (hit !== undefined && hit.start === start && hit.bounds.start_ts === bounds.start_ts && hit.bounds.end_ts === bounds.end_ts && hit.bounds.open === bounds.open) {
    return hit.computed;
  }
  const computed = computeRow(bounds, start, end);
  rowMemo.set(end, { start, bounds, computed });
  return computed;
}

/**
 * The report as of the latest recorded tick: one row per period from the oldest retained to the open one
 * (oldest first), each starting from the sample that ended the previous period with one, and the 7- and 30-day
 * summaries. Pure: a function of the state and the config.
 */
export function buildReport(state: ReportsState | undefined, cfg: ReportConfig): ReportView {
  const rows = buildRows(state, cfg);
  return {
    period_sec: cfg.periodSec,
    tz: cfg.tz,
    periods: rows.map((r) => r.row),
    summary: { '7d': summarize(rows, windowPeriods(cfg, 7)), '30d': summarize(rows, windowPeriods(cfg, 30)) },
  };
}

export function buildRows(state: ReportsState | undefined, cfg: ReportConfig): ComputedRow[] {
  if (state === undefined || state.first_start === null || state.last_ts === null) return [];
  if (state.period_sec !== cfg.periodSec || state.tz !== cfg.tz) return [];
  const spec = specOf(cfg);
  const openStart = periodStart(spec, state.last_ts);
  // Never more rows than could be retained, whatever a restored state says (recordSample trims it next tick).
  const floor = periodStart(spec, state.last_ts - (cfg.periodSec === 86_400 ? 1001 * 86_400 : MAX_STORED_PERIODS * cfg.periodSec));
  const out: ComputedRow[] = [];
  let prev: ReportSample | null = state.anchor;
  let i = 0;
  const closes = state.closes;
  for (let start = Math.max(state.first_start, floor); start <= openStart; ) {
    const end = periodEnd(spec, start);
    let last: ReportSample | null = null;
    while (i < closes.length && (closes[i] as ReportSample).ts < end) {
      const c = closes[i] as ReportSample;
      if (c.ts >= start) last = c;
      i++;
    }
    const bounds: RowBounds = { start_ts: start, end_ts: end, open: start === openStart };
    out.push(rowFor(bounds, prev, last));
    if (last !== null) prev = last;
    start = end;
  }
  return out;
}

/** How many periods make up a window of `days`: 7 calendar days, or ⌈days·86400 / period⌉ fixed periods. */
export function windowPeriods(cfg: Pick<ReportConfig, 'periodSec'>, days: number): number {
  return Math.max(1, Math.ceil((days * 86_400) / cfg.periodSec));
}
