import type { EquityPoint } from './types.js';

/** The value fields of a point, in a fixed order: the tie-break of two points with the same ts uses it. */
export const VALUE_FIELDS = ['doge_eq', 'usd', 'doge', 'price', 'bot_pnl_usd', 'flows_cumulative_doge_eq'] as const;

/** Numeric order in which −0 sorts before +0, so that the order is total over finite numbers. */
function compareNumber(x: number, y: number): number {
  if (x < y) return -1;
  if (x > y) return 1;
  if (Object.is(x, y)) return 0;
  return Object.is(x, -0) ? -1 : 1;
}

/**
 * Total order on points: by ts, then by the value fields. Merging keeps, for each ts, the point that sorts
 * LAST, which depends only on the points themselves, never on which copy they came from, so merging is
 * commutative.
 */
export function comparePoints(a: EquityPoint, b: EquityPoint): number {
  const byTs = compareNumber(a.ts, b.ts);
  if (byTs !== 0) return byTs;
  for (const field of VALUE_FIELDS) {
    const c = compareNumber(a[field], b[field]);
    if (c !== 0) return c;
  }
  return 0;
}
