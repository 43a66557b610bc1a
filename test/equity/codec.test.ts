import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSeries, encodeSeries } from '../../src/equity/codec.js';
import type { EquityPoint } from '../../src/equity/types.js';
import { arbDecimal8, arbSeries, point, seriesOf, T0 } from './fixtures.js';

/** Through JSON, as the store does. */
const roundTrip = (points: readonly EquityPoint[]): EquityPoint[] | null =>
  decodeSeries(JSON.parse(JSON.stringify(encodeSeries(points))));

/**
 * 7 days at the default interval (2016 points) of a realistic account: a random-walk DOGE price with 7
 * decimals, a bot trading now and then, two flows, and doge_eq/flows computed in floating point (full
 * 17-digit doubles, as the loop produces them).
 */
function realisticWeek(): EquityPoint[] {
  let seed = 42;
  const rand = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  let price = 0.1234567;
  let doge = 50_000.12345678;
  let usd = 6_000.1234;
  let pnl = 0;
  let flowsDoge = 0;
  const out: EquityPoint[] = [];
  for (let i = 0; i < 2016; i++) {
    price = Math.max(0.01, Number((price * (1 + (rand() - 0.5) * 0.004)).toFixed(7)));
    if (rand() < 0.3) { // a bot fill
      const qty = Math.round(rand() * 5_000_000) / 100;
      const side = rand() < 0.5 ? 1 : -1;
      doge = Number((doge + side * qty).toFixed(8));
      usd = Number((usd - side * qty * price).toFixed(4));
      pnl = Number((pnl + (rand() - 0.45) * 2).toFixed(4));
    }
    if (i === 500) { doge += 10_000; flowsDoge += 10_000; }
    if (i === 1500) { usd -= 500; }
    const flowsCum = flowsDoge + (i >= 1500 ? -500 / price : 0);
    out.push({ ts: T0 + i * 300, doge_eq: doge + usd / price, usd, doge, price, bot_pnl_usd: pnl, flows_cumulative_doge_eq: flowsCum });
  }
  return out;
}

describe('encodeSeries / decodeSeries', () => {
  it('round-trips exactly every value with at most 8 decimals (property)', () => {
    const arbPoint8 = fc.record({
      ts: fc.integer({ min: T0, max: T0 + 10_000 }),
      doge_eq: arbDecimal8, usd: arbDecimal8, doge: arbDecimal8, price: arbDecimal8, bot_pnl_usd: arbDecimal8, flows_cumulative_doge_eq: arbDecimal8,
    });
    const arb = fc.uniqueArray(arbPoint8, { selector: (p) => p.ts, maxLength: 50 }).map((ps) => ps.sort((a, b) => a.ts - b.ts));
    fc.assert(fc.property(arb, (points) => {
      expect(roundTrip(points)).toEqual(points);
    }), { numRuns: 300 });
  });

  it('keeps any finite value within 5e-9 and huge values exactly (property)', () => {
    fc.assert(fc.property(arbSeries, (points) => {
      const back = roundTrip(points);
      expect(back?.length).toBe(points.length);
      back?.forEach((p, i) => {
        const src = points[i] as EquityPoint;
        expect(p.ts).toBe(src.ts);
        for (const k of ['doge_eq', 'usd', 'doge', 'price', 'bot_pnl_usd', 'flows_cumulative_doge_eq'] as const) {
          expect(Math.abs(p[k] - src[k])).toBeLessThanOrEqual(5e-9 + Math.abs(src[k]) * 1e-15);
        }
      });
    }));
  });

  it('stores a column too large for exact scaled integers as plain numbers, losslessly', () => {
    const whale = [point({ doge: 123_456_789.12345678, doge_eq: 1e15 + 0.5 }), point({ ts: T0 + 1.25, doge: 1 })];
    const enc = encodeSeries(whale);
    expect(enc.doge).toEqual({ plain: [123_456_789.12345678, 1] });
    expect(enc.ts).toEqual({ dec: 2, delta: [T0 * 100, 125] });
    expect(roundTrip(whale)).toEqual(whale);
  });

  it('uses the fewest decimals that are exact per column', () => {
    const enc = encodeSeries([point({ usd: 1.5 }), point({ ts: T0 + 300, usd: 1.25 })]);
    expect(enc.usd).toEqual({ dec: 2, delta: [150, -25] });
    expect(enc.ts).toEqual({ dec: 0, delta: [T0, 300] });
  });

  it('encodes an empty series', () => {
    expect(roundTrip([])).toEqual([]);
  });

  it('decodes to sorted, unique-by-ts points', () => {
    const back = decodeSeries(encodeSeries([point({ ts: T0 + 300 }), point({ ts: T0 }), point({ ts: T0 })]));
    expect(back?.map((p) => p.ts)).toEqual([T0, T0 + 300]);
  });

  describe('tolerant reader: plain array of points', () => {
    it('reads an array of point objects, dropping extra keys', () => {
      expect(decodeSeries([{ ...point(), extra: 'x' }])).toEqual([point()]);
    });
    it('drops individual invalid points and keeps the rest', () => {
      const raw = [point(), { ...point({ ts: T0 + 300 }), doge_eq: null }, { ...point({ ts: T0 + 600 }), usd: '5' }, 7, point({ ts: T0 + 900 })];
      expect(decodeSeries(raw)?.map((p) => p.ts)).toEqual([T0, T0 + 900]);
    });
  });

  describe('strict columnar reader: damage means null', () => {
    const good = (): Record<string, unknown> => JSON.parse(JSON.stringify(encodeSeries(seriesOf([1, 2, 3])))) as Record<string, unknown>;
    const cases: [string, (raw: Record<string, unknown>) => unknown][] = [
      ['unknown version', (r) => ({ ...r, v: 2 })],
      ['missing column', (r) => { delete r['price']; return r; }],
      ['column shorter than n', (r) => ({ ...r, usd: { dec: 0, delta: [1, 2] } })],
      ['n disagrees', (r) => ({ ...r, n: 4 })],
      ['non-integer delta', (r) => ({ ...r, usd: { dec: 0, delta: [1, 2.5, 3] } })],
      ['null in a plain column', (r) => ({ ...r, usd: { plain: [1, null, 3] } })],
      ['decimals out of range', (r) => ({ ...r, usd: { dec: 9, delta: [1, 2, 3] } })],
      ['unsafe running sum', (r) => ({ ...r, usd: { dec: 0, delta: [2 ** 52, 2 ** 52, 0] } })],
    ];
    it.each(cases)('%s', (_name, damage) => {
      expect(decodeSeries(good())).not.toBeNull();
      expect(decodeSeries(damage(good()))).toBeNull();
    });
    it.each([null, 'x', 42, {}, { v: 1 }])('rejects %j', (raw) => {
      expect(decodeSeries(raw)).toBeNull();
    });
  });

  it('stores 7 days at the default interval (2016 points) in at most 50% of the raw JSON', () => {
    const week = realisticWeek();
    const raw = Buffer.byteLength(JSON.stringify(week));
    const encoded = Buffer.byteLength(JSON.stringify(encodeSeries(week)));
    console.log(`equity series, 2016 points: raw JSON ${raw} bytes, encoded ${encoded} bytes (${((100 * encoded) / raw).toFixed(1)}%)`);
    expect(week).toHaveLength(2016);
    expect(encoded).toBeLessThanOrEqual(raw * 0.5);
    // Values with <= 8 decimals come back exactly; computed ones within 5e-9.
    const back = roundTrip(week) ?? [];
    expect(back.map((p) => [p.ts, p.usd, p.doge, p.price, p.bot_pnl_usd])).toEqual(week.map((p) => [p.ts, p.usd, p.doge, p.price, p.bot_pnl_usd]));
    back.forEach((p, i) => {
      const src = (week[i] as EquityPoint).doge_eq;
      expect(Math.abs(p.doge_eq - src)).toBeLessThanOrEqual(5e-9 + Math.abs(src) * 1e-15);
    });
  });
});
