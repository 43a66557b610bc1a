import { describe, expect, it } from 'vitest';
import { restoreReconState, serializeReconState } from '../../src/recon/state-codec.js';
import { emptyReconState } from '../../src/recon/state.js';
import { buildReport, recordSample, restoreReportsState, type ReportConfig, type ReportSample, type ReportsState } from '../../src/reports/index.js';
import { DAY, identityGap, sample, sides, T0, UTC_DAYS } from './fixtures.js';

type Tick = readonly [now: number, s: Partial<ReportSample> | null];

/** Records ticks in order (each sample's ts is its tick time) and returns the state. */
function run(ticks: readonly Tick[], cfg: ReportConfig = UTC_DAYS, from?: ReportsState): ReportsState {
  let state = from;
  for (const [now, s] of ticks) state = recordSample(state, s === null ? null : sample({ ...s, ts: now }), now, cfg).state;
  return state as ReportsState;
}

const HOUR = 3600;

describe('report history: recording ticks', () => {
  it('the first sample opens the first period; later periods start where the previous ended', () => {
    const state = run([
      [T0 + 10 * HOUR, {}],
      [T0 + 23 * HOUR, { price: 0.11 }],
      [T0 + DAY + HOUR, { price: 0.12, quote: '1100', flows_in: sides(0, 100) }],
      [T0 + 2 * DAY + HOUR, { price: 0.1, quote: '1100', flows_in: sides(0, 100) }],
    ]);
    const { periods } = buildReport(state, UTC_DAYS);
    expect(periods.map((p) => p.start_ts)).toEqual([T0, T0 + DAY, T0 + 2 * DAY]);
    expect(periods.map((p) => p.open)).toEqual([false, false, true]);
    expect(periods[0]?.start_usd).toBe(2000);
    expect(periods[0]?.end_usd).toBe(2100);
    expect(periods[1]?.start_usd).toBe(2100);
    expect(periods[1]?.deposits_usd).toBe(100);
    expect(periods[2]?.start_usd).toBe(periods[1]?.end_usd);
    expect(periods[2]?.end_price).toBe(0.1); // the open period is valued at the current price
    for (const p of periods) expect(identityGap(p)).toBeLessThan(1e-9);
  });

  it('keeps one sample per period (the latest), so 90 days are 90 samples', () => {
    const ticks: Tick[] = [];
    for (let t = T0; t < T0 + 100 * DAY; t += 2 * HOUR) ticks.push([t, {}]);
    const state = run(ticks);
    expect(state.closes.length).toBe(91);
    const { periods } = buildReport(state, UTC_DAYS);
    expect(periods.length).toBe(91); // 90 full days behind the open one
    expect(periods[0]?.complete).toBe(true); // the anchor (last sample of the dropped day) still opens the oldest
  });

  it('a Kraken outage inside a period changes nothing: the cumulative totals carry what happened', () => {
    const state = run([
      [T0 + HOUR, {}],
      [T0 + 2 * HOUR, null],
      [T0 + 9 * HOUR, null], // no balances for hours; a deposit lands meanwhile
      [T0 + 10 * HOUR, { quote: '1500', flows_in: sides(0, 500) }],
    ]);
    const [row] = buildReport(state, UTC_DAYS).periods;
    expect(row?.complete).toBe(true);
    expect(row?.deposits_usd).toBe(500);
    expect(row?.unexplained_usd).toBe(0);
  });

  it('a period with no balances at all says so; the next one carries the gap, and nothing is lost', () => {
    const state = run([
      [T0 + HOUR, {}],
      [T0 + 23 * HOUR, { quote: '1010', income: sides(0, 10) }],
      [T0 + DAY + HOUR, null], // Kraken down the whole second day
      [T0 + 2 * DAY - HOUR, null],
      [T0 + 2 * DAY + HOUR, { quote: '1310', income: sides(0, 10), flows_in: sides(0, 300) }],
    ]);
    const { periods, summary } = buildReport(state, UTC_DAYS);
    expect(periods.map((p) => p.complete)).toEqual([true, false, true]);
    expect(periods[1]).toMatchObject({ start_usd: null, end_usd: null, deposits_usd: null, unexplained_usd: null });
    expect(periods[2]?.start_usd).toBe(2010); // from the last known sample, not an invented one
    expect(periods[2]?.deposits_usd).toBe(300);
    expect(summary['7d']).toMatchObject({ periods: 2, deposits_usd: 300, income_usd: 10, unexplained_usd: 0 });
  });

  it('days the sidecar was down appear as incomplete rows', () => {
    const state = run([
      [T0 + HOUR, {}],
      [T0 + 3 * DAY + HOUR, { base: '10100', flows_in: sides(100, 0) }],
    ]);
    const { periods } = buildReport(state, UTC_DAYS);
    expect(periods.map((p) => p.complete)).toEqual([true, false, false, true]);
    expect(periods[3]?.deposits_usd).toBe(10);
  });

  it('a restart (saved and restored through __recon_state_v1__) gives the same rows as an uninterrupted run', () => {
    const ticks: Tick[] = [];
    let base = 10_000;
    let inflow = 0;
    for (let i = 0; i < 200; i++) {
      if (i % 17 === 0) {
        base += 50;
        inflow += 50;
      }
      ticks.push([T0 + i * 1800, { base: String(base), price: 0.1 + (i % 7) / 100, flows_in: sides(inflow, 0) }]);
    }
    const straight = buildReport(run(ticks), UTC_DAYS);
    const before = run(ticks.slice(0, 77));
    const recon = { ...emptyReconState(), baseline: { doge: '1', usd: '1', ts: T0, price: 0.1, pnl_source_at_baseline: null }, reports: before };
    const json = JSON.parse(JSON.stringify(serializeReconState(recon, T0)));
    const { state: restored, repairs } = restoreReconState(json, 1000);
    expect(repairs).toEqual([]);
    const resumed = buildReport(run(ticks.slice(77), UTC_DAYS, restored.reports), UTC_DAYS);
    expect(resumed).toEqual(straight);
  });

  it('a SIGKILL loses the unsaved ticks only: the restart resumes from the last saved sample and still sums', () => {
    const saved = run([
      [T0 + HOUR, {}],
      [T0 + 23 * HOUR, { price: 0.2 }],
    ]);
    // Killed at 23:59 before saving; the deposit at 23:30 is read again from the ledger after the restart.
    const after = run([[T0 + DAY + 2 * HOUR, { price: 0.2, quote: '1250', flows_in: sides(0, 250) }]], UTC_DAYS, JSON.parse(JSON.stringify(saved)) as ReportsState);
    const { periods } = buildReport(after, UTC_DAYS);
    expect(periods[0]?.end_usd).toBe(3000);
    expect(periods[1]).toMatchObject({ start_usd: 3000, end_usd: 3250, deposits_usd: 250, unexplained_usd: 0 });
  });

  it('a small clock step back is absorbed: the tick counts at the latest time seen', () => {
    const state = run([
      [T0 + DAY - 60, {}],
      [T0 + DAY + 30, { quote: '1100', flows_in: sides(0, 100) }],
      [T0 + DAY - 600, { quote: '1200', flows_in: sides(0, 200) }], // clock stepped back 10 minutes
    ]);
    const { periods } = buildReport(state, UTC_DAYS);
    expect(periods.length).toBe(2);
    expect(periods[0]?.end_usd).toBe(2000);
    expect(periods[1]).toMatchObject({ start_usd: 2000, end_usd: 2200, deposits_usd: 200, unexplained_usd: 0, open: true });
    expect(state.last_ts).toBe(T0 + DAY + 30);
  });

  it('a large step back drops the samples "from the future" and goes on from now', () => {
    const r1 = recordSample(undefined, sample({ ts: T0 + HOUR }), T0 + HOUR, UTC_DAYS);
    const wrong = recordSample(r1.state, sample({ ts: T0 + 30 * DAY, quote: '1100', flows_in: sides(0, 100) }), T0 + 30 * DAY, UTC_DAYS); // a clock 29 days ahead
    const fixed = recordSample(wrong.state, sample({ ts: T0 + 2 * HOUR, quote: '1100', flows_in: sides(0, 100) }), T0 + 2 * HOUR, UTC_DAYS);
    expect(fixed.notes.join()).toMatch(/clock stepped back/);
    const { periods } = buildReport(fixed.state, UTC_DAYS);
    expect(periods.length).toBe(1);
    expect(periods[0]).toMatchObject({ start_usd: 2000, end_usd: 2100, deposits_usd: 100, open: true });
  });

  it('a baseline reset (a new epoch) makes the spanning row incomplete instead of subtracting unrelated totals', () => {
    const state = run([
      [T0 + HOUR, { epoch: 1, flows_in: sides(500, 0) }],
      [T0 + DAY + HOUR, { epoch: 2 }],
      [T0 + 2 * DAY + HOUR, { epoch: 2, quote: '1010', income: sides(0, 10) }],
    ]);
    expect(buildReport(state, UTC_DAYS).periods.map((p) => p.complete)).toEqual([true, false, true]);
  });

  it('a change of REPORT_PERIOD_SEC or REPORT_TZ restarts the history from the latest sample, with a note', () => {
    const state = run([
      [T0 + HOUR, {}],
      [T0 + DAY + HOUR, {}],
    ]);
    const berlin: ReportConfig = { ...UTC_DAYS, tz: 'Europe/Berlin' };
    const r = recordSample(state, sample({ ts: T0 + DAY + 2 * HOUR }), T0 + DAY + 2 * HOUR, berlin);
    expect(r.notes.join()).toMatch(/report period changed/);
    const { periods } = buildReport(r.state, berlin);
    expect(periods.length).toBe(1);
    expect(periods[0]?.start_ts).toBe(T0 + DAY - HOUR); // Berlin midnight
    expect(buildReport(state, berlin).periods).toEqual([]); // never mix bucketings
  });

  it('rows of days at daylight-saving changes span 23 and 25 hours (Europe/Berlin)', () => {
    const berlin: ReportConfig = { ...UTC_DAYS, tz: 'Europe/Berlin' };
    const ticks: Tick[] = [];
    for (let t = Date.UTC(2026, 2, 27) / 1000; t < Date.UTC(2026, 2, 31) / 1000; t += HOUR) ticks.push([t, {}]);
    const hours = buildReport(run(ticks, berlin), berlin).periods.map((p) => (p.end_ts - p.start_ts) / HOUR);
    expect(hours).toEqual([24, 24, 23, 24, 24]); // 27th (from 01:00 UTC), 28th, 29th, 30th, 31st (open)
    const autumn: Tick[] = [];
    for (let t = Date.UTC(2026, 9, 24) / 1000; t < Date.UTC(2026, 9, 27) / 1000; t += HOUR) autumn.push([t, {}]);
    expect(buildReport(run(autumn, berlin), berlin).periods.map((p) => (p.end_ts - p.start_ts) / HOUR)).toEqual([24, 25, 24, 24]);
  });

  it('short periods keep at most REPORT_RETENTION_DAYS and 2000 periods', () => {
    const cfg: ReportConfig = { periodSec: 60, tz: 'UTC', retentionDays: 90 };
    const ticks: Tick[] = [];
    for (let t = T0; t < T0 + 3 * DAY; t += 60) ticks.push([t, {}]);
    const state = run(ticks, cfg);
    expect(state.closes.length).toBe(2000);
    expect(buildReport(state, cfg).periods.length).toBe(2000);
  });
});

describe('report history: restoring a saved state', () => {
  const ticks: Tick[] = [];
  for (let i = 0; i < 95; i++) ticks.push([T0 + i * DAY + HOUR, { base: String(10_000 + i), flows_in: sides(i, 0) }]);
  const full = run(ticks);

  it('restores 90 days of rows exactly', () => {
    const repairs: string[] = [];
    const restored = restoreReportsState(JSON.parse(JSON.stringify(full)), repairs);
    expect(repairs).toEqual([]);
    expect(buildReport(restored, UTC_DAYS)).toEqual(buildReport(full, UTC_DAYS));
    expect(buildReport(restored, UTC_DAYS).periods.length).toBe(91);
  });

  it('an older state without the field loads with no reports, and recording starts them', () => {
    const { state, repairs } = restoreReconState({ v: 1, saved_ts: 1, baseline: null }, 1000);
    expect(repairs).toEqual([]);
    expect(state.reports).toBeUndefined();
    expect(buildReport(state.reports, UTC_DAYS).periods).toEqual([]);
  });

  it('a truncated list keeps what is left; malformed and out-of-order samples are dropped and reported', () => {
    const raw = JSON.parse(JSON.stringify(full)) as { closes: unknown[] };
    raw.closes = raw.closes.slice(0, 40); // a state cut short
    raw.closes[5] = { ts: 'x' };
    raw.closes[6] = { ...(raw.closes[7] as object), base: '1e5' }; // not a plain decimal
    raw.closes.splice(10, 0, raw.closes[2]); // out of order
    const repairs: string[] = [];
    const restored = restoreReportsState(raw, repairs);
    expect(restored.closes.length).toBe(38);
    expect(repairs.join()).toMatch(/dropped 3 malformed or out-of-order samples/);
    const { periods } = buildReport(restored, UTC_DAYS);
    for (const p of periods) if (p.complete) expect(identityGap(p)).toBeLessThan(1e-9);
    // The rows around the dropped samples still chain: the next complete row starts where the last one ended.
    const complete = periods.filter((p) => p.complete);
    for (let i = 1; i < complete.length; i++) expect(complete[i]?.start_usd).toBe(complete[i - 1]?.end_usd);
  });

  it('a sample saved before the category totals existed reads them as zero', () => {
    const old = { ...sample(), income: undefined, trading: undefined, pool_changes: undefined };
    const restored = restoreReportsState({ period_sec: DAY, tz: 'UTC', first_start: T0, anchor: old, closes: [old], last_ts: T0 }, []);
    expect(restored.closes[0]?.income).toEqual({ base: '0', quote: '0' });
  });

  it('garbage is never trusted', () => {
    const repairs: string[] = [];
    for (const raw of ['x', 42, [], { closes: 'no' }, { closes: [null, 1, {}] }]) {
      const r = restoreReportsState(raw, repairs);
      expect(r.closes).toEqual([]);
    }
    expect(repairs.length).toBeGreaterThan(0);
  });
});
