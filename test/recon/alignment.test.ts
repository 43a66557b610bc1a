import { describe, expect, it } from 'vitest';
import { rowsCoverRead, splitByBalanceRead } from '../../src/recon/alignment.js';
import { parseLedgerRow } from '../../src/recon/ledger-row.js';
import type { LedgerRow } from '../../src/recon/types.js';
import { rawRow, type RawRow } from '../helpers/recon-fixtures.js';

const READ = 1_700_000_100;
let n = 0;
function row(o: Partial<RawRow>): LedgerRow {
  const r = parseLedgerRow(`L${++n}`, rawRow({ type: 'trade', ...o }));
  if (!r.ok) throw new Error('fixture should parse');
  return r.row;
}
const ids = (rows: LedgerRow[]): string[] => rows.map((r) => r.id);

describe('alignment of ledger rows with the balance read (section 15)', () => {
  it('rows clearly before the read are ready, rows clearly after it wait', () => {
    const before = row({ time: READ - 10 });
    const after = row({ time: READ + 10 });
    const out = splitByBalanceRead([before, after], { ts: READ, amounts: new Map() });
    expect(ids(out.ready)).toEqual([before.id]);
    expect(ids(out.wait)).toEqual([after.id]);
  });

  it('a same-second row is settled by its balance: in the read when the amount is its balance', () => {
    const r = row({ time: READ, asset: 'XXDG', amount: '-700', balance: '9300' });
    expect(ids(splitByBalanceRead([r], { ts: READ, amounts: new Map([['DOGE.spot', '9300']]) }).ready)).toEqual([r.id]);
    // The balances still show the amount before it: written after the read, although its time says "same second".
    expect(ids(splitByBalanceRead([r], { ts: READ, amounts: new Map([['DOGE.spot', '10000']]) }).wait)).toEqual([r.id]);
  });

  it('rows of one time are one booking: a deposit and the Auto Earn sweep it set off are in the read together, whatever their ids', () => {
    const parse = (id: string, o: Partial<RawRow>): LedgerRow => {
      const r = parseLedgerRow(id, rawRow(o));
      if (!r.ok) throw new Error('fixture should parse');
      return r.row;
    };
    // The sweep's id sorts before the deposit's: by id alone the deposit would seem written after the read.
    const sweepOut = parse('LA-SWEEP-OUT', { refid: 'E1', time: READ, type: 'earn', subtype: 'autoallocation', asset: 'ZUSD', amount: '-513.0000', balance: '0.0000' });
    const sweepIn = parse('LA-SWEEP-IN', { refid: 'E1', time: READ, type: 'earn', subtype: 'autoallocation', asset: 'USD.F', amount: '513.0000', balance: '6371.8612' });
    const deposit = parse('LZ-DEPOSIT', { refid: 'D1', time: READ, type: 'deposit', asset: 'ZUSD', amount: '513.0000', balance: '513.0000' });
    const read = { ts: READ, amounts: new Map([['USD.spot', '0'], ['USD.F', '6371.8612']]) };
    const out = splitByBalanceRead([sweepOut, deposit, sweepIn], read);
    expect(ids(out.ready).sort()).toEqual([deposit.id, sweepIn.id, sweepOut.id].sort());
    expect(out.wait).toEqual([]);
    // The read before both: spot reads 0 either way, but the sweep's .F leg is not in it, so the whole booking
    // waits: the deposit with its sweep (counted alone, it would show as drift until the next read).
    const before = splitByBalanceRead([sweepOut, deposit, sweepIn], { ts: READ, amounts: new Map([['USD.spot', '0'], ['USD.F', '5858.8612']]) });
    expect(ids(before.wait).sort()).toEqual([deposit.id, sweepIn.id, sweepOut.id].sort());
    expect(before.ready).toEqual([]);
    // A booking of another time on the same wallet is not held back with it.
    // Here spot's own rows would even say "in" (it reads 10 before and after the booking).
    const earlier = parse('LB-EARLIER', { refid: 'D0', time: READ - 1, type: 'deposit', asset: 'ZUSD', amount: '10.0000', balance: '10.0000' });
    const deposit2 = parse('LZ-DEPOSIT2', { refid: 'D2', time: READ, type: 'deposit', asset: 'ZUSD', amount: '513.0000', balance: '523.0000' });
    const sweepOut2 = parse('LA-SWEEP-OUT2', { refid: 'E2', time: READ, type: 'earn', subtype: 'autoallocation', asset: 'ZUSD', amount: '-513.0000', balance: '10.0000' });
    const sweepIn2 = parse('LA-SWEEP-IN2', { refid: 'E2', time: READ, type: 'earn', subtype: 'autoallocation', asset: 'USD.F', amount: '513.0000', balance: '6371.8612' });
    const rows = [earlier, sweepOut2, deposit2, sweepIn2];
    const withEarlier = splitByBalanceRead(rows, { ts: READ, amounts: new Map([['USD.spot', '10'], ['USD.F', '5858.8612']]) });
    expect(ids(withEarlier.ready)).toEqual([earlier.id]);
    expect(splitByBalanceRead(rows, { ts: READ, amounts: new Map([['USD.spot', '10'], ['USD.F', '6371.8612']]) }).wait).toEqual([]);
  });

  it('a whole refid group waits when one of its legs waits', () => {
    const doge = row({ refid: 'T1', time: READ, asset: 'XXDG', amount: '-700', balance: '9300' });
    const usd = row({ refid: 'T1', time: READ, asset: 'ZUSD', amount: '70', balance: '1070' });
    const out = splitByBalanceRead([doge, usd], { ts: READ, amounts: new Map([['DOGE.spot', '10000'], ['USD.spot', '1070']]) });
    expect(out.ready).toEqual([]);
    expect(ids(out.wait).sort()).toEqual([doge.id, usd.id].sort());
  });

  it('no balances yet: every row waits', () => {
    expect(splitByBalanceRead([row({})], null).ready).toEqual([]);
  });
});

describe('rowsCoverRead: do the rows read so far reach the balance read?', () => {
  const poll = (o: { last_end: number | null; pending?: { end: number; pages: number; oldest?: number | null } | null }) => ({
    last_end: o.last_end,
    pending: o.pending === undefined || o.pending === null ? null : { start: 0, ofs: 50 * o.pending.pages, newest: null, ...o.pending },
  });
  it('no poll in progress: covered when the balances are unchanged or the last poll ended at the read', () => {
    expect(rowsCoverRead(poll({ last_end: READ - 30 }), READ, true)).toBe(true);
    expect(rowsCoverRead(poll({ last_end: READ - 1 }), READ, false)).toBe(true); // its end (last_end + 1) reached the read
    expect(rowsCoverRead(poll({ last_end: READ - 30 }), READ, false)).toBe(false); // ended a tick before the read
    expect(rowsCoverRead(poll({ last_end: null }), READ, false)).toBe(false);
  });
  it('a poll in progress: covered once its newest-first pages reach rows the previous poll had read', () => {
    expect(rowsCoverRead(poll({ last_end: READ - 30, pending: { end: READ, pages: 1, oldest: READ - 40 } }), READ, false)).toBe(true);
    expect(rowsCoverRead(poll({ last_end: READ - 30, pending: { end: READ, pages: 1, oldest: READ - 10 } }), READ, false)).toBe(false);
    expect(rowsCoverRead(poll({ last_end: READ - 30, pending: { end: READ, pages: 0 } }), READ, true)).toBe(false);
    expect(rowsCoverRead(poll({ last_end: READ - 30, pending: { end: READ - 5, pages: 2, oldest: READ - 400 } }), READ, false)).toBe(false);
  });
});
