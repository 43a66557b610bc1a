import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildReport, recordSample, restoreReportsState } from '../../src/reports/index.js';
import { sample, T0, UTC_DAYS } from './fixtures.js';

describe('fuzz: a saved reports field in any shape', () => {
  const good = { period_sec: 86_400, tz: 'UTC', first_start: T0, anchor: sample(), closes: [sample(), sample({ ts: T0 + 90_000 })], last_ts: T0 + 90_000 };
  const times = fc.oneof(fc.double(), fc.constantFrom(0, -1, 1e13, -1e20, T0, T0 - 3e9, Number.MAX_VALUE));
  const mangled = fc.oneof(
    fc.record({ ...Object.fromEntries(Object.keys(good).map((k) => [k, fc.constant((good as Record<string, unknown>)[k])])), first_start: times, last_ts: times }),
    fc.array(times.map((ts) => sample({ ts })), { maxLength: 4 }).map((closes) => ({ ...good, closes })),
    fc.anything(),
    fc.record({ period_sec: fc.anything(), tz: fc.anything(), first_start: fc.anything(), anchor: fc.anything(), closes: fc.array(fc.anything(), { maxLength: 5 }), last_ts: fc.anything() }, { requiredKeys: [] }),
    fc.constantFrom(...Object.keys(good)).chain((k) => fc.anything().map((v) => ({ ...good, [k]: v }))),
    fc.nat({ max: 2 }).chain((i) => fc.dictionary(fc.constantFrom('ts', 'price', 'base', 'quote', 'epoch', 'flows_in', 'income', 'bot_pnl_usd'), fc.anything()).map((over) => ({ ...good, closes: good.closes.map((c, j) => (j === i ? { ...c, ...over } : c)) }))),
  );

  it('restores without throwing, keeps only well-formed samples in order, and every row built from it sums', () => {
    fc.assert(
      fc.property(mangled, fc.constantFrom(UTC_DAYS, { ...UTC_DAYS, tz: 'Europe/Berlin' }, { ...UTC_DAYS, periodSec: 3600 }), (raw, cfg) => {
        const repairs: string[] = [];
        const state = restoreReportsState(raw, repairs);
        for (let i = 1; i < state.closes.length; i++) expect((state.closes[i]?.ts ?? 0) >= (state.closes[i - 1]?.ts ?? 0)).toBe(true);
        expect(buildReport(state, cfg).periods.length).toBeLessThanOrEqual(2001);
        const next = recordSample(state, sample({ ts: T0 + 100_000 }), T0 + 100_000, cfg).state;
        for (const p of buildReport(next, cfg).periods) {
          if (!p.complete) continue;
          const sum = (p.start_usd ?? 0) + (p.price_effect_usd ?? 0) + (p.deposits_usd ?? 0) - (p.withdrawals_usd ?? 0) + (p.income_usd ?? 0) + (p.bot_pnl_usd ?? 0) + (p.unexplained_usd ?? 0);
          expect(Math.abs(sum - (p.end_usd ?? NaN))).toBeLessThan(1e-6);
        }
      }),
      { numRuns: 300 },
    );
  });
});
