import { POINT_FIELDS, toEquityPoint } from './point.js';
import type { PointField } from './point.js';
import { mergeSeries } from './series.js';
import type { EquityPoint } from './types.js';

/**
 * Stored shape of `__equity_ts__` (version 1), columnar:
 *
 *   { "v": 1, "n": 3,
 *     "ts":      { "dec": 0, "delta": [1700000000, 300, 300] },
 *     "doge_eq": { "dec": 8, "delta": [1234567890123, -4200, 17] },
 *     "price":   { "plain": [0.1234, 0.1235, 0.1236] }, ... one entry per EquityPoint field }
 *
 * A `delta` column holds the values scaled by 10^dec as integers, the first absolute and then the
 * difference to the previous one: balances rarely move between samples and prices move little, so most
 * entries are a few digits. `dec` is the fewest decimals (0..8) that represent every value of the column
 * exactly, so any value with at most 8 decimals round-trips exactly; a value with more decimals (a computed
 * doge_eq such as 1234.5678901234567) is rounded to 8 decimals (1e-8 base units). A column whose scaled
 * integers would leave the range where that is exact (|value·10^dec| > 2^50, e.g. more than 11 million
 * units at 8 decimals) is stored `plain`, losslessly, instead.
 */
export interface StoredSeriesV1 {
  readonly v: 1;
  readonly n: number;
  readonly ts: StoredColumn;
  readonly doge_eq: StoredColumn;
  readonly usd: StoredColumn;
  readonly doge: StoredColumn;
  readonly price: StoredColumn;
  readonly bot_pnl_usd: StoredColumn;
  readonly flows_cumulative_doge_eq: StoredColumn;
}
export type StoredColumn = { readonly dec: number; readonly delta: readonly number[] } | { readonly plain: readonly number[] };

const MAX_DECIMALS = 8;
/** Scaled integers stay within ±2^50 so that v·10^dec rounds to the right integer and deltas stay safe. */
const MAX_SCALED = 2 ** 50;

/** True when every value, scaled by `scale`, is an integer in range that divides back to the value exactly. */
function fitsExactly(values: readonly number[], scale: number): boolean {
  return values.every((v) => {
    const n = Math.round(v * scale);
    return Math.abs(n) <= MAX_SCALED && n / scale === v;
  });
}

function encodeColumn(values: readonly number[]): StoredColumn {
  let dec = 0;
  while (dec < MAX_DECIMALS && !fitsExactly(values, 10 ** dec)) dec++;
  const scale = 10 ** dec;
  const scaled = values.map((v) => Math.round(v * scale));
  if (scaled.some((n) => Math.abs(n) > MAX_SCALED)) return { plain: values.slice() };
  const delta = scaled.map((n, i) => (i === 0 ? n : n - (scaled[i - 1] as number)));
  return { dec, delta };
}

/** The compact stored form of a series (see StoredSeriesV1). Points are stored in the given order. */
export function encodeSeries(points: readonly EquityPoint[]): StoredSeriesV1 {
  const column = (field: PointField): StoredColumn => encodeColumn(points.map((p) => p[field]));
  return {
    v: 1,
    n: points.length,
    ts: column('ts'),
    doge_eq: column('doge_eq'),
    usd: column('usd'),
    doge: column('doge'),
    price: column('price'),
    bot_pnl_usd: column('bot_pnl_usd'),
    flows_cumulative_doge_eq: column('flows_cumulative_doge_eq'),
  };
}

function isRecord(raw: unknown): raw is Record<string, unknown> {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw);
}

/** A column's values, or null if it is not exactly a valid column of length n. */
function decodeColumn(raw: unknown, n: number): number[] | null {
  if (!isRecord(raw)) return null;
  if ('plain' in raw) {
    const plain = raw['plain'];
    if (!Array.isArray(plain) || plain.length !== n) return null;
    return plain.every((v) => typeof v === 'number' && Number.isFinite(v)) ? (plain as number[]) : null;
  }
  const dec = raw['dec'];
  const delta = raw['delta'];
  if (typeof dec !== 'number' || !Number.isInteger(dec) || dec < 0 || dec > MAX_DECIMALS) return null;
  if (!Array.isArray(delta) || delta.length !== n) return null;
  const scale = 10 ** dec;
  const out: number[] = [];
  let acc = 0;
  for (const d of delta) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d)) return null;
    acc += d;
    if (!Number.isSafeInteger(acc)) return null;
    out.push(acc / scale);
  }
  return out;
}

function decodeColumnar(raw: Record<string, unknown>): EquityPoint[] | null {
  const n = raw['n'];
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) return null;
  const columns: Partial<Record<PointField, number[]>> = {};
  for (const field of POINT_FIELDS) {
    const values = decodeColumn(raw[field], n);
    if (values === null) return null;
    columns[field] = values;
  }
  const cols = columns as Record<PointField, number[]>;
  const points: EquityPoint[] = [];
  for (let i = 0; i < n; i++) {
    points.push({
      ts: cols.ts[i] as number,
      doge_eq: cols.doge_eq[i] as number,
      usd: cols.usd[i] as number,
      doge: cols.doge[i] as number,
      price: cols.price[i] as number,
      bot_pnl_usd: cols.bot_pnl_usd[i] as number,
      flows_cumulative_doge_eq: cols.flows_cumulative_doge_eq[i] as number,
    });
  }
  return points;
}

/**
 * A series from a stored value, sorted by ts with one point per ts, or null when the value has the wrong
 * shape. Two shapes are read:
 * - the columnar StoredSeriesV1: validated strictly, all or nothing. It is machine-written, so any bad
 *   entry or unequal column length means the blob is damaged and none of it is trusted (null).
 * - a plain array of point objects (older or hand-made copies): points that are not all-finite are
 *   dropped one by one and the rest kept; only a non-array is null.
 */
export function decodeSeries(raw: unknown): EquityPoint[] | null {
  if (Array.isArray(raw)) {
    const points = raw.map(toEquityPoint).filter((p): p is EquityPoint => p !== null);
    return mergeSeries(points, []);
  }
  if (!isRecord(raw) || raw['v'] !== 1) return null;
  const points = decodeColumnar(raw);
  return points === null ? null : mergeSeries(points, []);
}
