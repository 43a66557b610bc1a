import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { downsampleExtremes } from '../../src/equity/downsample.js';
import { arbSeries, seriesOf } from './fixtures.js';

const values = (ps: readonly { doge_eq: number }[]): number[] => ps.map((p) => p.doge_eq);

describe('downsampleExtremes', () => {
  it('keeps each bucket\'s min and max in time order', () => {
    // buckets of 3: [5 1 9] [4 4 4] [2 8]
    expect(values(downsampleExtremes(seriesOf([5, 1, 9, 4, 4, 4, 2, 8]), 3))).toEqual([1, 9, 4, 2, 8]);
  });
  it('keeps a max that comes before the min in its bucket first', () => {
    expect(values(downsampleExtremes(seriesOf([9, 5, 1]), 3))).toEqual([9, 1]);
  });
  it('returns the series unchanged for step <= 1', () => {
    const s = seriesOf([3, 1, 2]);
    expect(downsampleExtremes(s, 1)).toEqual(s);
    expect(downsampleExtremes(s, 0)).toEqual(s);
    expect(downsampleExtremes(s, -4)).toEqual(s);
  });
  it('handles an empty series', () => {
    expect(downsampleExtremes([], 12)).toEqual([]);
  });

  const arbStep = fc.integer({ min: 2, max: 20 });

  it('always keeps the series\' min and max (property)', () => {
    fc.assert(fc.property(arbSeries.filter((s) => s.length > 0), arbStep, (s, step) => {
      const out = values(downsampleExtremes(s, step));
      expect(Math.min(...out)).toBe(Math.min(...values(s)));
      expect(Math.max(...out)).toBe(Math.max(...values(s)));
    }));
  });
  it('keeps time order and only input points (property)', () => {
    fc.assert(fc.property(arbSeries, arbStep, (s, step) => {
      const out = downsampleExtremes(s, step);
      const idx = out.map((p) => s.indexOf(p));
      expect(idx.every((i) => i >= 0)).toBe(true);
      expect(idx).toEqual([...idx].sort((a, b) => a - b));
      expect(new Set(idx).size).toBe(idx.length);
    }));
  });
  it('is at most 2·⌈n/step⌉ long (property)', () => {
    fc.assert(fc.property(arbSeries, arbStep, (s, step) => {
      expect(downsampleExtremes(s, step).length).toBeLessThanOrEqual(2 * Math.ceil(s.length / step));
    }));
  });
});
