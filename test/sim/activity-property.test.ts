import Big from 'big.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KrakenSim } from '../../src/kraken/sim/index.js';
import type { AccountActivity } from '../../src/kraken/sim/index.js';
import { checkLedgerSums } from '../helpers/ledger-sums.js';

const amount = fc.integer({ min: 1, max: 500_000 }).map((n) => new Big(n).div(100).toString());
const code = fc.constantFrom('XXDG', 'ZUSD');
const op = fc.oneof(
  fc.record({ k: fc.constant('auto' as const), code, on: fc.boolean(), earn: fc.boolean() }),
  fc.record({ k: fc.constant('deposit' as const), code, amount }),
  fc.record({ k: fc.constant('withdraw' as const), code, amount, fails: fc.boolean() }),
  fc.record({ k: fc.constant('trade' as const), buy: fc.boolean(), amount, from: fc.constantFrom('auto' as const, 'spot' as const, 'earn' as const) }),
  fc.record({ k: fc.constant('reward' as const), code, amount }),
  fc.record({ k: fc.constant('purchase' as const), amount }),
  fc.record({ k: fc.constant('stake' as const), amount, to: fc.boolean() }),
  fc.record({ k: fc.constant('futures' as const), code, amount, to: fc.boolean() }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

function apply(a: AccountActivity, o: Op): void {
  switch (o.k) {
    case 'auto':
      a.setAutoEarn(o.code, o.on, { form: o.earn ? 'earn' : 'transfer' });
      return;
    case 'deposit':
      a.deposit(o.code, o.amount);
      return;
    case 'withdraw':
      if (o.fails) a.failedWithdrawal(o.code, o.amount, { fee: '1' });
      else a.withdraw(o.code, o.amount, { fee: '1' });
      return;
    case 'trade':
      a.trade({ side: o.buy ? 'buy' : 'sell', volume: o.amount, price: '0.1', from: o.from });
      return;
    case 'reward':
      a.reward(o.code, o.amount);
      return;
    case 'purchase':
      a.appPurchase({ spend: 'ZUSD', spendAmount: o.amount, fee: '0.1', receive: 'XXDG', receiveAmount: o.amount });
      return;
    case 'stake':
      a.stakingMove('XXDG', o.amount, o.to ? 'to' : 'from');
      return;
    case 'futures':
      a.futuresTransfer(o.code, o.amount, o.to ? 'to' : 'from');
  }
}

describe('sim account activity, any sequence', () => {
  it('keeps balances non-negative and equal to the ledger running sums, earn moves netting to zero', async () => {
    let t = 1_700_000_000_000;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const sim = await KrakenSim.start({ now: () => t, initialBalances: { XXDG: '0', ZUSD: '0' } });
        try {
          for (const o of ops) {
            t += 1000;
            try {
              apply(sim.activity, o);
            } catch (err) {
              // Unfundable moves are refused before writing anything.
              if (!(err instanceof RangeError)) throw err;
            }
          }
          expect(checkLedgerSums(sim).mismatches).toEqual([]);
          for (const v of Object.values(sim.getBalances())) expect(new Big(v).gte(0)).toBe(true);
          const moves = new Map<string, Big>();
          for (const { row } of sim.ledgerRows()) {
            const sub = String(row['subtype']);
            if (!['autoallocate', 'autoallocation', 'deallocation'].includes(sub)) continue;
            const key = String(row['refid']);
            moves.set(key, (moves.get(key) ?? new Big(0)).plus(String(row['amount'])));
          }
          for (const net of moves.values()) expect(net.eq(0)).toBe(true);
        } finally {
          await sim.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});
