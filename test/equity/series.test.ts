import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appendPoint, last24h, mergeSeries, trimSeries } from '../../src/equity/series.js';
import { arbPoint, arbSeries, point, seriesOf, T0 } from './fixtures.js';

const tsOf = (ps: readonly { ts: number }[]): number[] => ps.map((p) => p.ts);

describe('appendPoint', () => {
  it('appends a newer point', () => {
    const out = appendPoint(seriesOf([1, 2]), point({ ts: T0 + 600, doge_eq: 3 }));
    expect(tsOf(out)).toEqual([T0, T0 + 300, T0 + 600]);
  });
  it('replaces the point with the same ts instead of duplicating it', () => {
    const out = appendPoint(seriesOf([1, 2]), point({ ts: T0 + 300, doge_eq: 99 }));
    expect(out.map((p) => p.doge_eq)).toEqual([1, 99]);
  });
  it('inserts an older point in ts order', () => {
    const out = appendPoint(seriesOf([1, 2]), point({ ts: T0 + 100, doge_eq: 5 }));
    expect(tsOf(out)).toEqual([T0, T0 + 100, T0 + 300]);
  });
  it('does not modify its input', () => {
    const input = seriesOf([1, 2]);
    appendPoint(input, point({ ts: T0, doge_eq: 7 }));
    expect(input[0]?.doge_eq).toBe(1);
  });
  it('keeps any series sorted and unique by ts (property)', () => {
    fc.assert(
      fc.property(arbSeries, arbPoint, (series, p) => {
        const out = appendPoint(series, p);
        expect(out).toContain(p);
        expect(new Set(tsOf(out)).size).toBe(out.length);
        expect(tsOf(out)).toEqual([...tsOf(out)].sort((a, b) => a - b));
        expect(out.length).toBe(series.length + (series.some((q) => q.ts === p.ts) ? 0 : 1));
      }),
    );
  });
});

describe('trimSeries', () => {
  const week = 7 * 86_400;
  const series = seriesOf([1, 2, 3, 4]); // T0, +300, +600, +900

  it('keeps a point exactly at the retention edge', () => {
    expect(tsOf(trimSeries(series, T0 + 300 + week, week))).toEqual([T0 + 300, T0 + 600, T0 + 900]);
  });
  it('drops a point one second past the edge', () => {
    expect(tsOf(trimSeries(series, T0 + 301 + week, week))).toEqual([T0 + 600, T0 + 900]);
  });
  it('keeps points newer than now (clock skew)', () => {
    expect(tsOf(trimSeries(series, T0, 100))).toEqual(tsOf(series));
  });
  it('last24h keeps the last day, edge included', () => {
    expect(tsOf(last24h(series, T0 + 600 + 86_400))).toEqual([T0 + 600, T0 + 900]);
  });
});

describe('mergeSeries', () => {
  it('is the union by ts, sorted', () => {
    const a = [point({ ts: T0 + 600 }), point({ ts: T0 })];
    const b = [point({ ts: T0 + 300 }), point({ ts: T0 })];
    expect(tsOf(mergeSeries(a, b))).toEqual([T0, T0 + 300, T0 + 600]);
  });
  it('keeps the same point for a clashing ts whichever side it came from', () => {
    const low = point({ doge_eq: 1 });
    const high = point({ doge_eq: 2 });
    expect(mergeSeries([low], [high])).toEqual([high]);
    expect(mergeSeries([high], [low])).toEqual([high]);
  });
  it('is commutative (property)', () => {
    fc.assert(fc.property(arbSeries, arbSeries, (a, b) => {
      expect(mergeSeries(a, b)).toEqual(mergeSeries(b, a));
    }));
  });
  it('is idempotent: merging a copy into itself changes nothing (property)', () => {
    fc.assert(fc.property(arbSeries, arbSeries, (a, b) => {
      expect(mergeSeries(a, a)).toEqual(a);
      const m = mergeSeries(a, b);
      expect(mergeSeries(m, m)).toEqual(m);
      expect(mergeSeries(m, b)).toEqual(m);
    }));
  });
  it('holds exactly the union of timestamps, each once, ascending (property)', () => {
    fc.assert(fc.property(arbSeries, arbSeries, (a, b) => {
      const m = mergeSeries(a, b);
      const expected = [...new Set([...tsOf(a), ...tsOf(b)])].sort((x, y) => x - y);
      expect(tsOf(m)).toEqual(expected);
      for (const p of m) expect([...a, ...b]).toContain(p);
    }));
  });
});
