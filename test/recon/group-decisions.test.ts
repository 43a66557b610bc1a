import { describe, expect, it } from 'vitest';
import { DEFAULT_CATEGORY_MAP } from '../../src/recon/categories.js';
import { classifyGroup, type GroupContext } from '../../src/recon/groups.js';
import { parseLedgerRow } from '../../src/recon/ledger-row.js';
import type { LedgerRow } from '../../src/recon/types.js';
import { isKnownWallet } from '../../src/kraken/assets.js';
import { rawRow, type RawRow } from '../helpers/recon-fixtures.js';

const SPOT_ONLY: GroupContext = { categories: DEFAULT_CATEGORY_MAP, pool: { base: 'DOGE', quote: 'USD', wallets: ['spot'] }, knownWallet: isKnownWallet };
let n = 0;
function row(o: Partial<RawRow>): LedgerRow {
  const r = parseLedgerRow(`R${++n}`, rawRow({ refid: 'G', ...o }));
  if (!r.ok) throw new Error('fixture should parse');
  return r.row;
}
const verdicts = (rows: LedgerRow[], ctx: GroupContext, final = false): string[] => {
  const v = classifyGroup(rows, ctx, final);
  return rows.map((_, i) => v.rows[i] ?? '?');
};

describe('refid groups decide as soon as their legs do', () => {
  it('an Auto Earn pair with .F outside the pool is external at once, not held until the window passes', () => {
    const out = row({ type: 'transfer', subtype: 'autoallocate', asset: 'ZUSD', amount: '-25.0000' });
    const into = row({ type: 'transfer', subtype: 'autoallocate', asset: 'USD.F', amount: '25.0000' });
    // Both legs are here and one is outside the pool: no later leg can make the group internal.
    expect(verdicts([out, into], SPOT_ONLY)).toEqual(['external', 'skipped']);
    // The first leg alone may still meet an in-pool partner: it waits.
    expect(verdicts([out], SPOT_ONLY)).toEqual(['awaiting']);
  });
});
