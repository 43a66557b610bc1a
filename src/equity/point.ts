import type { EquityPoint } from './types.js';

/** All fields of a point, in stored order. */
export const POINT_FIELDS = ['ts', 'doge_eq', 'usd', 'doge', 'price', 'bot_pnl_usd', 'flows_cumulative_doge_eq'] as const;
export type PointField = (typeof POINT_FIELDS)[number];

/** A clean EquityPoint from an unknown value, or null unless every field is a finite number. Extra keys are dropped. */
export function toEquityPoint(raw: unknown): EquityPoint | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const r = raw as Record<string, unknown>;
  const values: Partial<Record<PointField, number>> = {};
  for (const field of POINT_FIELDS) {
    const v = r[field];
    if (typeof v !== 'number' || !Number.isFinite(v)) return null;
    values[field] = v;
  }
  return values as EquityPoint;
}
