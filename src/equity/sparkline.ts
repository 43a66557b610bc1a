import type { EquityPoint, SparkPoint } from './types.js';

/**
 * Decimals kept on chart values. A fixed number of decimals (not significant digits) keeps the same
 * absolute resolution, 0.0001 base units, for a small account and a large one alike.
 */
export const SPARK_VALUE_DECIMALS = 4;
/** Times keep millisecond resolution (they are unix seconds, usually whole). */
const SPARK_TS_DECIMALS = 3;

function round(value: number, decimals: number): number {
  // toFixed rounds the binary value and yields its shortest decimal text, so JSON stays short.
  const r = Number(value.toFixed(decimals));
  return r === 0 ? 0 : r; // no "-0" in the payload
}

/** Chart tuples `[ts, doge_eq, doge_eq − flows_cumulative_doge_eq]`, values rounded to 4 decimals. */
export function toSparkline(points: readonly EquityPoint[]): SparkPoint[] {
  return points.map((p) => [
    round(p.ts, SPARK_TS_DECIMALS),
    round(p.doge_eq, SPARK_VALUE_DECIMALS),
    round(p.doge_eq - p.flows_cumulative_doge_eq, SPARK_VALUE_DECIMALS),
  ]);
}
