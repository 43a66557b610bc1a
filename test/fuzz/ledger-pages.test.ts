import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Big } from '../../src/recon/decimal.js';
import { applyLedgerPage, beginPoll, completePoll, LEDGER_PAGE_SIZE } from '../../src/recon/flow-poll.js';
import { parseLedgerRow } from '../../src/recon/ledger-row.js';
import { reconcile } from '../../src/recon/reconcile.js';
import { POLICY, rawRow, stateWithBaseline } from '../helpers/recon-fixtures.js';
import { badDecimal, decimalString, defineOwn, junk, LIMITS, prototypeIsClean } from './arbitraries.js';

const T0 = 1_700_000_000;
const REQUIRED = ['time', 'type', 'asset', 'amount', 'fee'] as const;

/** A row that must be applied (or, for other assets and types, at least parsed) as given. */
const validRow = fc.record({
  type: fc.constantFrom('deposit', 'withdrawal', 'trade', 'transfer', 'staking'),
  asset: fc.constantFrom('XXDG', 'ZUSD', 'XDG', 'XXBT', 'XDG.S', 'ZUSD.F'),
  amount: decimalString(8),
  fee: decimalString(4, 50).map((f) => f.replace('-', '')),
  dt: fc.integer({ min: 1, max: 150 }),
});

/** A row broken in at least one required field (or not an object at all). */
const brokenRow = fc.oneof(
  fc.record({ field: fc.constantFrom(...REQUIRED), value: fc.oneof(badDecimal, junk) }).map(({ field, value }) => {
    const row: Record<string, unknown> = { ...rawRow({ time: T0 + 5 }) };
    // time, type and asset are broken by a value of the wrong kind; amounts and fees by a non-decimal.
    const looksDecimal = typeof value === 'string' && /^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/.test(value);
    const bad =
      field === 'time'
        ? (typeof value === 'number' && value > 0 && Number.isFinite(value)) || looksDecimal ? 'later' : value
        : field === 'type' || field === 'asset'
          ? typeof value === 'string' && value.trim() !== '' ? 7 : value
          : looksDecimal ? 'x' : value;
    defineOwn(row, field, bad);
    return row as unknown;
  }),
  junk.filter((j) => typeof j !== 'object' || j === null || Array.isArray(j) || !Object.prototype.hasOwnProperty.call(j, 'amount')),
);

/** Amounts that look decimal to a loose eye: signs, spaces, bare dots. */
const nearDecimalRow = fc
  .record({ amount: fc.stringMatching(/^\s?[+-]?(\d{1,4}\.?\d{0,4}|\.\d{1,4})\s?$/), fee: fc.stringMatching(/^\s?[+-]?\d{1,2}(\.\d{0,2})?\s?$/) })
  .map(({ amount, fee }) => rawRow({ amount, fee, time: T0 + 5 }) as unknown);

const entry = fc.oneof(
  { weight: 3, arbitrary: validRow.map((v) => ({ kind: 'valid' as const, v })) },
  { weight: 2, arbitrary: brokenRow.map((raw) => ({ kind: 'broken' as const, raw })) },
);

const weirdIds = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', ' ', '', 'L'.repeat(5000), '💥-id'];

describe('fuzz: ledger rows and pages', () => {
  it('parseLedgerRow never throws, and what it accepts is exact and usable', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom(...weirdIds)), fc.oneof(junk, brokenRow, validRow.map((v) => rawRow({ ...v, time: T0 + v.dt })), nearDecimalRow), (id, raw) => {
        const r = parseLedgerRow(id, raw);
        if (r.ok) {
          expect(Number.isFinite(r.row.time) && r.row.time > 0).toBe(true);
          // Amounts that pass must be exact decimals the decimal library takes as they are.
          expect(() => new Big(r.row.amount).minus(r.row.fee)).not.toThrow();
        } else {
          expect(r.kind).toMatch(/^malformed_/);
        }
      }),
      LIMITS,
    );
    expect(prototypeIsClean()).toBe(true);
  });

  it('amounts the decimal library cannot read are skipped, never fatal to the page', () => {
    for (const amount of ['+5.00000000', ' 5.0', '5.0 ', '+.5']) {
      const state = stateWithBaseline(T0);
      beginPoll(state, T0 + 100, POLICY);
      const page = { LPLUS1: rawRow({ amount, time: T0 + 5 }), LGOOD1: rawRow({ amount: '7.00000000', time: T0 + 6 }) };
      expect(() => applyLedgerPage(state, page, 0.1, T0 + 100, POLICY), amount).not.toThrow();
      expect(state.baseline?.doge).toBe('1007');
    }
  });

  it('mixed pages move the baseline by the valid flow rows only, once, even when read twice', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 160 }), fc.subarray(weirdIds), fc.integer({ min: 1, max: 3 }), (entries, extraIds, passes) => {
        const state = stateWithBaseline(T0);
        const rows: Array<{ id: string; raw: unknown; time: number }> = [];
        let wantDoge = new Big(1000);
        let wantUsd = new Big(100);
        let wantCount = 0;
        entries.forEach((e, i) => {
          const id = `L${String(i).padStart(6, '0')}`;
          if (e.kind === 'broken') {
            rows.push({ id, raw: e.raw, time: T0 + 1 });
            return;
          }
          const time = T0 + e.v.dt;
          rows.push({ id, raw: rawRow({ type: e.v.type, asset: e.v.asset, amount: e.v.amount, fee: e.v.fee, time }), time });
          // The pool is spot and F (EQUITY_WALLETS default); DOGE.S is outside it. Every type but trade moves the
          // baseline: deposits, withdrawals and lone transfers as external flows, staking as income (section 15).
          const pool = e.v.asset === 'XXDG' || e.v.asset === 'XDG' || e.v.asset === 'ZUSD' || e.v.asset === 'ZUSD.F';
          if (e.v.type !== 'trade' && pool) {
            const net = new Big(e.v.amount).minus(e.v.fee);
            if (e.v.asset.startsWith('ZUSD')) wantUsd = wantUsd.plus(net);
            else wantDoge = wantDoge.plus(net);
            if (e.v.type !== 'staking') wantCount++;
          }
        });
        // Junk under hostile ids (own `__proto__` keys included) rides along in the first page.
        const junkIds = extraIds.map((id) => ({ id, raw: { type: 'deposit', asset: 'XXDG', amount: 'x', fee: '0', time: T0 + 1 }, time: T0 + 1 }));
        const all = [...junkIds, ...rows];

        for (let pass = 0; pass < passes; pass++) {
          const pending = beginPoll(state, T0 + 200, POLICY);
          for (let ofs = 0; ; ofs += LEDGER_PAGE_SIZE) {
            const page: Record<string, unknown> = {};
            for (const r of all.slice(ofs, ofs + LEDGER_PAGE_SIZE)) defineOwn(page, r.id, r.raw);
            expect(pending.ofs).toBe(ofs);
            const result = applyLedgerPage(state, page, 0.1, T0 + 200, POLICY);
            if (result.complete) break;
          }
          completePoll(state, T0 + 200, POLICY);
        }
        const baseline = state.baseline;
        expect(baseline !== null && new Big(baseline.doge).eq(wantDoge) && new Big(baseline.usd).eq(wantUsd), `${baseline?.doge} ${baseline?.usd} vs ${wantDoge.toString()} ${wantUsd.toString()}`).toBe(true);
        expect(state.totals.count).toBe(wantCount);
        // The figures built from this state are finite numbers.
        const figures = reconcile({ price: 0.1, balances: { base: baseline?.doge ?? '0', quote: baseline?.usd ?? '0' }, baseline, botPnlUsd: 0, totals: state.totals, unapplied: state.unapplied, thresholdPct: 1 });
        expect(Number.isFinite(figures.adjusted_drift_doge ?? NaN)).toBe(true);
      }),
      { ...LIMITS, numRuns: 80 },
    );
    expect(prototypeIsClean()).toBe(true);
  });
});
