import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { RateBudget } from '../../src/kraken/budget.js';
import { KrakenClient } from '../../src/kraken/client.js';
import { KrakenError } from '../../src/kraken/errors.js';
import { NonceSource } from '../../src/kraken/nonce.js';
import { callPrivate } from '../../src/kraken/private-calls.js';
import { KrakenSim } from '../../src/kraken/sim/index.js';

/**
 * Kraken's own examples (krakenfx/api-specs, see test/fixtures/kraken-spec/README.md) and the error strings
 * Kraken documents, served by an undici MockAgent and read through the real client, envelope and budget.
 */
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'kraken-spec');
const example = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
const BASE = 'https://api.kraken.com';
const creds = KrakenSim.generateKey();

let agent: MockAgent | undefined;
afterEach(async () => {
  await agent?.close();
  agent = undefined;
});

/** A client whose every request to `path` (any query) gets `body` with `status`. */
function serving(routes: Array<{ path: string; status?: number; body: unknown; times?: number }>): KrakenClient {
  agent = new MockAgent();
  agent.disableNetConnect();
  const pool = agent.get(BASE);
  for (const r of routes) {
    pool
      .intercept({ path: (p) => p.split('?')[0] === r.path, method: r.path.includes('/private/') ? 'POST' : 'GET' })
      .reply(r.status ?? 200, typeof r.body === 'string' ? r.body : JSON.stringify(r.body))
      .times(r.times ?? 1);
  }
  return new KrakenClient({ baseUrl: BASE, timeoutMs: 1000, credentials: creds, nonces: new NonceSource(Date.now), dispatcher: agent });
}

async function failureOf(p: Promise<unknown>): Promise<KrakenError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(KrakenError);
    return e as KrakenError;
  }
  throw new Error('expected a failure');
}

describe("Kraken's spec examples through the client", () => {
  it('Time: unixtime of the /public/Time example', async () => {
    expect(await serving([{ path: '/0/public/Time', body: example('time.json') }]).serverTime()).toBe(1688669448);
  });

  it('Balance: every asset of the /private/Balance example, earn wallets included, as decimal strings', async () => {
    const balance = await serving([{ path: '/0/private/Balance', body: example('balance.json') }]).balance();
    expect(balance.XXBT).toBe('1011.1908877900');
    expect(balance['ETH2.S']).toBe('198.3970800000');
    expect(balance['USD.M']).toBe('1213029.2780');
    expect(Object.keys(balance)).toHaveLength(10);
  });

  it('Ledgers: both rows of the /private/Ledgers example, and its count', async () => {
    const page = await serving([{ path: '/0/private/Ledgers', body: example('ledgers.json') }]).ledgers({ type: 'all' });
    expect(Object.keys(page.ledger)).toEqual(['L4UESK-KG3EQ-UFO4T5', 'LMKZCZ-Z3GVL-CXKK4H']);
    expect(page.ledger['L4UESK-KG3EQ-UFO4T5']).toMatchObject({ asset: 'ZGBP', amount: '-24.5000', fee: '0.0490' });
    expect(page.count).toBe(2);
  });

  it('AssetPairs: the pair asked for, not the first entry (the example lists ETHXBT before XBTUSD)', async () => {
    const client = serving([{ path: '/0/public/AssetPairs', body: example('asset-pairs.json'), times: 3 }]);
    expect(await client.assetPairs('XBTUSD')).toEqual({ key: 'XXBTZUSD', altname: 'XBTUSD', base: 'XXBT', quote: 'ZUSD' });
    expect(await client.assetPairs('XBT/USD')).toMatchObject({ key: 'XXBTZUSD', base: 'XXBT' });
    expect(await client.assetPairs('XETHXXBT')).toMatchObject({ altname: 'ETHXBT', base: 'XETH', quote: 'XXBT' });
  });

  it('Ticker: the entry filed under the key AssetPairs named (asked XBTUSD, answered XXBTZUSD)', async () => {
    const client = serving([
      { path: '/0/public/AssetPairs', body: example('asset-pairs.json') },
      { path: '/0/public/Ticker', body: example('ticker.json') },
    ]);
    await client.assetPairs('XBTUSD');
    expect(await client.ticker('XBTUSD')).toBe('3537.50000');
  });

  it('Ticker: an answer holding only another pair is refused, never read as ours', async () => {
    const e = await failureOf(serving([{ path: '/0/public/Ticker', body: example('ticker.json') }]).ticker('XDGUSD'));
    expect(e).toMatchObject({ kind: 'transient', code: 'BODY:no-pair' });
    expect(e.message).toContain('XXBTZUSD');
  });

  it.each([
    ['error-invalidApiKey.json', 'fatal', 'EAPI:Invalid key'],
    ['error-invalidApiNonce.json', 'fatal', 'EAPI:Invalid nonce'],
    ['error-invalidApiSignature.json', 'fatal', 'EAPI:Invalid signature'],
    ['error-internalError.json', 'transient', 'EGeneral:Internal Error'],
  ])('the structured error example %s is read as %s %s', async (file, kind, code) => {
    const e = await failureOf(serving([{ path: '/0/private/Balance', body: example(file) }]).balance());
    expect([e.kind, e.code]).toEqual([kind, code]);
  });
});

describe('the error strings Kraken documents, through callPrivate and the budget', () => {
  const T0 = 1_700_000_000;
  const run = async (body: unknown, now = T0): Promise<{ budget: RateBudget; out: Awaited<ReturnType<typeof callPrivate>>; calls: () => number }> => {
    const client = serving([{ path: '/0/private/Balance', body, times: 5 }]);
    const budget = new RateBudget({ max: 15, decayPerSec: 0.33, reserve: 0, perLoop: 10 }, now);
    let calls = 0;
    const out = await callPrivate('Balance', budget, () => now, (s) => (calls++, client.balance(s)), { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 1 });
    return { budget, out, calls: () => calls };
  };

  it('EService:Throttled: <ts> (Kraken "Spot REST rate limits") is not retried and pauses private calls until ts', async () => {
    const { budget, out, calls } = await run({ error: ['EService:Throttled: ' + String(T0 + 30)] });
    expect(calls()).toBe(1);
    expect('error' in out && out.error.kind).toBe('throttled');
    expect(budget.pausedUntil(T0)).toBe(T0 + 30);
    expect(budget.errorsByCode).toEqual({ 'EService:Throttled': 1 });
  });

  it('EGeneral:Too many requests (in ccxt\'s Kraken error map) is a rate limit: counter full, not retried', async () => {
    const { budget, out, calls } = await run({ error: ['EGeneral:Too many requests'] });
    expect(calls()).toBe(1);
    expect('error' in out && out.error.kind).toBe('rate_limited');
    expect(budget.counterAt(T0)).toBe(15);
  });

  it.each(['ETrade:User Locked', 'ESession:Invalid session'])('%s (in ccxt\'s Kraken error map) is fatal and not retried', async (text) => {
    const { out, calls } = await run({ error: [text] });
    expect(calls()).toBe(1);
    expect('error' in out && out.error.kind).toBe('fatal');
  });

  it('a transient error is retried; the same answer with a warning in front is too', async () => {
    const { out, calls } = await run({ error: ['WGeneral:Note', 'EService:Unavailable'] });
    expect(calls()).toBe(3);
    expect('error' in out && out.error.code).toBe('EService:Unavailable');
  });
});
