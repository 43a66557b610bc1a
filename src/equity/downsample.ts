import type { EquityPoint } from './types.js';

/**
 * The 7-day view: consecutive groups of `step` points, each reduced to its lowest and highest point by
 * doge_eq (one point when they are the same point), in time order. Every point of the result is an input
 * point, so the series' min and max survive and order is kept; length <= 2·⌈n/step⌉. Ties pick the first
 * occurrence. A step <= 1 (or not a number) returns a copy unchanged; a fractional step is floored.
 */
export function downsampleExtremes(points: readonly EquityPoint[], step: number): EquityPoint[] {
  const size = Math.floor(step);
  if (!(size > 1)) return points.slice();
  const out: EquityPoint[] = [];
  for (let start = 0; start < points.length; start += size) {
    const end = Math.min(start + size, points.length);
    let minI = start;
    let maxI = start;
    for (let i = start + 1; i < end; i++) {
      const v = (points[i] as EquityPoint).doge_eq;
      if (v < (points[minI] as EquityPoint).doge_eq) minI = i;
      if (v > (points[maxI] as EquityPoint).doge_eq) maxI = i;
    }
    const first = Math.min(minI, maxI);
    const second = Math.max(minI, maxI);
    out.push(points[first] as EquityPoint);
    if (second !== first) out.push(points[second] as EquityPoint);
  }
  return out;
}
