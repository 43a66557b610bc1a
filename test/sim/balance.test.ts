import Big from 'big.js';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { KrakenSim } from '../../src/kraken/sim/index.js';
import { ledgerOf, privateCall } from '../helpers/sim-client.js';

const ASSETS = [
  { code: 'XXDG', decimals: 8 },
  { code: 'ZUSD', decimals: 4 },
  { code: 'XXBT', decimals: 8 },
  { code: 'XDG.S', decimals: 8 },
] as const;

/** A ledger row whose amount and fee already sit on the asset's wire decimals. */
const rowArb = fc
  .record({
    asset: fc.constantFrom(...ASSETS),
    units: fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }),
    feeUnits: fc.integer({ min: 0, max: 10_000_000 }),
    type: fc.constantFrom('deposit', 'withdrawal', 'trade', 'staking', 'transfer'),
    time: fc.integer({ min: 1_600_000_000, max: 1_700_000_000 }),
  })
  .map((r) => ({
    type: r.type,
    asset: r.asset.code,
    amount: new Big(r.units).div(10 ** r.asset.decimals).toFixed(r.asset.decimals),
    fee: new Big(r.feeUnits).div(10 ** r.asset.decimals).toFixed(r.asset.decimals),
    time: r.time,
  }));

describe('sim balances stay consistent with the ledger', () => {
  let sim: KrakenSim | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });
  const creds = KrakenSim.generateKey();

  it('balance == initial + Σ(amount − fee) for any row sequence, and each row carries its running balance', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rowArb, { maxLength: 40 }), async (rows) => {
        const initial = { XXDG: '1000', ZUSD: '500.25' };
        const s = await KrakenSim.start({ keys: [creds], initialBalances: initial, maxCounter: 1000 });
        try {
          const expected = new Map<string, Big>(Object.entries(initial).map(([k, v]) => [k, new Big(v)]));
          for (const row of rows) {
            const stored = s.addLedgerRow(row);
            const next = (expected.get(row.asset) ?? new Big(0)).plus(row.amount).minus(row.fee);
            expected.set(row.asset, next);
            expect(new Big(stored.balance).eq(next)).toBe(true);
          }
          const reply = await privateCall(s, creds, 'Balance');
          const balances = reply.body.result as Record<string, string>;
          expect(Object.keys(balances).sort()).toEqual([...expected.keys()].sort());
          for (const [code, value] of expected) expect(new Big(balances[code] ?? 'NaN').eq(value)).toBe(true);
        } finally {
          await s.close();
        }
      }),
      { numRuns: 40, interruptAfterTimeLimit: 20_000 },
    );
  });

  it('formats fiat with 4 decimals and crypto with 8, rounding inputs to them', async () => {
    sim = await KrakenSim.start({ keys: [creds], initialBalances: { XXDG: 1.5, ZUSD: '100', XXBT: '0.123456789' } });
    sim.addLedgerRow({ type: 'deposit', asset: 'ZUSD', amount: '0.00005' });
    expect(sim.getBalances()).toEqual({ XXDG: '1.50000000', ZUSD: '100.0001', XXBT: '0.12345679' });
  });

  it('defaults to zero base and quote balances', async () => {
    sim = await KrakenSim.start({ keys: [creds] });
    expect((await privateCall(sim, creds, 'Balance')).body.result).toEqual({ XXDG: '0.00000000', ZUSD: '0.0000' });
  });

  it('setBalance moves a balance without a ledger row (simulated unexplained drift)', async () => {
    sim = await KrakenSim.start({ keys: [creds], initialBalances: { XXDG: '10' } });
    sim.setBalance('XXDG', '7');
    sim.setBalance('XETH', '0.5');
    expect(sim.getBalances()).toEqual({ XXDG: '7.00000000', XETH: '0.50000000' });
    expect(ledgerOf(await privateCall(sim, creds, 'Ledgers')).count).toBe(0);
    const row = sim.addLedgerRow({ type: 'deposit', asset: 'XXDG', amount: '1' });
    expect(row.balance).toBe('8.00000000');
  });
});
