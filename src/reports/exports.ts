import type { EquityPoint } from '../equity/types.js';
import type { FlowRecord } from '../recon/types.js';
import { toCsv, type Column } from './csv.js';
import { isoInZone } from './periods.js';
import type { ReportRow, ReportView } from './types.js';

/** `GET /report.csv`: one line per period, times as ISO (UTC and REPORT_TZ wall time) and unix seconds. */
export function reportCsv(view: ReportView): string {
  const cols: Column<ReportRow>[] = [
    { name: 'start', kind: 'text', get: (r) => iso(r.start_ts) },
    { name: 'end', kind: 'text', get: (r) => iso(r.end_ts) },
    { name: 'start_local', kind: 'text', get: (r) => isoInZone(view.tz, r.start_ts) },
    { name: 'start_ts', kind: 'number', get: (r) => r.start_ts },
    { name: 'end_ts', kind: 'number', get: (r) => r.end_ts },
    { name: 'open', kind: 'bool', get: (r) => r.open },
    { name: 'complete', kind: 'bool', get: (r) => r.complete },
    ...(
      [
        'start_price',
        'end_price',
        'start_usd',
        'end_usd',
        'start_doge_eq',
        'end_doge_eq',
        'deposits_usd',
        'withdrawals_usd',
        'income_usd',
        'bot_pnl_usd',
        'unexplained_usd',
        'price_effect_usd',
        'return_ex_flows_pct',
        'bot_return_pct',
      ] as const
    ).map((k): Column<ReportRow> => ({ name: k, kind: 'number', get: (r) => r[k] })),
  ];
  return toCsv(cols, view.periods);
}

const FLOW_COLUMNS: readonly Column<FlowRecord>[] = [
  { name: 'time', kind: 'text', get: (f) => iso(f.time) },
  { name: 'unix_time', kind: 'number', get: (f) => f.time },
  { name: 'ledger_id', kind: 'text', get: (f) => f.ledger_id },
  { name: 'refid', kind: 'text', get: (f) => f.refid },
  { name: 'type', kind: 'text', get: (f) => f.type },
  { name: 'subtype', kind: 'text', get: (f) => f.subtype },
  { name: 'category', kind: 'text', get: (f) => f.category },
  { name: 'asset', kind: 'text', get: (f) => f.asset },
  { name: 'wallet', kind: 'text', get: (f) => f.wallet },
  { name: 'amount', kind: 'number', get: (f) => f.amount },
  { name: 'fee', kind: 'number', get: (f) => f.fee },
  { name: 'net', kind: 'number', get: (f) => f.net },
  { name: 'doge_eq', kind: 'number', get: (f) => f.doge_eq },
  { name: 'applied', kind: 'bool', get: (f) => f.applied },
];

/** `GET /flows.csv`: every stored flow (external flows and income rows), oldest first. */
export function flowsCsv(flows: readonly FlowRecord[]): string {
  return toCsv(FLOW_COLUMNS, flows);
}

const EQUITY_COLUMNS: readonly Column<EquityPoint>[] = [
  { name: 'time', kind: 'text', get: (p) => iso(p.ts) },
  { name: 'unix_time', kind: 'number', get: (p) => p.ts },
  { name: 'doge_eq', kind: 'number', get: (p) => p.doge_eq },
  { name: 'usd', kind: 'number', get: (p) => p.usd },
  { name: 'doge', kind: 'number', get: (p) => p.doge },
  { name: 'price', kind: 'number', get: (p) => p.price },
  { name: 'bot_pnl_usd', kind: 'number', get: (p) => p.bot_pnl_usd },
  { name: 'flows_cumulative_doge_eq', kind: 'number', get: (p) => p.flows_cumulative_doge_eq },
];

/** `GET /equity.csv`: the equity series as held (EQUITY_TS_RETENTION_DAYS, or 24 h without stage 3). */
export function equityCsv(points: readonly EquityPoint[]): string {
  return toCsv(EQUITY_COLUMNS, points);
}

function iso(ts: number): string {
  return Number.isFinite(ts) ? new Date(Math.round(ts * 1000)).toISOString() : '';
}
