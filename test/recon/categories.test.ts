import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CATEGORY_TABLE, categoryOf, categoryTableMarkdown, DEFAULT_CATEGORY_MAP, withOverrides } from '../../src/recon/categories.js';
import { classifyGroup, type GroupContext } from '../../src/recon/groups.js';
import { parseLedgerRow } from '../../src/recon/ledger-row.js';
import type { LedgerRow } from '../../src/recon/types.js';
import { isKnownWallet } from '../../src/kraken/assets.js';
import { rawRow, type RawRow } from '../helpers/recon-fixtures.js';

const CTX: GroupContext = { categories: DEFAULT_CATEGORY_MAP, pool: { base: 'DOGE', quote: 'USD', wallets: ['spot', 'F'] }, knownWallet: isKnownWallet };
let n = 0;
function row(o: Partial<RawRow>): LedgerRow {
  const r = parseLedgerRow(`L${++n}`, rawRow({ refid: 'G', ...o }));
  if (!r.ok) throw new Error('fixture should parse');
  return r.row;
}
const verdicts = (rows: LedgerRow[], ctx = CTX, final = false): string[] => {
  const v = classifyGroup(rows, ctx, final);
  return rows.map((_, i) => v.rows[i] ?? '?');
};

describe('the category table (DESIGN.md section 15)', () => {
  it('maps every documented type, and subtypes where they decide', () => {
    expect(categoryOf(DEFAULT_CATEGORY_MAP, 'trade', 'tradespot')).toBe('trading');
    expect(categoryOf(DEFAULT_CATEGORY_MAP, 'transfer', 'autoallocate')).toBe('internal');
    expect(categoryOf(DEFAULT_CATEGORY_MAP, 'earn', 'autoallocation')).toBe('internal');
    expect(categoryOf(DEFAULT_CATEGORY_MAP, 'earn', 'reward')).toBe('income');
    expect(categoryOf(DEFAULT_CATEGORY_MAP, 'transfer', 'spottofutures')).toBe('external');
    expect(categoryOf(DEFAULT_CATEGORY_MAP, 'invite bonus', '')).toBe('income');
    expect(categoryOf(DEFAULT_CATEGORY_MAP, 'nftrebate', '')).toBe('unclassified');
  });

  it('LEDGER_CATEGORY_OVERRIDES and FLOW_TYPES merge into the table once', () => {
    const map = withOverrides({ credit: 'external', margin: 'external' }, ['deposit', 'withdrawal', 'transfer']);
    expect(categoryOf(map, 'credit', '')).toBe('external');
    expect(categoryOf(map, 'margin', '')).toBe('external');
    expect(categoryOf(map, 'transfer', 'spottostaking')).toBe('external');
    expect(categoryOf(DEFAULT_CATEGORY_MAP, 'credit', '')).toBe('income'); // the default table is untouched
  });

  it('the README shows exactly this table', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(categoryTableMarkdown());
    expect(CATEGORY_TABLE.length).toBeGreaterThan(20);
  });
});

describe('classification by refid group', () => {
  it('an Auto Earn pair (spot −x, .F +x) is one internal move; its first leg alone waits for the second', () => {
    const out = row({ type: 'transfer', subtype: 'autoallocate', asset: 'ZUSD', amount: '-25.0000' });
    const into = row({ type: 'transfer', subtype: 'autoallocate', asset: 'USD.F', amount: '25.0000' });
    expect(verdicts([out, into])).toEqual(['internal', 'internal']);
    expect(classifyGroup([out, into], CTX, false).internal).toBe(true);
    expect(verdicts([out])).toEqual(['awaiting']);
    expect(verdicts([out], CTX, true)).toEqual(['external']); // the partner never came: money left the pool
  });

  it('a trade whose fiat leg rounded away is still trading; one on another pair is external', () => {
    expect(verdicts([row({ type: 'trade', asset: 'XXDG', amount: '-0.00000001' })])).toEqual(['trading']);
    expect(verdicts([row({ type: 'trade', asset: 'XXDG', amount: '-100' }), row({ type: 'trade', asset: 'XXBT', amount: '0.0001' })])).toEqual(['external', 'skipped']);
    expect(verdicts([row({ type: 'trade', asset: 'XDG.F', amount: '-100' }), row({ type: 'trade', asset: 'ZUSD', amount: '10' })])).toEqual(['trading', 'trading']);
  });

  it('a staking move is external unless S is in the pool, then internal', () => {
    const rows = [row({ type: 'transfer', subtype: 'spottostaking', asset: 'XXDG', amount: '-50' }), row({ type: 'transfer', subtype: 'stakingfromspot', asset: 'XDG.S', amount: '50' })];
    expect(verdicts(rows)).toEqual(['external', 'skipped']);
    expect(verdicts(rows, { ...CTX, pool: { ...CTX.pool, wallets: ['spot', 'F', 'S'] } })).toEqual(['internal', 'internal']);
  });

  it('income, app purchases, unknown types and unseen wallets', () => {
    expect(verdicts([row({ type: 'earn', subtype: 'reward', asset: 'USD.F', amount: '0.0100' })])).toEqual(['income']);
    expect(verdicts([row({ type: 'spend', asset: 'ZUSD', amount: '-29.55', fee: '0.45' }), row({ type: 'receive', asset: 'XXDG', amount: '190' })])).toEqual(['external', 'external']);
    expect(verdicts([row({ type: 'mystery', asset: 'XXDG', amount: '2' })])).toEqual(['unclassified']);
    expect(verdicts([row({ type: 'deposit', asset: 'XDG.Q', amount: '2' })])).toEqual(['skipped']);
  });
});
