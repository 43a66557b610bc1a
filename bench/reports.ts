// Period reports: the per-tick cost of recording a sample and publishing the report with 90 days retained
// (daily periods in Europe/Berlin, so the Intl boundary arithmetic is included), against a real daemon tick
// on the simulator; and the CSV exports for 1 000 flows and 2 017 series points against JSON.stringify of
// the same data.
import type { EquityPoint } from '../src/equity/types.js';
import type { FlowRecord } from '../src/recon/types.js';
import { buildReport, equityCsv, flowsCsv, recordSample, restoreReportsState, type ReportConfig, type ReportSample, type ReportsState } from '../src/reports/index.js';
import { fmt, ratio, type BenchResult } from './lib/report.js';
import { STAGE4_ENV, startRig } from './lib/rig.js';

const DAY = 86_400;
const T0 = 1_764_547_200; // 2025-12-01T00:00:00Z
const CFG: ReportConfig = { periodSec: DAY, tz: 'Europe/Berlin', retentionDays: 90 };
const LOOP_SEC = 30;
const TICKS = 2880; // one day of ticks at 30 s, all in the open period
const REPEATS = 5;

function sampleAt(ts: number, i: number): ReportSample {
  const s = (n: number) => ({ base: (n * 1.5).toFixed(8), quote: (n * 0.25).toFixed(4) });
  return {
    ts,
    price: 0.1 + (i % 100) / 10_000,
    base: (10_000 + (i % 500)).toFixed(8),
    quote: (1000 + (i % 300) / 7).toFixed(4),
    epoch: T0 - DAY,
    flows_in: s(i),
    flows_out: s(i / 3),
    pool_changes: { base: '0', quote: '0' },
    income: s(i / 50),
    trading: s(i / 2),
    bot_pnl_usd: null,
  };
}

function history(): ReportsState {
  let state: ReportsState | undefined;
  for (let d = 0; d < 92; d++) for (let h = 0; h < 24; h += 6) state = recordSample(state, sampleAt(T0 + d * DAY + h * 3600, d * 4 + h), T0 + d * DAY + h * 3600, CFG).state;
  return state as ReportsState;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}

/** Record + publish per tick, as ReportFeed does, over a day of ticks. */
function tickCosts(start: ReportsState): { perTickMs: number[]; rows: number } {
  let state = start;
  const out: number[] = [];
  let rows = 0;
  const base = (state.last_ts ?? T0) + 1;
  for (let i = 0; i < TICKS; i++) {
    const now = base + i * LOOP_SEC;
    const t = performance.now();
    state = recordSample(state, sampleAt(now, 10_000 + i), now, CFG).state;
    rows = buildReport(state, CFG).periods.length;
    out.push(performance.now() - t);
  }
  return { perTickMs: out, rows };
}

function flowsFixture(n: number): FlowRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    ledger_id: `L${String(i).padStart(5, '0')}-ABCDE-FGHIJK`,
    refid: `R${String(i).padStart(5, '0')}-XYZ`,
    time: T0 + i * 613.25,
    type: i % 3 === 0 ? 'withdrawal' : 'deposit',
    subtype: i % 7 === 0 ? 'spottostaking' : '',
    asset: i % 2 === 0 ? 'DOGE' : 'USD',
    side: i % 2 === 0 ? 'base' : 'quote',
    amount: i % 3 === 0 ? `-${(i * 1.37).toFixed(8)}` : (i * 2.11).toFixed(8),
    fee: '0.00000000',
    net: i % 3 === 0 ? `-${(i * 1.37).toFixed(8)}` : (i * 2.11).toFixed(8),
    price: 0.1 + i / 1e5,
    doge_eq: i % 3 === 0 ? -i * 1.37 : i * 2.11,
    detected_ts: T0 + i * 613.25 + 30,
    applied: i % 5 !== 0,
    category: i % 11 === 0 ? 'income' : 'external',
    wallet: i % 4 === 0 ? 'F' : 'spot',
  }));
}

function pointsFixture(n: number): EquityPoint[] {
  return Array.from({ length: n }, (_, i) => ({
    ts: T0 + i * 300,
    doge_eq: 20_000 + Math.sin(i / 50) * 500,
    usd: 1000 + i / 3,
    doge: 10_000 - i / 7,
    price: 0.1 + Math.cos(i / 80) / 100,
    bot_pnl_usd: i / 11,
    flows_cumulative_doge_eq: Math.floor(i / 200) * 250,
  }));
}

function best(fn: () => unknown): number {
  const ms: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t = performance.now();
    fn();
    ms.push(performance.now() - t);
  }
  return Math.min(...ms);
}

export async function reports(): Promise<Omit<BenchResult, 'seconds'>> {
  const state = history();
  tickCosts(state); // warm-up
  const { perTickMs, rows } = tickCosts(state);
  const reportMed = median(perTickMs);
  const reportP99 = quantile(perTickMs, 0.99);
  // After a restart nothing is memoised: the first build computes every row.
  const restored = restoreReportsState(JSON.parse(JSON.stringify(state)), []);
  const coldMs = best(() => buildReport(restoreReportsState(JSON.parse(JSON.stringify(restored)), []), CFG));

  // The tick's own duration: the real daemon (stage 4) against the simulator on loopback.
  const rig = await startRig({ env: { ...STAGE4_ENV } });
  const tickMs: number[] = [];
  try {
    await rig.step();
    for (let i = 0; i < 60; i++) {
      const t = performance.now();
      await rig.step();
      tickMs.push(performance.now() - t);
    }
  } finally {
    await rig.close();
  }
  const tickMed = median(tickMs);

  const flows = flowsFixture(1000);
  const points = pointsFixture(2017);
  flowsCsv(flows);
  equityCsv(points);
  const flowsMs = best(() => flowsCsv(flows));
  const flowsJson = best(() => JSON.stringify(flows));
  const eqMs = best(() => equityCsv(points));
  const eqJson = best(() => JSON.stringify(points));
  const csvTarget = '≤ 50 ms and ≤ 20× JSON.stringify';
  return {
    bench: 'reports',
    figures: [
      {
        id: 'reports.tick_cost',
        name: `report record + publish per tick, ${rows} daily periods (Europe/Berlin, 90 days retained)`,
        figure: { value: reportMed, unit: 'ms' },
        baseline: { value: tickMed, unit: 'ms', label: 'median daemon tick (stage 4, simulator on loopback)' },
        ratio: ratio(reportMed, tickMed),
        ratio_of: 'report cost / tick duration',
        target: '≤ 5% of a tick',
        pass: reportMed <= 0.05 * tickMed,
        details: { ticks: TICKS, median_ms: reportMed, p99_ms: reportP99, max_ms: Math.max(...perTickMs), cold_build_after_restart_ms: coldMs, tick_ms_median: tickMed, tick_ms_p90: quantile(tickMs, 0.9) },
        note: `p99 ${fmt(reportP99)} ms; first build after a restart (no memo) ${fmt(coldMs)} ms; tick median ${fmt(tickMed)} ms`,
      },
      {
        id: 'reports.flows_csv',
        name: 'GET /flows.csv body, 1 000 flows',
        figure: { value: flowsMs, unit: 'ms' },
        baseline: { value: flowsJson, unit: 'ms', label: 'JSON.stringify of the same flows' },
        ratio: ratio(flowsMs, flowsJson),
        ratio_of: 'CSV time / JSON.stringify time',
        target: csvTarget,
        pass: flowsMs <= 50 && flowsMs <= 20 * flowsJson,
        details: { csv_bytes: flowsCsv(flows).length, json_bytes: JSON.stringify(flows).length },
        note: `${fmt(flowsCsv(flows).length / 1024)} KiB CSV vs ${fmt(JSON.stringify(flows).length / 1024)} KiB JSON; built once per change and cached`,
      },
      {
        id: 'reports.equity_csv',
        name: 'GET /equity.csv body, 2 017 points',
        figure: { value: eqMs, unit: 'ms' },
        baseline: { value: eqJson, unit: 'ms', label: 'JSON.stringify of the same points' },
        ratio: ratio(eqMs, eqJson),
        ratio_of: 'CSV time / JSON.stringify time',
        target: csvTarget,
        pass: eqMs <= 50 && eqMs <= 20 * eqJson,
        details: { csv_bytes: equityCsv(points).length, json_bytes: JSON.stringify(points).length },
        note: `${fmt(equityCsv(points).length / 1024)} KiB CSV vs ${fmt(JSON.stringify(points).length / 1024)} KiB JSON`,
      },
    ],
  };
}
