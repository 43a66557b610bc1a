import { afterEach, describe, expect, it } from 'vitest';
import { KrakenSim, LEDGER_ID_PATTERN } from '../../src/kraken/sim/index.js';
import { fakeClock, ledgerOf, privateCall } from '../helpers/sim-client.js';

const T0 = 1_700_000_000;
/** These tests are about paging, not the counter: give them room. */
const roomy = { maxCounter: 1000 };

describe('sim Ledgers: paging, filters, row format', () => {
  let sim: KrakenSim | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });
  const creds = KrakenSim.generateKey();

  /** 120 DOGE deposits at T0+1 … T0+120 (row i at T0+i). */
  async function simWith120Rows(): Promise<KrakenSim> {
    const s = await KrakenSim.start({ ...roomy, keys: [creds], now: fakeClock((T0 + 1000) * 1000).now });
    for (let i = 1; i <= 120; i++) s.addLedgerRow({ type: 'deposit', asset: 'XXDG', amount: '1', time: T0 + i });
    return s;
  }

  const times = (ledger: Record<string, Record<string, unknown>>): number[] => Object.values(ledger).map((r) => r['time'] as number);

  it('pages 120 rows as 50/50/20, newest first, count = 120', async () => {
    sim = await simWith120Rows();
    const pages = [];
    for (const ofs of [0, 50, 100]) pages.push(ledgerOf(await privateCall(sim, creds, 'Ledgers', { ofs: String(ofs) })));
    expect(pages.map((p) => Object.keys(p.ledger).length)).toEqual([50, 50, 20]);
    expect(pages.map((p) => p.count)).toEqual([120, 120, 120]);
    const all = pages.flatMap((p) => times(p.ledger));
    expect(all).toEqual(Array.from({ length: 120 }, (_, i) => T0 + 120 - i));
    const ids = pages.flatMap((p) => Object.keys(p.ledger));
    expect(new Set(ids).size).toBe(120);
    for (const id of ids) expect(id).toMatch(LEDGER_ID_PATTERN);
    const beyond = ledgerOf(await privateCall(sim, creds, 'Ledgers', { ofs: '120' }));
    expect(beyond).toEqual({ ledger: {}, count: 120 });
  });

  it('treats start as exclusive and end as inclusive', async () => {
    sim = await simWith120Rows();
    const r = ledgerOf(await privateCall(sim, creds, 'Ledgers', { start: String(T0 + 10), end: String(T0 + 20) }));
    expect(times(r.ledger)).toEqual(Array.from({ length: 10 }, (_, i) => T0 + 20 - i));
    expect(r.count).toBe(10);
  });

  it('applies ofs to the filtered window', async () => {
    sim = await simWith120Rows();
    const r = ledgerOf(await privateCall(sim, creds, 'Ledgers', { start: String(T0), end: String(T0 + 100), ofs: '50' }));
    expect(r.count).toBe(100);
    expect(times(r.ledger)).toEqual(Array.from({ length: 50 }, (_, i) => T0 + 50 - i));
  });

  it('filters by type and asset, and omits count with without_count', async () => {
    sim = await KrakenSim.start({ ...roomy, keys: [creds], initialBalances: { XXDG: '1000', ZUSD: '1000' } });
    sim.addLedgerRow({ type: 'deposit', asset: 'XXDG', amount: '10', time: T0 + 1 });
    sim.addLedgerRow({ type: 'trade', asset: 'ZUSD', amount: '-5', fee: '0.013', time: T0 + 2 });
    sim.addLedgerRow({ type: 'trade', asset: 'XXDG', amount: '50', time: T0 + 2 });
    sim.addLedgerRow({ type: 'withdrawal', asset: 'ZUSD', amount: '-20', fee: '1', time: T0 + 3 });
    sim.addLedgerRow({ type: 'staking', asset: 'XDG.S', amount: '0.5', time: T0 + 4 });
    const q = async (params: Record<string, string>) => ledgerOf(await privateCall(sim!, creds, 'Ledgers', params));

    const trades = await q({ type: 'trade' });
    expect(Object.values(trades.ledger).map((r) => r['type'])).toEqual(['trade', 'trade']);
    expect(trades.count).toBe(2);
    expect((await q({ type: 'deposit' })).count).toBe(1);
    expect((await q({ type: 'all' })).count).toBe(5);
    expect((await q({ asset: 'XXDG' })).count).toBe(2);
    expect((await q({ asset: 'XDG' })).count).toBe(2);
    expect((await q({ asset: 'ZUSD,XDG.S' })).count).toBe(3);
    expect((await q({ asset: 'all' })).count).toBe(5);
    const noCount = await q({ without_count: 'true' });
    expect(noCount.count).toBeUndefined();
    expect(Object.keys(noCount.ledger)).toHaveLength(5);
  });

  it('serves rows in Kraken format: decimal strings per asset, time with 4 decimals, aclass currency', async () => {
    sim = await KrakenSim.start({ ...roomy, keys: [creds], initialBalances: { XXDG: '100', ZUSD: '50' } });
    const usd = sim.addLedgerRow({ type: 'trade', asset: 'ZUSD', amount: '-12.3', fee: '0.032', time: 1688464484.178712 });
    sim.addLedgerRow({ type: 'trade', asset: 'XXDG', amount: '100.5', time: 1688464484.1787, refid: usd.refid });
    const r = ledgerOf(await privateCall(sim, creds, 'Ledgers'));
    const rows = Object.entries(r.ledger);
    expect(rows[1]).toEqual([
      usd.id,
      {
        refid: usd.refid,
        time: 1688464484.1787,
        type: 'trade',
        subtype: '',
        aclass: 'currency',
        asset: 'ZUSD',
        amount: '-12.3000',
        fee: '0.0320',
        balance: '37.6680',
      },
    ]);
    expect(rows[0]?.[1]).toMatchObject({ asset: 'XXDG', amount: '100.50000000', fee: '0.00000000', balance: '200.50000000' });
    expect(usd.refid).toMatch(/^T[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{6}$/);
  });

  it('orders equal times by insertion (later first) and slots past rows by time', async () => {
    sim = await KrakenSim.start({ ...roomy, keys: [creds] });
    const a = sim.addLedgerRow({ type: 'deposit', asset: 'XXDG', amount: '1', time: T0 + 5 });
    const b = sim.addLedgerRow({ type: 'deposit', asset: 'XXDG', amount: '1', time: T0 + 5 });
    const late = sim.addLedgerRow({ type: 'deposit', asset: 'XXDG', amount: '1', time: T0 + 1 });
    const newest = sim.addLedgerRow({ type: 'deposit', asset: 'XXDG', amount: '1', time: T0 + 9 });
    const r = ledgerOf(await privateCall(sim, creds, 'Ledgers'));
    expect(Object.keys(r.ledger)).toEqual([newest.id, b.id, a.id, late.id]);
  });

  it('defaults row time to the sim clock', async () => {
    const clock = fakeClock(1_700_000_123_456);
    sim = await KrakenSim.start({ ...roomy, keys: [creds], now: clock.now });
    expect(sim.addLedgerRow({ type: 'deposit', asset: 'ZUSD', amount: '1' }).time).toBe(1_700_000_123.456);
  });

  it('generates the same ids for the same seed and script', async () => {
    const script = (s: KrakenSim) =>
      [1, 2, 3].map((i) => s.addLedgerRow({ type: 'deposit', asset: 'XXDG', amount: '1', time: T0 + i })).map((r) => [r.id, r.refid]);
    const a = await KrakenSim.start({ seed: 42 });
    const b = await KrakenSim.start({ seed: 42 });
    const c = await KrakenSim.start({ seed: 43 });
    try {
      expect(script(a)).toEqual(script(b));
      expect(script(a)).not.toEqual(script(c));
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('serves raw (malformed) rows as given, sorted by their time, balances untouched', async () => {
    sim = await KrakenSim.start({ ...roomy, keys: [creds], now: fakeClock((T0 + 100) * 1000).now, initialBalances: { XXDG: '5' } });
    sim.addLedgerRow({ type: 'deposit', asset: 'XXDG', amount: '1', time: T0 + 10 });
    sim.addRawLedgerRow('LBADAM-OUNT0-000001', { refid: 'QX', time: T0 + 20, type: 'deposit', asset: 'XXDG', amount: 'abc', fee: '0', balance: '?' });
    sim.addRawLedgerRow('LNOTIM-E0000-000002', { type: 'deposit', asset: 'ZUSD', amount: '3' });
    sim.addRawLedgerRow('LPLACE-D0000-000003', { amount: '1' }, T0 + 5);
    const r = ledgerOf(await privateCall(sim, creds, 'Ledgers'));
    expect(Object.keys(r.ledger)).toEqual(['LNOTIM-E0000-000002', 'LBADAM-OUNT0-000001', expect.any(String), 'LPLACE-D0000-000003']);
    expect(r.ledger['LBADAM-OUNT0-000001']?.['amount']).toBe('abc');
    expect(sim.getBalances()).toEqual({ XXDG: '6.00000000' });
    const deposits = ledgerOf(await privateCall(sim, creds, 'Ledgers', { type: 'deposit', end: String(T0 + 50) }));
    expect(deposits.count).toBe(2);
  });

  it('rejects duplicate ids and bad arguments', async () => {
    sim = await KrakenSim.start({ ...roomy, keys: [creds] });
    const row = sim.addLedgerRow({ type: 'deposit', asset: 'XXDG', amount: '1' });
    expect(() => sim!.addLedgerRow({ type: 'deposit', asset: 'XXDG', amount: '1', id: row.id })).toThrow(/already used/);
    expect(() => sim!.addLedgerRow({ type: 'deposit', asset: 'XXDG', amount: 'ten' })).toThrow(TypeError);
    for (const params of [{ ofs: '-1' }, { ofs: 'x' }, { start: 'yesterday' }, { type: 'bogus' }]) {
      expect((await privateCall(sim, creds, 'Ledgers', params)).body).toEqual({ error: ['EGeneral:Invalid arguments'] });
    }
  });
});
