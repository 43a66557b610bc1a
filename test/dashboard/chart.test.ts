import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as chart from '../../public/chart.js';
import type { FlowMarker, SparkPoint } from '../../src/equity/types.js';
import { DEFAULT_FLOWS, flowMarker, makeStatus, markersInWindow } from '../helpers/status-fixture.js';

const countMarkers = (svg: string): number => (svg.match(/<g class="marker /g) ?? []).length;

describe('chart.js (the shared drawing module)', () => {
  it('escapes the five XML specials', () => {
    expect(chart.escapeXml(`<img src=x onerror="a('b')">&`)).toBe('&#60;img src=x onerror=&#34;a(&#39;b&#39;)&#34;&#62;&#38;');
  });

  it('picks round value ticks', () => {
    expect(chart.niceTicks(0, 97, 5).ticks).toEqual([0, 20, 40, 60, 80, 100]);
    expect(chart.niceTicks(47_123, 53_950, 5).step).toBe(2000);
    const t = chart.niceTicks(0.1234, 0.1281, 5);
    expect(t.ticks.every((v) => Number.isFinite(v))).toBe(true);
    expect(t.step).toBe(0.001);
    expect(chart.niceTicks(5, 5).ticks.length).toBeGreaterThan(1); // flat series still gets an axis
  });

  it('formats numbers with separators and a true minus', () => {
    expect(chart.formatNumber(12345.678, 2)).toBe('12,345.68');
    expect(chart.formatNumber(-3.5, 1)).toBe('\u22123.5');
    expect(chart.formatNumber(-0.001, 2)).toBe('0.00');
    expect(chart.formatNumber(null, 2)).toBe('—');
    expect(chart.formatAmount(5000)).toBe('5,000.00');
    expect(chart.formatAmount(-0.12345678)).toBe('\u22120.12345678');
  });

  it('writes every number as en-US Intl.NumberFormat does, without building one (property)', () => {
    const intl = (min: number, max: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: min, maximumFractionDigits: max });
    const decimals = fc.oneof(
      fc.integer({ min: 0, max: 8 }).map((d) => [d, d] as const),
      fc.constant([2, 8] as const),
    );
    // Doubles of every magnitude, prices and amounts with a few decimals, and exact ties (x.5 at the last place).
    const values = fc.oneof(
      fc.double({ min: 0, max: 1e21, noNaN: true, noDefaultInfinity: true }),
      fc.integer({ min: 0, max: 10 ** 12 }).chain((n) => fc.integer({ min: 0, max: 9 }).map((k) => n / 10 ** k)),
      fc.integer({ min: 0, max: 10 ** 9 }).chain((n) => fc.integer({ min: 1, max: 8 }).map((k) => (n + 0.5) / 10 ** k)),
    );
    fc.assert(
      fc.property(values, decimals, (v, [min, max]) => {
        expect(chart.groupedDecimal(v, min, max)).toBe(intl(min, max).format(v));
      }),
      { numRuns: 20_000 },
    );
    for (const v of [0, 0.5, 1.005, 2.5, 999.995, 999_999.5, 1e20, 1e21, 1.5e22, 123456789.12345678])
      for (const [min, max] of [[0, 0], [2, 2], [2, 8], [8, 8]] as const) expect(chart.groupedDecimal(v, min, max)).toBe(intl(min, max).format(v));
  });

  it('draws both lines, time ticks and exactly the markers in range', () => {
    const s = makeStatus();
    const h = s.equity_history;
    for (const [range, span, points] of [['24h', 86_400, h.sparkline_24h], ['7d', 604_800, h.sparkline_7d]] as const) {
      const svg = chart.buildEquityChartSvg({ points, markers: h.flow_markers, range, width: 900, height: 300, end: s.ts, utc: true });
      expect(svg).toMatch(/<path class="line line-eq" d="M[\d.]+,[\d.]+L/);
      expect(svg).toMatch(/<path class="line line-ex" d="M/);
      expect(countMarkers(svg)).toBe(markersInWindow(h.flow_markers, span, s.ts));
      expect(svg).toMatch(range === '24h' ? />\d\d:00</ : />(Sun|Mon|Tue|Wed|Thu|Fri|Sat) \d{1,2}</);
    }
    expect(markersInWindow(h.flow_markers, 86_400, s.ts)).toBe(3);
    expect(markersInWindow(h.flow_markers, 604_800, s.ts)).toBe(6);
  });

  it('puts amount, asset and ledger id in each marker <title>, escaped', () => {
    const now = 1_700_000_000;
    const evil = flowMarker({ ago: 3600, asset: 'DOGE', net: -42, ledger_id: '<img src=x onerror=alert(1)>' }, now);
    const points: SparkPoint[] = [[now - 7200, 100, 100], [now, 101, 101]];
    const svg = chart.buildEquityChartSvg({ points, markers: [evil], range: '24h', width: 600, height: 200, end: now });
    expect(svg).not.toContain('<img');
    expect(svg).toContain('ledger &#60;img src=x onerror=alert(1)&#62;');
    expect(svg).toMatch(/<title>Withdrawal \u221242\.00 DOGE/);
  });

  it('never writes "−0.00" in a tooltip: a zero amount or value has no sign', () => {
    const m = flowMarker({ ago: 60, asset: 'USD', net: -0.0001, ledger_id: 'LTINY' }, 1e9);
    const text = chart.markerText({ ...m, amount: 0 }, 'DOGE');
    expect(text.title).toBe('Withdrawal 0.00 USD');
    expect(text.lines[0]).toBe('\u2248 0.00 DOGE-eq');
    expect(chart.markerText({ ...m, amount: -0.00000001, doge_eq: -5 }, 'DOGE').title).toBe('Withdrawal \u22120.00000001 USD');
  });

  it('names an income marker as income and shows its wallet (DESIGN 15 fields, when present)', () => {
    const m = flowMarker({ ago: 60, asset: 'USD', net: 0.85, ledger_id: 'LRWD', type: 'earn' }, 1e9);
    const text = chart.markerText({ ...m, category: 'income', wallet: 'F' } as typeof m, 'DOGE', true);
    expect(text.title).toBe('Income +0.85 USD');
    expect(text.lines[1]).toMatch(/ UTC \u00b7 earn \u00b7 F$/);
    expect(chart.markerText(m, 'DOGE').title).toBe('Deposit +0.85 USD'); // an older sidecar: no category
  });

  it('draws a quiet empty chart with fewer than two points', () => {
    const svg = chart.buildEquityChartSvg({ points: [], markers: [flowMarker(DEFAULT_FLOWS[0]!, 1e9)], range: '7d', width: 400, height: 200 });
    expect(svg).toContain('Not enough equity data');
    expect(countMarkers(svg)).toBe(0);
  });

  it('never throws and never emits unescaped payload text, for arbitrary input', () => {
    const text = fc.string({ maxLength: 12 });
    const marker = fc.record({
      ts: fc.integer({ min: 1_699_000_000, max: 1_700_100_000 }),
      type: fc.constantFrom('deposit' as const, 'withdrawal' as const),
      ledger_type: text,
      asset: text,
      amount: fc.double({ noNaN: false }),
      doge_eq: fc.double(),
      ledger_id: text,
    }) as fc.Arbitrary<FlowMarker>;
    const point = fc.tuple(fc.integer({ min: 1_699_000_000, max: 1_700_000_000 }), fc.double(), fc.double()) as fc.Arbitrary<SparkPoint>;
    fc.assert(
      fc.property(fc.array(point, { maxLength: 40 }), fc.array(marker, { maxLength: 6 }), fc.constantFrom('24h' as const, '7d' as const), (pts, mks, range) => {
        const sorted = [...pts].sort((a, b) => a[0] - b[0]);
        const svg = chart.buildEquityChartSvg({ points: sorted, markers: mks, range, width: 500, height: 220, end: 1_700_000_000 });
        // Every "<" starts one of the chart's own tags: payload text cannot open an element.
        const tags = svg.match(/<\/?([a-zA-Z]+)/g) ?? [];
        expect(tags.every((t) => /^<\/?(svg|g|line|text|path|rect|title|circle)$/.test(t))).toBe(true);
        expect(svg).not.toContain('NaN');
      }),
      { numRuns: 150 },
    );
  });
});
