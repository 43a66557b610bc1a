import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { RateBudget } from '../../src/kraken/budget.js';
import { KrakenClient, type KrakenClientOptions } from '../../src/kraken/client.js';
import { KrakenError } from '../../src/kraken/errors.js';
import { NonceSource } from '../../src/kraken/nonce.js';
import { callPrivate } from '../../src/kraken/private-calls.js';
import { signRequest } from '../../src/kraken/signing.js';
import { KrakenSim, type SimFault, type SimOptions } from '../../src/kraken/sim/index.js';
import { fakeClock } from '../helpers/sim-client.js';

const creds = KrakenSim.generateKey();
let sim: KrakenSim | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** A simulator on a free loopback port with a frozen counter clock (tests move it by hand). */
async function startSim(overrides: SimOptions = {}): Promise<{ sim: KrakenSim; clock: ReturnType<typeof fakeClock> }> {
  const clock = fakeClock();
  sim = await KrakenSim.start({ port: 0, keys: [creds], now: clock.now, ...overrides });
  return { sim, clock };
}

function clientFor(s: KrakenSim, overrides: Partial<KrakenClientOptions> = {}): KrakenClient {
  return new KrakenClient({
    baseUrl: s.url,
    timeoutMs: 2000,
    credentials: creds,
    nonces: new NonceSource(Date.now),
    ...overrides,
  });
}

/** Request headers as MockAgent hands them to a reply callback (a Headers object or a plain record). */
function lowerCaseHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers instanceof Headers) headers.forEach((v, k) => (out[k.toLowerCase()] = v));
  else if (headers !== null && typeof headers === 'object') {
    for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = String(v);
  }
  return out;
}

/** The KrakenError a call rejected with (fails the test if it resolved or threw something else). */
async function failureOf(p: Promise<unknown>): Promise<KrakenError> {
  const err = await p.then(
    (v) => new Error(`expected a KrakenError, got ${JSON.stringify(v)}`),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KrakenError);
  return err as KrakenError;
}

describe('KrakenClient against the simulator', () => {
  it('Balance returns the asset codes and decimal strings and costs one counter point', async () => {
    const { sim } = await startSim({ initialBalances: { XXDG: '1234.56789012', ZUSD: '250.1', 'XDG.S': '10' } });
    const balances = await clientFor(sim).balance();
    expect(balances).toEqual(sim.getBalances());
    expect(Object.keys(balances)).toEqual(['XXDG', 'ZUSD', 'XDG.S']);
    expect(sim.counter(creds.key)).toBe(1);
  });

  it('Ledgers sends asset/type/start/end/ofs and gets one page: start exclusive, end inclusive, newest first', async () => {
    const { sim } = await startSim();
    const row = (type: string, asset: string, time: number) => sim.addLedgerRow({ type, asset, amount: '10', time }).id;
    row('deposit', 'XXDG', 1000);
    row('deposit', 'XXDG', 2000); // == start: excluded
    row('withdrawal', 'ZUSD', 2500); // other asset
    row('trade', 'XXDG', 2600); // other type
    const older = row('deposit', 'XXDG', 3000);
    const middle = row('deposit', 'XXDG', 3500);
    row('deposit', 'XDG.S', 3600); // staking wallet, not XXDG
    const atEnd = row('deposit', 'XXDG', 4000); // == end: included
    row('deposit', 'XXDG', 4001); // after end

    const page = await clientFor(sim).ledgers({ asset: 'XXDG', type: 'deposit', start: 2000, end: 4000, ofs: 1 });

    expect(Object.keys(page.ledger)).toEqual([middle, older]);
    expect(page.count).toBe(3);
    expect(page.ledger[middle]).toMatchObject({ type: 'deposit', asset: 'XXDG', time: 3500, amount: expect.any(String) });
    expect(sim.stats().requests.at(-1)?.params).toEqual({
      nonce: expect.stringMatching(/^\d+$/),
      asset: 'XXDG',
      type: 'deposit',
      start: '2000',
      end: '4000',
      ofs: '1',
    });
    expect(sim.counter(creds.key)).toBe(2);
    expect(atEnd).toBeDefined();
    const firstPage = await clientFor(sim).ledgers({ asset: 'XXDG', type: 'deposit', start: 2000, end: 4000, without_count: true });
    expect(Object.keys(firstPage.ledger)).toEqual([atEnd, middle, older]);
    expect(firstPage.count).toBeNull();
  });

  it('Ledgers pages hold 50 rows and ofs reaches the rest', async () => {
    const { sim } = await startSim();
    for (let i = 0; i < 60; i++) sim.addLedgerRow({ type: 'trade', asset: 'XXDG', amount: '1', time: 1000 + i });
    const client = clientFor(sim);
    const first = await client.ledgers({ type: 'all' });
    const rest = await client.ledgers({ type: 'all', ofs: 50 });
    expect(Object.keys(first.ledger)).toHaveLength(50);
    expect(Object.keys(rest.ledger)).toHaveLength(10);
    expect(first.count).toBe(60);
    const times = [...Object.values(first.ledger), ...Object.values(rest.ledger)].map((r) => (r as { time: number }).time);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(new Set(times).size).toBe(60);
  });

  it('Ticker returns the last trade price c[0] as a decimal string, with no private cost', async () => {
    const { sim } = await startSim();
    sim.setPrice('0.1234567');
    expect(await clientFor(sim).ticker('XDGUSD')).toBe('0.1234567');
    expect(sim.counter(creds.key)).toBe(0);
  });

  it("AssetPairs resolves the pair's Kraken asset codes", async () => {
    const { sim } = await startSim();
    expect(await clientFor(sim).assetPairs('XDGUSD')).toEqual({ key: 'XDGUSD', altname: 'XDGUSD', base: 'XXDG', quote: 'ZUSD' });
  });

  it('an unknown pair is an invalid_request', async () => {
    const { sim } = await startSim();
    const e = await failureOf(clientFor(sim).ticker('NOPE'));
    expect([e.kind, e.code]).toEqual(['invalid_request', 'EQuery:Unknown asset pair']);
  });

  it('a wrong secret is fatal EAPI:Invalid signature', async () => {
    const { sim } = await startSim();
    const client = clientFor(sim, { credentials: { key: creds.key, secret: KrakenSim.generateKey().secret } });
    const e = await failureOf(client.balance());
    expect([e.kind, e.code, e.endpoint]).toEqual(['fatal', 'EAPI:Invalid signature', 'Balance']);
  });

  it('an unknown key is fatal EAPI:Invalid key', async () => {
    const { sim } = await startSim();
    const e = await failureOf(clientFor(sim, { credentials: KrakenSim.generateKey() }).ledgers({}));
    expect([e.kind, e.code, e.endpoint]).toEqual(['fatal', 'EAPI:Invalid key', 'Ledgers']);
  });

  it('a key without "Query Ledger Entries" is fatal EGeneral:Permission denied', async () => {
    const { sim } = await startSim({ keys: [{ ...creds, permissions: ['query_funds'] }] });
    const e = await failureOf(clientFor(sim).ledgers({}));
    expect([e.kind, e.code]).toEqual(['fatal', 'EGeneral:Permission denied']);
  });

  it('private calls without credentials fail as fatal before anything is sent', async () => {
    const { sim } = await startSim();
    const e = await failureOf(clientFor(sim, { credentials: undefined }).balance());
    expect(e.kind).toBe('fatal');
    expect(sim.stats().calls).toBe(0);
  });

  it('nonces stay increasing across two client instances sharing a floor, even with the clock set back', async () => {
    const { sim } = await startSim();
    let now = 1_800_000_000_000;
    const first = new NonceSource(() => now);
    const a = clientFor(sim, { nonces: first });
    await a.balance();
    await a.balance();
    now -= 60_000; // restart after the host clock was corrected backwards
    const b = clientFor(sim, { nonces: new NonceSource(() => now, first.floor) });
    await expect(b.balance()).resolves.toBeDefined();
    expect(BigInt(sim.lastNonce(creds.key) ?? '0')).toBe(BigInt(first.floor) + 1n);
  });

  it('without the shared floor the restarted client is refused with fatal EAPI:Invalid nonce', async () => {
    const { sim } = await startSim();
    let now = 1_800_000_000_000;
    await clientFor(sim, { nonces: new NonceSource(() => now) }).balance();
    now -= 60_000;
    const e = await failureOf(clientFor(sim, { nonces: new NonceSource(() => now) }).balance());
    expect([e.kind, e.code]).toEqual(['fatal', 'EAPI:Invalid nonce']);
  });
});

describe('KrakenClient maps injected faults', () => {
  it('a reply slower than timeoutMs is cut at the timeout as transient NET:timeout', async () => {
    const { sim } = await startSim();
    sim.inject({ kind: 'delay', ms: 5000 }, { endpoint: 'Balance' });
    const client = clientFor(sim, { timeoutMs: 300 });
    const started = performance.now();
    const e = await failureOf(client.balance());
    const elapsed = performance.now() - started;
    expect([e.kind, e.code]).toEqual(['transient', 'NET:timeout']);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(1500);
  });

  it('a slow public call is cut at the timeout too', async () => {
    const { sim } = await startSim();
    sim.inject({ kind: 'delay', ms: 5000 }, { endpoint: 'Ticker' });
    const started = performance.now();
    const e = await failureOf(clientFor(sim, { timeoutMs: 300 }).ticker('XDGUSD'));
    expect(e.code).toBe('NET:timeout');
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('a delay shorter than the timeout is just a slow success', async () => {
    const { sim } = await startSim();
    sim.inject({ kind: 'delay', ms: 50 }, { endpoint: 'Balance' });
    await expect(clientFor(sim, { timeoutMs: 1000 }).balance()).resolves.toBeDefined();
  });

  it('the caller signal aborts a request before the timeout', async () => {
    const { sim } = await startSim();
    sim.inject({ kind: 'delay', ms: 5000 }, { endpoint: 'Balance' });
    const started = performance.now();
    await expect(clientFor(sim, { timeoutMs: 3000 }).balance(AbortSignal.timeout(100))).rejects.toBeDefined();
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it.each<{ name: string; fault: SimFault; kind: string; code: string }>([
    { name: 'a Cloudflare 502 HTML page', fault: { kind: 'http', status: 502 }, kind: 'transient', code: 'HTTP:502' },
    { name: 'a 503 HTML page', fault: { kind: 'http', status: 503 }, kind: 'transient', code: 'HTTP:503' },
    {
      name: 'a 429 without an envelope',
      fault: { kind: 'http', status: 429, body: 'Too Many Requests', contentType: 'text/plain' },
      kind: 'rate_limited',
      code: 'HTTP:429',
    },
    { name: 'truncated JSON', fault: { kind: 'malformed-json' }, kind: 'transient', code: 'BODY:malformed' },
    { name: 'a socket reset', fault: { kind: 'reset' }, kind: 'transient', code: 'NET:error' },
    ...['EService:Unavailable', 'EService:Busy', 'EGeneral:Internal error'].map((error) => ({
      name: error,
      fault: { kind: 'error' as const, error },
      kind: 'transient',
      code: error,
    })),
    { name: 'EAPI:Rate limit exceeded', fault: { kind: 'error', error: 'EAPI:Rate limit exceeded' }, kind: 'rate_limited', code: 'EAPI:Rate limit exceeded' },
    { name: 'EGeneral:Temporary lockout', fault: { kind: 'error', error: 'EGeneral:Temporary lockout' }, kind: 'locked_out', code: 'EGeneral:Temporary lockout' },
  ])('on Balance, $name maps to $kind $code', async ({ fault, kind, code }) => {
    const { sim, clock } = await startSim();
    sim.inject(fault, { endpoint: 'Balance' });
    const client = clientFor(sim);
    const e = await failureOf(client.balance());
    expect([e.kind, e.code, e.endpoint]).toEqual([kind, code, 'Balance']);
    // The fault was one call only: the same client works again (once an injected rate limit has decayed).
    clock.advance(60_000);
    await expect(client.balance()).resolves.toBeDefined();
  });

  it.each<{ name: string; fault: SimFault; code: string }>([
    { name: 'a 502 HTML page', fault: { kind: 'http', status: 502 }, code: 'HTTP:502' },
    { name: 'truncated JSON', fault: { kind: 'malformed-json' }, code: 'BODY:malformed' },
    { name: 'a socket reset', fault: { kind: 'reset' }, code: 'NET:error' },
  ])('on Ticker, $name is transient $code', async ({ fault, code }) => {
    const { sim } = await startSim();
    sim.inject(fault, { endpoint: 'Ticker' });
    const e = await failureOf(clientFor(sim).ticker('XDGUSD'));
    expect([e.kind, e.code, e.endpoint]).toEqual(['transient', code, 'Ticker']);
  });

  it("the simulator's real counter answers EAPI:Rate limit exceeded once a tight max is reached", async () => {
    const { sim, clock } = await startSim({ maxCounter: 2, decayPerSec: 1 });
    const client = clientFor(sim);
    await client.balance();
    await client.balance();
    const e = await failureOf(client.balance());
    expect([e.kind, e.code]).toEqual(['rate_limited', 'EAPI:Rate limit exceeded']);
    expect(sim.stats().rateLimitRejections).toBe(1);
    const l = await failureOf(client.ledgers({}));
    expect(l.code).toBe('EAPI:Rate limit exceeded');
    clock.advance(2000);
    await expect(client.ledgers({})).resolves.toBeDefined();
  });

  it("the simulator's real lockout after repeated violations answers EGeneral:Temporary lockout", async () => {
    const { sim } = await startSim({ maxCounter: 1, decayPerSec: 1, lockoutAfterViolations: 1 });
    const client = clientFor(sim);
    await client.balance();
    expect((await failureOf(client.balance())).code).toBe('EAPI:Rate limit exceeded');
    const e = await failureOf(client.balance());
    expect([e.kind, e.code]).toEqual(['locked_out', 'EGeneral:Temporary lockout']);
  });

  it('the budget model driving the client never trips the real counter of the same tier', async () => {
    const { sim, clock } = await startSim({ tier: 'starter' });
    const client = clientFor(sim);
    const nowSec = (): number => clock.now() / 1000;
    const budget = new RateBudget({ max: 15, decayPerSec: 0.33, reserve: 0, perLoop: 5 }, nowSec());
    const retry = { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 2 };
    let sent = 0;
    for (let tick = 0; tick < 40; tick++) {
      budget.beginTick();
      for (const endpoint of ['Ledgers', 'Balance', 'Ledgers'] as const) {
        const out =
          endpoint === 'Balance'
            ? await callPrivate(endpoint, budget, nowSec, (s) => client.balance(s), retry)
            : await callPrivate(endpoint, budget, nowSec, (s) => client.ledgers({}, s), retry);
        if (out.ok) sent++;
        else expect(out).toHaveProperty('deferred');
      }
      clock.advance(1000);
    }
    expect(sent).toBeGreaterThan(20);
    expect(budget.deferrals).toBeGreaterThan(0);
    expect(sim.stats().rateLimitRejections).toBe(0);
  });
});

describe('KrakenClient with an injected undici MockAgent', () => {
  it('runs over the given dispatcher with no network, signing private calls', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    const kraken = agent.get('https://api.kraken.com');
    kraken
      .intercept({ path: '/0/public/Ticker?pair=XDGUSD', method: 'GET' })
      .reply(200, { error: [], result: { XDGUSD: { c: ['0.1010000', '12'] } } });
    let seen: { headers: Record<string, string>; body: string } | undefined;
    kraken.intercept({ path: '/0/private/Balance', method: 'POST' }).reply((opts) => {
      seen = { headers: lowerCaseHeaders(opts.headers), body: String(opts.body) };
      return { statusCode: 200, data: { error: [], result: { XXDG: '5.0000000000' } } };
    });
    const client = new KrakenClient({
      baseUrl: 'https://api.kraken.com/',
      timeoutMs: 1000,
      credentials: creds,
      nonces: new NonceSource(Date.now),
      dispatcher: agent,
    });
    try {
      expect(await client.ticker('XDGUSD')).toBe('0.1010000');
      expect(await client.balance()).toEqual({ XXDG: '5.0000000000' });
      expect(seen?.headers['api-key']).toBe(creds.key);
      const nonce = new URLSearchParams(seen?.body ?? '').get('nonce') ?? '';
      expect(nonce).toMatch(/^\d+$/);
      expect(seen?.headers['api-sign']).toBe(signRequest('/0/private/Balance', nonce, seen?.body ?? '', creds.secret));
      agent.assertNoPendingInterceptors();
      // Nothing intercepted and no network allowed: a transient network error, not a real request.
      const e = await failureOf(client.assetPairs('XDGUSD'));
      expect([e.kind, e.code]).toEqual(['transient', 'NET:error']);
    } finally {
      await agent.close();
    }
  });
});
