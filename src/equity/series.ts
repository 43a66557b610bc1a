import { comparePoints } from './compare.js';
import type { EquityPoint } from './types.js';

const DAY_SEC = 86_400;

/** Index of the first point with ts >= `ts` (points sorted by ts). */
function lowerBound(points: readonly EquityPoint[], ts: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((points[mid] as EquityPoint).ts < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A new series with `point` in ts order. A point with the same ts is replaced (the newer sample wins: it is
 * the loop's latest view of that moment). The usual case, a point newer than all others, is an append.
 */
export function appendPoint(points: readonly EquityPoint[], point: EquityPoint): EquityPoint[] {
  const last = points[points.length - 1];
  if (last === undefined || last.ts < point.ts) return [...points, point];
  const i = lowerBound(points, point.ts);
  const out = points.slice();
  if (points[i]?.ts === point.ts) out[i] = point;
  else out.splice(i, 0, point);
  return out;
}

/**
 * Points with ts >= now − retentionSec. A point exactly at the edge is KEPT, so a series sampled every
 * `interval` holds retention/interval + 1 points (both ends). Points newer than `now` (clock skew) are kept.
 */
export function trimSeries(points: readonly EquityPoint[], now: number, retentionSec: number): EquityPoint[] {
  return points.slice(lowerBound(points, now - retentionSec));
}

/** The last 24 hours of a sorted series (same edge rule as trimSeries). */
export function last24h(points: readonly EquityPoint[], now: number): EquityPoint[] {
  return trimSeries(points, now, DAY_SEC);
}

/**
 * Union by ts, sorted ascending, one point per ts. Where both copies hold a ts with different values, the
 * one that sorts last by comparePoints is kept: deterministic and independent of argument order, so
 * merge(a, b) equals merge(b, a) and merge(m, m) equals m. Inputs need not be sorted or unique.
 */
export function mergeSeries(a: readonly EquityPoint[], b: readonly EquityPoint[]): EquityPoint[] {
  const all = [...a, ...b].sort(comparePoints);
  const out: EquityPoint[] = [];
  for (const p of all) {
    const prev = out[out.length - 1];
    if (prev !== undefined && prev.ts === p.ts) out[out.length - 1] = p;
    else out.push(p);
  }
  return out;
}
