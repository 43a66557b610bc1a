// The pure waterfall module (public/waterfall.js): bars, axis, geometry and SVG, in Node.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as wf from '../../public/waterfall.js';

const RF = { baseline: 40_000, pool_changes: 0, flows: 13_225, income: 120.5, bot_pnl: 250, unexplained: -135.25, current: 53_460.25 };

describe('waterfall.js formatting', () => {
  it('never puts a sign on zero or on what rounds to zero', () => {
    expect(wf.formatNumber(0)).toBe('0.00');
    expect(wf.formatNumber(-0)).toBe('0.00');
    expect(wf.formatNumber(-0.004)).toBe('0.00');
    expect(wf.formatSigned(0.004)).toBe('0.00');
    expect(wf.formatSigned(-0.0049)).toBe('0.00');
    expect(wf.formatSigned(-0.005)).toBe('\u22120.01');
    expect(wf.formatSigned(1234.5)).toBe('+1,234.50');
    expect(wf.formatNumber(-1234.5, 0)).toBe('\u22121,235');
    expect(wf.formatNumber(Number.NaN)).toBe('—');
  });
});

describe('waterfall.js inputs', () => {
  it('reads a roll-forward; pool changes only when non-zero', () => {
    const input = wf.rollForwardInput(RF)!;
    expect(input.start).toEqual({ key: 'baseline', label: 'First baseline', value: 40_000 });
    expect(input.steps.map((s) => s.key)).toEqual(['flows', 'income', 'bot_pnl', 'unexplained']);
    expect(input.end.value).toBe(53_460.25);
    const pooled = wf.rollForwardInput({ ...RF, pool_changes: 500, current: RF.current + 500 })!;
    expect(pooled.steps.map((s) => s.key)).toEqual(['pool_changes', 'flows', 'income', 'bot_pnl', 'unexplained']);
    expect(wf.rollForwardInput({ ...RF, pool_changes: undefined })!.steps).toHaveLength(4);
  });

  it('returns null for a missing or malformed roll-forward (the page shows a placeholder)', () => {
    expect(wf.rollForwardInput(null)).toBeNull();
    expect(wf.rollForwardInput(undefined)).toBeNull();
    expect(wf.rollForwardInput({ ...RF, income: '120.5' })).toBeNull();
    expect(wf.rollForwardInput({ ...RF, current: Number.NaN })).toBeNull();
  });

  it('reads a report period: flows = deposits − withdrawals, "Now" for the open period, null when incomplete', () => {
    const row = {
      start_usd: 1000, price_effect_usd: -40, deposits_usd: 300, withdrawals_usd: 100, income_usd: 2.5, bot_pnl_usd: 12,
      unexplained_usd: -0.5, end_usd: 1174, open: true,
    };
    const input = wf.periodInput(row)!;
    expect(input.steps.map((s) => [s.key, s.value])).toEqual([['price_effect', -40], ['flows', 200], ['income', 2.5], ['bot_pnl', 12], ['unexplained', -0.5]]);
    expect(input.end.label).toBe('Now');
    expect(wf.waterfallBars(input).gap).toBeCloseTo(0, 9);
    expect(wf.periodInput({ ...row, open: false })!.end.label).toBe('End');
    expect(wf.periodInput({ ...row, complete: false })).toBeNull();
    expect(wf.periodInput({ ...row, end_usd: null })).toBeNull();
  });
});

describe('waterfall.js bars and axis', () => {
  it('chains each step from the previous level and classifies its direction', () => {
    const { bars, gap } = wf.waterfallBars(wf.rollForwardInput({ ...RF, income: 0.001, current: RF.current - 120.499 })!);
    expect(bars.map((b) => b.kind)).toEqual(['total', 'up', 'zero', 'up', 'down', 'total']);
    for (let i = 2; i < bars.length - 1; i += 1) expect(bars[i]!.from).toBe(bars[i - 1]!.to);
    expect(gap).toBeCloseTo(0, 9);
    // An end total that does not match start + steps is reported, not hidden.
    expect(wf.waterfallBars({ ...wf.rollForwardInput(RF)!, end: { key: 'current', label: 'Current', value: RF.current + 7 } }).gap).toBeCloseTo(7, 9);
  });

  it('cuts the axis when every level is far from zero, and draws from zero otherwise', () => {
    const far = wf.waterfallDomain(wf.waterfallBars(wf.rollForwardInput(RF)!).bars);
    expect(far.cut).toBe(true);
    expect(far.lo).toBeGreaterThan(0);
    expect(far.anchor).toBe(far.lo);
    const near = wf.waterfallDomain(wf.waterfallBars(wf.rollForwardInput({ ...RF, baseline: 100, current: 13_660.25 })!).bars);
    expect(near).toMatchObject({ lo: 0, anchor: 0, cut: false });
    const negative = wf.waterfallDomain(wf.waterfallBars({ start: { key: 's', label: 'S', value: -5000 }, steps: [{ key: 'a', label: 'A', value: 10 }], end: { key: 'e', label: 'E', value: -4990 } }).bars);
    expect(negative.cut).toBe(true);
    expect(negative.anchor).toBe(negative.hi);
  });
});

/** Arbitrary roll-forwards whose terms sum to current (as the contract guarantees). */
const rollForward = fc
  .record({
    baseline: fc.double({ min: 0, max: 1e7, noNaN: true }),
    // Zero, or a change the page shows: below 1e-9 (the identity's own tolerance) the step is left out as noise.
    pool_changes: fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 1e5, noNaN: true }), fc.double({ min: -1e5, max: -1e-6, noNaN: true })),
    flows: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    income: fc.double({ min: 0, max: 1e4, noNaN: true }),
    bot_pnl: fc.double({ min: -1e5, max: 1e5, noNaN: true }),
    unexplained: fc.double({ min: -1e4, max: 1e4, noNaN: true }),
  })
  .map((r) => ({ ...r, current: r.baseline + r.pool_changes + r.flows + r.income + r.bot_pnl + r.unexplained }));

describe('waterfall.js geometry', () => {
  it('every step starts where the previous ended and the last ends at the end total, at any width', () => {
    fc.assert(
      fc.property(rollForward, fc.integer({ min: 220, max: 1600 }), (rf, width) => {
        const { bars } = wf.waterfallBars(wf.rollForwardInput(rf)!);
        const L = wf.waterfallLayout(bars, { width });
        const rows = L.rows;
        for (let i = 1; i < rows.length - 1; i += 1) expect(Math.abs(rows[i]!.startX - rows[i - 1]!.endX)).toBeLessThan(1e-6 * width);
        expect(Math.abs(rows[rows.length - 2]!.endX - rows[rows.length - 1]!.endX)).toBeLessThan(1e-6 * width + 1e-6);
        for (const r of rows) {
          // Bars stay between the label column and the value column (a minimum-width bar at an edge included).
          expect(r.x).toBeGreaterThanOrEqual(L.labelW - 1e-9);
          expect(r.x + r.w).toBeLessThanOrEqual(L.width - L.valueW + 1e-9);
          expect(r.w).toBeGreaterThan(0);
        }
        // One row per term, stacked: labels can never overlap.
        for (let i = 1; i < rows.length; i += 1) expect(rows[i]!.y).toBeGreaterThanOrEqual(rows[i - 1]!.y + rows[i - 1]!.h);
      }),
      { numRuns: 500 },
    );
  });

  it('fits the label and value columns into 329 px (a 375 px phone card)', () => {
    const L = wf.waterfallLayout(wf.waterfallBars(wf.rollForwardInput({ ...RF, pool_changes: -1234.5, current: RF.current - 1234.5 })!).bars, { width: 329 });
    expect(L.width).toBe(329);
    expect(L.plotW).toBeGreaterThanOrEqual(120);
    expect(L.rows.map((r) => r.text)).toEqual(['40,000.00', '\u22121,234.50', '+13,225.00', '+120.50', '+250.00', '\u2212135.25', '52,225.75']);
  });
});

describe('waterfall.js SVG', () => {
  it('draws one row per term with signed values, negative steps outlined, and escapes every label', () => {
    const input = wf.rollForwardInput(RF)!;
    input.steps[0]!.label = '<img src=x onerror=alert(1)>';
    const svg = wf.buildWaterfallSvg({ input, width: 600, unit: 'DOGE-eq', title: 'Since baseline' });
    expect(svg).not.toContain('<img');
    expect(svg).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(svg.match(/<g class="wf-row /g)).toHaveLength(6);
    expect(svg).toMatch(/<g class="wf-row wf-down" data-key="unexplained"[^>]*>.*?fill-opacity="0\.28" stroke=/);
    expect(svg).toContain('>\u2212135.25</text>');
    expect(svg).toContain('>+250.00</text>');
    expect(svg).toContain('Bars start at');
    expect(svg).toMatch(/aria-label="Since baseline \(DOGE-eq\): First baseline 40,000\.00, /);
    expect(svg).toContain('data-gap="0"');
  });

  it('draws a zero step as a thin tick with an unsigned 0.00', () => {
    const svg = wf.buildWaterfallSvg({ input: wf.rollForwardInput({ ...RF, income: 0, current: RF.current - 120.5 })!, width: 500 });
    expect(svg).toMatch(/<g class="wf-row wf-zero" data-key="income"[^>]*>.*?width="1\.50".*?>0\.00<\/text>/);
    expect(svg).not.toContain('\u22120.00');
    expect(svg).not.toContain('+0.00');
  });
});

describe('waterfall.js on hostile input', () => {
  const term = fc.oneof(fc.double(), fc.constant(null), fc.constant(undefined), fc.string(), fc.integer(), fc.constant(-0), fc.constant(1e300));
  const rfLike = fc.record({ baseline: term, pool_changes: term, flows: term, income: term, bot_pnl: term, unexplained: term, current: term });
  const rowLike = fc.record({
    start_usd: term, price_effect_usd: term, deposits_usd: term, withdrawals_usd: term, income_usd: term, bot_pnl_usd: term,
    unexplained_usd: term, end_usd: term, open: fc.anything(), complete: fc.anything(),
  });

  it('never throws, and never draws NaN or Infinity, whatever the payload holds', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), rfLike, rowLike), fc.integer({ min: -10, max: 5000 }), (v, width) => {
        for (const input of [wf.rollForwardInput(v), wf.periodInput(v)]) {
          if (input === null) continue;
          const svg = wf.buildWaterfallSvg({ input, width });
          expect(svg).not.toMatch(/NaN|Infinity/);
          expect(svg.match(/<g class="wf-row /g)!.length).toBe(input.steps.length + 2);
        }
      }),
      { numRuns: 400 },
    );
  });
});
