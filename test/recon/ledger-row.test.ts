import { describe, expect, it } from 'vitest';
import { parseLedgerRow } from '../../src/recon/ledger-row.js';
import { rawRow } from '../helpers/recon-fixtures.js';

describe('parseLedgerRow', () => {
  it('accepts a Kraken row and normalises its asset code', () => {
    const r = parseLedgerRow('LABCDE-FGHIJ-KLMNOP', rawRow({ asset: 'XXDG', type: 'Deposit', time: 1688464484.1787 }));
    expect(r).toEqual({
      ok: true,
      row: expect.objectContaining({ id: 'LABCDE-FGHIJ-KLMNOP', asset: 'DOGE', wallet: 'spot', type: 'deposit', time: 1688464484.1787, amount: '100.00000000' }),
    });
  });

  it.each([
    ['an empty id', '', rawRow(), 'malformed_missing_id'],
    ['a non-object row', 'L1', 'nope', 'malformed_not_object'],
    ['an array row', 'L1', [], 'malformed_not_object'],
    ['a missing time', 'L1', { ...rawRow(), time: undefined }, 'malformed_time'],
    ['a non-numeric time', 'L1', rawRow({ time: 'soon' as unknown as number }), 'malformed_time'],
    ['a missing type', 'L1', { ...rawRow(), type: undefined }, 'malformed_type'],
    ['a missing asset', 'L1', { ...rawRow(), asset: '' }, 'malformed_asset'],
    ['a non-numeric amount', 'L1', rawRow({ amount: 'lots' }), 'malformed_amount'],
    ['a float amount (not a decimal string)', 'L1', { ...rawRow(), amount: 1.5 }, 'malformed_amount'],
    ['a missing fee', 'L1', { ...rawRow(), fee: undefined }, 'malformed_fee'],
    ['a NaN fee', 'L1', rawRow({ fee: 'NaN' }), 'malformed_fee'],
  ])('rejects %s', (_what, id, raw, kind) => {
    expect(parseLedgerRow(id, raw)).toEqual({ ok: false, kind });
  });
});
