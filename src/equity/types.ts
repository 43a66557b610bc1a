/** One sample of the account, taken by the loop every EQUITY_SNAPSHOT_INTERVAL_SEC. Times are unix seconds. */
export interface EquityPoint {
  readonly ts: number;
  /** doge + usd / price, in base-asset units. */
  readonly doge_eq: number;
  readonly usd: number;
  readonly doge: number;
  readonly price: number;
  readonly bot_pnl_usd: number;
  /** Net external flows since the baseline, valued at this point's price (base-asset units). */
  readonly flows_cumulative_doge_eq: number;
}

/** A chart point: [ts, doge_eq, doge_eq excluding flows]. Tuples keep /status small. */
export type SparkPoint = readonly [ts: number, dogeEq: number, dogeEqExFlows: number];

/** A deposit (▲) or withdrawal (▼) drawn on the chart. */
export interface FlowMarker {
  readonly ts: number;
  /** `deposit` when the flow added to the account, `withdrawal` when it took from it (by sign, not ledger type). */
  readonly type: 'deposit' | 'withdrawal';
  readonly ledger_type: string;
  readonly asset: string;
  readonly amount: number;
  readonly doge_eq: number;
  readonly ledger_id: string;
  /** DESIGN.md section 15: `external` flows and `income` rows are both marked. */
  readonly category: 'external' | 'income';
  readonly wallet: string;
}
