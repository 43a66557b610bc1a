import { Big, isDecimalString } from './decimal.js';
import { emptyLedgerBook, type LedgerBook, type LedgerGroup } from './ledger-book-types.js';
import type { RowVerdict } from './groups.js';
import type { FlowTotals } from './state.js';
import type { LedgerRow } from './types.js';

/** Bounds on restored lists (a poll window holds far fewer); guard memory against a corrupt file. */
const GROUPS_MAX = 100_000;
const HELD_MAX = 100_000;
const VERDICTS: readonly RowVerdict[] = ['trading', 'internal', 'income', 'external', 'unclassified', 'skipped', 'awaiting'];

export interface StoredLedgerBook {
  pool: string[];
  first_baseline: { doge: string; usd: string } | null;
  groups: Array<[string, LedgerGroup]>;
  held: LedgerRow[];
  accounted: string | null;
}

export function serializeLedgerBook(book: LedgerBook): StoredLedgerBook {
  return { ...book, groups: [...book.groups] };
}

/**
 * Restores the `ledger` field. A state without it was written before section 15: its baseline covered the
 * spot wallet only (`pool: ['spot']`, so the loop moves the baseline by the other pool wallets once), and
 * its first baseline is the baseline minus the flows already applied to it.
 */
export function restoreLedgerBook(raw: unknown, old: { baseline: { doge: string; usd: string } | null; totals: FlowTotals; unapplied: { base: string; quote: string } }, repairs: string[]): LedgerBook {
  const book = emptyLedgerBook();
  if (!isRecord(raw)) {
    book.pool = ['spot'];
    if (old.baseline !== null) {
      const t = old.totals;
      const appliedBase = new Big(t.base_in).minus(t.base_out).minus(old.unapplied.base);
      const appliedQuote = new Big(t.quote_in).minus(t.quote_out).minus(old.unapplied.quote);
      book.first_baseline = { doge: new Big(old.baseline.doge).minus(appliedBase).toString(), usd: new Big(old.baseline.usd).minus(appliedQuote).toString() };
    }
    return book;
  }
  if (Array.isArray(raw.pool) && raw.pool.every((w) => typeof w === 'string')) book.pool = raw.pool as string[];
  else repairs.push('ledger.pool is malformed; taken as spot,F');
  const fb = raw.first_baseline;
  book.first_baseline = isRecord(fb) && isDecimalString(fb.doge) && isDecimalString(fb.usd) ? { doge: fb.doge, usd: fb.usd } : (old.baseline === null ? null : { doge: old.baseline.doge, usd: old.baseline.usd });
  book.accounted = typeof raw.accounted === 'string' ? raw.accounted.slice(0, 10_000) : null;
  let dropped = 0;
  if (Array.isArray(raw.groups)) {
    for (const entry of raw.groups.slice(-GROUPS_MAX)) {
      const g = Array.isArray(entry) && typeof entry[0] === 'string' ? restoreGroup(entry[1]) : null;
      if (g === null) dropped++;
      else book.groups.set(entry[0] as string, g);
    }
  }
  if (Array.isArray(raw.held)) {
    for (const r of raw.held.slice(-HELD_MAX)) {
      const row = restoreRow(r);
      if (row === null) dropped++;
      else book.held.push(row);
    }
  }
  if (dropped > 0) repairs.push(`dropped ${dropped} malformed ledger group or held row entr${dropped === 1 ? 'y' : 'ies'}`);
  return book;
}

/** The section 15 totals inside `totals`; absent in older states (zero). */
export function restoreSectionTotals(t: Record<string, unknown>): Pick<FlowTotals, 'income' | 'trading' | 'pool_changes' | 'unclassified' | 'internal_moves'> {
  const pair = (v: unknown): { base: string; quote: string } => (isRecord(v) ? { base: dec(v.base), quote: dec(v.quote) } : { base: '0', quote: '0' });
  const income = isRecord(t.income) ? { ...pair(t.income), count: count(t.income.count) } : { base: '0', quote: '0', count: 0 };
  const u = isRecord(t.unclassified) ? t.unclassified : {};
  const types: Record<string, number> = {};
  if (isRecord(u.types)) for (const [k, n] of Object.entries(u.types).slice(0, 1000)) if (count(n) > 0) types[k.slice(0, 64)] = count(n);
  return {
    income,
    trading: pair(t.trading),
    pool_changes: pair(t.pool_changes),
    unclassified: { ...pair(u), rows: count(u.rows), types },
    internal_moves: count(t.internal_moves),
  };
}

function restoreGroup(v: unknown): LedgerGroup | null {
  if (!isRecord(v) || !Array.isArray(v.rows) || !Array.isArray(v.verdict)) return null;
  const rows: LedgerRow[] = [];
  for (const r of v.rows.slice(0, 1000)) {
    const row = restoreRow(r);
    if (row === null) return null;
    rows.push(row);
  }
  if (v.verdict.length > rows.length) return null;
  const verdict: RowVerdict[] = [];
  for (const x of v.verdict) {
    if (!VERDICTS.includes(x as RowVerdict)) return null;
    verdict.push(x as RowVerdict);
  }
  const newest = rows.reduce((m, r) => Math.max(m, r.time), -Infinity);
  return { rows, verdict, internal: v.internal === true, newest: Number.isFinite(newest) ? newest : 0 };
}

function restoreRow(v: unknown): LedgerRow | null {
  if (!isRecord(v) || typeof v.id !== 'string' || typeof v.time !== 'number' || !Number.isFinite(v.time)) return null;
  if (!isDecimalString(v.amount) || !isDecimalString(v.fee) || typeof v.asset !== 'string' || typeof v.type !== 'string') return null;
  return {
    id: v.id,
    refid: str(v.refid),
    time: v.time,
    type: v.type,
    subtype: str(v.subtype),
    asset: v.asset,
    wallet: typeof v.wallet === 'string' ? v.wallet : 'spot',
    amount: v.amount,
    fee: v.fee,
    balance: isDecimalString(v.balance) ? v.balance : null,
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function dec(v: unknown): string {
  return isDecimalString(v) ? v.trim() : '0';
}
function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0;
}
function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
