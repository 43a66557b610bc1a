import { periodStart, type PeriodSpec } from './periods.js';
import { emptyReportsState, MAX_STORED_PERIODS, type ReportsState } from './state.js';
import type { ReportConfig, ReportSample } from './types.js';

const DAY_SEC = 86_400;

export interface RecordResult {
  readonly state: ReportsState;
  /** Things an operator should hear about once (config change, clock step), for a log line each. */
  readonly notes: readonly string[];
}

export function specOf(cfg: Pick<ReportConfig, 'periodSec' | 'tz'>): PeriodSpec {
  return { periodSec: cfg.periodSec, tz: cfg.tz };
}

/**
 * Records one tick (pure: `now` is passed in, the previous state is not modified). `sample` is null when the
 * tick has no price or no fresh balances: the period still advances with the clock, and a period that ends
 * without any sample is reported incomplete (the next complete period then starts from the last known sample,
 * so nothing that happened in between is lost from the chain).
 *
 * The reports' clock never goes back: a step back of up to one period (at least an hour) is absorbed by
 * treating the tick as happening at the latest time already seen. A larger step back means the earlier time
 * was wrong: samples "from the future" are dropped and the reports continue from `now`.
 */
export function recordSample(prev: ReportsState | undefined, sample: ReportSample | null, now: number, cfg: ReportConfig): RecordResult {
  const spec = specOf(cfg);
  const notes: string[] = [];
  let state: ReportsState = prev === undefined ? emptyReportsState(cfg.periodSec, cfg.tz) : { ...prev, closes: prev.closes };

  if (state.period_sec !== cfg.periodSec || state.tz !== cfg.tz) {
    const latest = state.closes.at(-1) ?? state.anchor;
    if (latest !== null && latest !== undefined) {
      notes.push(`report period changed (${state.period_sec} s ${state.tz || '?'} → ${cfg.periodSec} s ${cfg.tz}): report history restarts from the latest sample`);
    }
    state = { ...emptyReportsState(cfg.periodSec, cfg.tz), anchor: latest ?? null, first_start: latest ? periodStart(spec, latest.ts) : null, closes: latest ? [latest] : [], last_ts: latest?.ts ?? null };
  }

  let eff = now;
  if (state.last_ts !== null && now < state.last_ts) {
    const back = state.last_ts - now;
    if (back <= Math.max(cfg.periodSec, 3600)) {
      eff = state.last_ts;
    } else {
      notes.push(`clock stepped back ${Math.round(back)} s: report samples after ${new Date(now * 1000).toISOString()} are dropped`);
      const closes = state.closes.filter((c) => c.ts <= now);
      const anchor = state.anchor !== null && state.anchor.ts <= now ? state.anchor : null;
      const firstStart = state.first_start !== null && state.first_start <= now ? state.first_start : null;
      state = { ...state, closes, anchor: firstStart === null ? null : anchor, first_start: firstStart, last_ts: now };
      if (firstStart === null) state = { ...state, closes: [] };
    }
  }

  if (sample !== null) {
    const s: ReportSample = sample.ts === eff ? sample : { ...sample, ts: eff };
    const last = state.closes.at(-1);
    if (state.first_start === null) {
      state = { ...state, first_start: periodStart(spec, eff), anchor: s, closes: [s] };
    } else if (last !== undefined && periodStart(spec, last.ts) === periodStart(spec, eff)) {
      state = { ...state, closes: [...state.closes.slice(0, -1), s] };
    } else {
      state = { ...state, closes: [...state.closes, s] };
    }
  }
  state = { ...state, last_ts: Math.max(eff, state.last_ts ?? -Infinity) };
  return { state: trim(state, spec, cfg.retentionDays), notes };
}

/** Drops periods that ended before the retention horizon (and beyond MAX_STORED_PERIODS); the last dropped sample becomes the anchor. */
function trim(state: ReportsState, spec: PeriodSpec, retentionDays: number): ReportsState {
  if (state.first_start === null || state.last_ts === null) return state;
  let first = Math.max(state.first_start, periodStart(spec, state.last_ts - retentionDays * DAY_SEC));
  if (spec.periodSec !== DAY_SEC) first = Math.max(first, periodStart(spec, state.last_ts) - (MAX_STORED_PERIODS - 1) * spec.periodSec);
  if (first === state.first_start) return state;
  let cut = 0;
  while (cut < state.closes.length && (state.closes[cut] as ReportSample).ts < first) cut++;
  if (cut === 0) return { ...state, first_start: first };
  return { ...state, first_start: first, anchor: state.closes[cut - 1] as ReportSample, closes: state.closes.slice(cut) };
}
