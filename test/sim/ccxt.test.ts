import { kraken } from 'ccxt';
import { afterEach, describe, expect, it } from 'vitest';
import { KrakenSim } from '../../src/kraken/sim/index.js';
import { fakeClock } from '../helpers/sim-client.js';

/**
 * Issue 12: a third-party client drives the simulator. ccxt's kraken class signs and nonces its own calls
 * (its nonce is the wall clock in ms; a 5 ms rate limit keeps two calls off the same ms); only its URLs
 * point at the sim's loopback address.
 */
describe('ccxt kraken against the simulator', () => {
  let sim: KrakenSim | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  async function setup() {
    const creds = KrakenSim.generateKey();
    const clock = fakeClock(1_754_000_000_000);
    sim = await KrakenSim.start({ keys: [creds], now: clock.now, price: '0.1250000', initialBalances: { XXDG: '0', ZUSD: '0' } });
    const client = new kraken({ apiKey: creds.key, secret: creds.secret, enableRateLimit: true, rateLimit: 5, timeout: 5000 });
    client.urls['api'] = { public: sim.url, private: sim.url };
    return { sim, client, clock, creds };
  }

  it('loads markets and currencies, and reads time and ticker', async () => {
    const { sim: s, client, clock } = await setup();
    const markets = await client.loadMarkets();
    expect(markets['DOGE/USD']).toMatchObject({ id: 'XDGUSD', base: 'DOGE', quote: 'USD', baseId: 'DOGE', spot: true, active: true });
    expect(client.currencies['DOGE']).toMatchObject({ id: 'XXDG', precision: 1e-8 });
    expect(client.currencies['USD']).toMatchObject({ id: 'ZUSD', precision: 1e-4 });
    expect(await client.fetchTime()).toBe(Math.floor(clock.now() / 1000) * 1000);
    s.setPrice('0.1311111');
    const ticker = await client.fetchTicker('DOGE/USD');
    expect(ticker.last).toBe(0.1311111);
    expect(ticker.bid).toBeLessThan(ticker.ask ?? 0);
  });

  it('fetches the balance (BalanceEx) and the ledger with its own signatures and nonces', async () => {
    const { sim: s, client, clock, creds } = await setup();
    s.activity.deposit('XXDG', '1000');
    clock.advance(1000);
    s.activity.deposit('ZUSD', '200');
    clock.advance(1000);
    s.activity.setAutoEarn('ZUSD', true);
    clock.advance(1000);
    s.activity.trade({ side: 'buy', volume: '400', price: '0.125', fee: '0.13' });
    s.setHoldTrade('XXDG', '100');

    const balance = await client.fetchBalance();
    expect(balance['DOGE']).toMatchObject({ total: 1400, used: 100, free: 1300 });
    expect(balance['USD']).toMatchObject({ total: 0 });
    expect(balance['USD.F']).toMatchObject({ total: 149.87 });

    const ledger = await client.fetchLedger();
    const rows = s.ledgerRows();
    expect(ledger).toHaveLength(rows.length);
    const byId = new Map(ledger.map((e) => [e.id, e]));
    for (const { id, row } of rows) {
      const entry = byId.get(id);
      expect(entry, id).toBeDefined();
      expect(entry?.referenceId).toBe(row['refid']);
      expect(entry?.after).toBe(Number(row['balance']));
      expect(entry?.timestamp).toBe(Math.round(Number(row['time']) * 1000));
      expect(entry?.direction).toBe(Number(row['amount']) < 0 ? 'out' : 'in');
    }
    expect(ledger.filter((e) => e.currency === 'USD.F').map((e) => e.type)).toEqual(['transfer', 'trade']);
    const dogeOnly = await client.fetchLedger('DOGE');
    expect(dogeOnly.map((e) => e.currency)).toEqual(['DOGE', 'DOGE']);

    // Every private call passed the sim's signature and nonce checks.
    const privateCalls = s.stats().requests.filter((r) => r.endpoint === 'BalanceEx' || r.endpoint === 'Ledgers');
    expect(privateCalls.map((r) => r.outcome)).toEqual(['ok', 'ok', 'ok']);
    expect(s.lastNonce(creds.key)).toMatch(/^\d{13}$/);
  });
});
