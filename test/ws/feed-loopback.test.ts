import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { KrakenClient } from '../../src/kraken/client.js';
import { KrakenError } from '../../src/kraken/errors.js';
import { NonceSource } from '../../src/kraken/nonce.js';
import { KrakenSim } from '../../src/kraken/sim/index.js';
import { BalancesFeed, type Bell, type FeedHealth, type FeedTiming } from '../../src/kraken/ws/balances-feed.js';

const creds = KrakenSim.generateKey();
const FAST: Partial<FeedTiming> = { staleMs: 300, pingMs: 100, handshakeTimeoutMs: 400, backoffBaseMs: 20, backoffMaxMs: 100, maintenanceMinMs: 300, stableMs: 10_000 };
let sim: KrakenSim | undefined;
let feed: BalancesFeed | undefined;
afterEach(async () => {
  await feed?.stop();
  await sim?.close();
  feed = undefined;
  sim = undefined;
});

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Rig { bells: Bell[]; healths: FeedHealth[]; tokenCalls: () => number; logs: string[]; tokens: string[] }

async function rig(timing: Partial<FeedTiming> = FAST, token?: (s: AbortSignal) => Promise<string>): Promise<Rig> {
  sim = await KrakenSim.start({ keys: [creds], wsHeartbeatMs: 50, initialBalances: { XXDG: '1000.10000000', ZUSD: '100', 'XDG.F': '5' } });
  const s = sim;
  const client = new KrakenClient({ baseUrl: s.url, timeoutMs: 2000, credentials: creds, nonces: new NonceSource(Date.now) });
  let calls = 0;
  const tokens: string[] = [];
  const bells: Bell[] = [];
  const healths: FeedHealth[] = [];
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(line) });
  feed = new BalancesFeed({
    url: s.wsUrl,
    token: token ?? (async (signal) => {
      calls += 1;
      const t = (await client.webSocketsToken(signal)).token;
      tokens.push(t);
      return t;
    }),
    onBell: (b) => bells.push(b),
    onHealth: (h) => healths.push(h),
    logger,
    timing,
  });
  return { bells, healths, tokenCalls: () => calls, logs, tokens };
}

describe('balances feed against the simulator over loopback', () => {
  it('snapshot then one update per booked row; a trade rings twice (two legs); the token never reaches the log', async () => {
    const r = await rig();
    feed!.start();
    await until(() => r.bells.length === 1);
    expect(r.bells[0]).toEqual({ kind: 'snapshot', entries: 2, sequence: 1, gap: false }); // DOGE (spot + flex) and USD
    expect(feed!.health()).toMatchObject({ state: 'subscribed', connected: true, system: 'online', fatal: null, reconnects: 0 });
    sim!.addLedgerRow({ type: 'deposit', asset: 'XXDG', amount: '0.10000000' });
    sim!.activity.trade({ side: 'buy', volume: '10', price: '0.1' });
    await until(() => r.bells.length === 4);
    expect(r.bells.slice(1)).toEqual([
      { kind: 'update', entries: 1, sequence: 2, gap: false },
      { kind: 'update', entries: 1, sequence: 3, gap: false },
      { kind: 'update', entries: 1, sequence: 4, gap: false },
    ]);
    expect(r.tokenCalls()).toBe(1);
    expect(r.tokens).toHaveLength(1);
    expect(r.logs.length).toBeGreaterThan(0);
    for (const t of r.tokens) expect(r.logs.join('\n')).not.toContain(t);
  });

  it('heartbeats keep an idle subscription alive; a stall is detected and the feed reconnects with a new token', async () => {
    const r = await rig();
    feed!.start();
    await until(() => r.bells.length === 1);
    await new Promise((res) => setTimeout(res, 600)); // twice staleMs, idle: heartbeats only
    expect(feed!.health().connected).toBe(true);
    expect(sim!.ws.stats().connections).toBe(1);
    sim!.ws.act({ kind: 'stall' });
    await until(() => sim!.ws.stats().connections === 2 && feed!.health().state === 'subscribed');
    expect(r.healths.some((h) => h.reason?.includes('no message for 300 ms') === true)).toBe(true);
    expect(r.tokenCalls()).toBe(2);
    expect(feed!.health().reconnects).toBe(1);
  });

  it('a drop reconnects soon; the new subscription rings a snapshot', async () => {
    const r = await rig();
    feed!.start();
    await until(() => r.bells.length === 1);
    sim!.ws.act({ kind: 'drop' });
    await until(() => r.bells.length === 2);
    expect(r.bells[1]).toMatchObject({ kind: 'snapshot', sequence: 1 });
  });

  it('close 1008 is terminal: no reconnect, fatal in health', async () => {
    const r = await rig();
    feed!.start();
    await until(() => r.bells.length === 1);
    sim!.ws.act({ kind: 'close', code: 1008, reason: 'policy' });
    await until(() => feed!.health().state === 'stopped');
    await new Promise((res) => setTimeout(res, 200));
    expect(sim!.ws.stats().connections).toBe(1);
    expect(feed!.health().fatal).toContain('1008');
  });

  it('EAPI:Invalid token takes a new token and subscribes again on the same connection', async () => {
    const r = await rig();
    sim!.ws.inject({ kind: 'subscribe-error', error: 'EAPI:Invalid token' });
    feed!.start();
    await until(() => r.bells.length === 1);
    expect(r.tokenCalls()).toBe(2);
    expect(sim!.ws.stats()).toMatchObject({ connections: 1, subscribes: 2, refused: 1 });
  });

  it('a token used by another connection is refused with EAPI:Invalid token', async () => {
    const tokens: string[] = [];
    await rig(FAST);
    const client = new KrakenClient({ baseUrl: sim!.url, timeoutMs: 2000, credentials: creds, nonces: new NonceSource(Date.now) });
    const t = (await client.webSocketsToken()).token;
    const { default: WebSocket } = await import('ws');
    const frames = async (): Promise<string[]> => {
      const ws = new WebSocket(sim!.wsUrl);
      const got: string[] = [];
      ws.on('message', (d) => got.push(String(d)));
      await new Promise((res) => ws.once('open', res));
      ws.send(JSON.stringify({ method: 'subscribe', params: { channel: 'balances', token: t } }));
      await new Promise((res) => setTimeout(res, 100));
      tokens.push(t);
      return got;
    };
    const first = await frames();
    const second = await frames();
    expect(first.some((f) => f.includes('"type":"snapshot"') && f.includes('"balance":1000.10000000'))).toBe(true);
    expect(first.some((f) => f.includes('{"type":"spot","id":"main","balance":1000.10000000}'))).toBe(true);
    expect(first.some((f) => f.includes('{"type":"earn","id":"flex","balance":5.00000000}'))).toBe(true);
    expect(second.some((f) => f.includes('"error":"EAPI:Invalid token","method":"subscribe","success":false'))).toBe(true);
  });

  it('Exceeded msg rate backs off, then recovers', async () => {
    const r = await rig();
    sim!.ws.inject({ kind: 'subscribe-error', error: 'Exceeded msg rate' });
    feed!.start();
    await until(() => r.bells.length === 1);
    expect(sim!.ws.stats().connections).toBe(2);
    expect(r.healths.some((h) => h.state === 'backoff' && h.reason?.includes('Exceeded msg rate') === true)).toBe(true);
  });

  it('EAPI:Invalid key on subscribe and a refused token call are fatal', async () => {
    let r = await rig();
    sim!.ws.inject({ kind: 'subscribe-error', error: 'EAPI:Invalid key' });
    feed!.start();
    await until(() => feed!.health().state === 'stopped');
    expect(feed!.health().fatal).toContain('EAPI:Invalid key');
    await feed!.stop();
    await sim!.close();
    r = await rig(FAST, () => Promise.reject(new KrakenError('fatal', 'EGeneral:Permission denied', 'x', 'GetWebSocketsToken')));
    feed!.start();
    await until(() => feed!.health().state === 'stopped');
    expect(feed!.health().fatal).toBe('token refused: EGeneral:Permission denied');
    expect(sim!.ws.stats().connections).toBe(0);
    expect(r.bells).toEqual([]);
  });

  it('a rate-limited token call backs off, then recovers', async () => {
    // The client's answer to Kraken's rate limit (the sim's counter would take ~45 s to decay after a real one).
    let calls = 0;
    const r = await rig(FAST, async (signal) => {
      calls += 1;
      if (calls <= 2) throw new KrakenError('rate_limited', 'EAPI:Rate limit exceeded', 'GetWebSocketsToken: EAPI:Rate limit exceeded', 'GetWebSocketsToken');
      const client = new KrakenClient({ baseUrl: sim!.url, timeoutMs: 2000, credentials: creds, nonces: new NonceSource(Date.now) });
      return (await client.webSocketsToken(signal)).token;
    });
    feed!.start();
    await until(() => r.bells.length === 1);
    expect(calls).toBe(3);
    expect(sim!.ws.stats().connections).toBe(1);
    expect(r.healths.some((h) => h.reason?.includes('token call failed: EAPI:Rate limit exceeded') === true)).toBe(true);
  });

  it('a socket that never answers the handshake, or never answers after it, is given up and retried', async () => {
    const r = await rig();
    sim!.ws.inject({ kind: 'hang-handshake' });
    sim!.ws.inject({ kind: 'silent' });
    feed!.start();
    await until(() => r.bells.length === 1, 4000);
    expect(sim!.ws.stats()).toMatchObject({ hungHandshakes: 1, connections: 2 });
    expect(r.healths.some((h) => h.reason?.includes('no subscription within 400 ms') === true)).toBe(true);
  });

  it('maintenance: status shown, reconnects no faster than maintenanceMinMs, online again later', async () => {
    const r = await rig();
    feed!.start();
    await until(() => r.bells.length === 1);
    sim!.ws.setSystem('maintenance');
    await until(() => feed!.health().system === 'maintenance');
    await new Promise((res) => setTimeout(res, 1000));
    const times = sim!.ws.stats().connectionTimes;
    for (let i = 2; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(290);
    expect(times.length).toBeLessThanOrEqual(5);
    sim!.ws.setSystem('online');
    await until(() => feed!.health().connected && feed!.health().system === 'online', 2000);
  });

  it('cancel_only is shown in health', async () => {
    const r = await rig();
    feed!.start();
    await until(() => r.bells.length === 1);
    sim!.ws.setSystem('cancel_only');
    await until(() => feed!.health().system === 'cancel_only');
    expect(feed!.health().connected).toBe(true);
  });

  it('garbage, unknown shapes, huge numbers, duplicates, gaps, reordering, batches: counted, right bells, never a crash', async () => {
    const r = await rig();
    feed!.start();
    await until(() => r.bells.length === 1);
    sim!.ws.act({ kind: 'garbage' });
    sim!.ws.act({ kind: 'unknown' }); // unknown channel + unknown balances type ignored; an entry of unknown type rings
    sim!.ws.act({ kind: 'huge-numbers' });
    await until(() => r.bells.length === 3);
    sim!.ws.act({ kind: 'duplicate' });
    sim!.ws.act({ kind: 'gap', by: 2 });
    sim!.addLedgerRow({ type: 'deposit', asset: 'ZUSD', amount: '1' });
    await until(() => r.bells.length === 4);
    expect(r.bells[3]).toEqual({ kind: 'update', entries: 1, sequence: 6, gap: true });
    sim!.ws.act({ kind: 'reorder' });
    sim!.addLedgerRow({ type: 'deposit', asset: 'ZUSD', amount: '1' });
    sim!.addLedgerRow({ type: 'deposit', asset: 'ZUSD', amount: '1' });
    await until(() => r.bells.length === 6);
    expect(r.bells.slice(4).map((b) => [b.sequence, b.gap])).toEqual([[8, true], [7, false]]);
    sim!.ws.act({ kind: 'batch' });
    sim!.addLedgerRow({ type: 'deposit', asset: 'ZUSD', amount: '1' });
    sim!.addLedgerRow({ type: 'withdrawal', asset: 'ZUSD', amount: '-1' });
    await until(() => r.bells.length === 7);
    expect(r.bells[6]).toEqual({ kind: 'update', entries: 2, sequence: 9, gap: false });
    const h = feed!.health();
    expect(h.connected).toBe(true);
    expect(h.reconnects).toBe(0);
    expect(h.ignored).toBeGreaterThanOrEqual(5 + 2 + 1 + 1); // garbage frames, unknown shapes, duplicate, late
    const warnLines = r.logs.filter((l) => l.includes('frame ignored'));
    expect(new Set(warnLines.map((l) => (JSON.parse(l) as { kind: string }).kind)).size).toBe(warnLines.length);
  });

  it('a snapshot with "wallets": [] rings with its entry count', async () => {
    const r = await rig();
    sim!.ws.inject({ kind: 'empty-wallets' });
    feed!.start();
    await until(() => r.bells.length === 1);
    expect(r.bells[0]).toEqual({ kind: 'snapshot', entries: 2, sequence: 1, gap: false });
  });

  it('a socket flapping every ~100 ms for 3 s stays within the attempt budget (counted at the server)', async () => {
    const budget = { attemptMax: 6, attemptWindowMs: 1000 };
    const r = await rig({ ...FAST, backoffBaseMs: 10, backoffMaxMs: 40, ...budget });
    sim!.ws.inject({ kind: 'drop', afterMs: 100 }, 1000);
    feed!.start();
    await new Promise((res) => setTimeout(res, 3000));
    const times = sim!.ws.stats().connectionTimes;
    // Counted where the handshakes arrive: a loaded machine can delay one attempt's arrival against the next, so
    // the server-side window is 200 ms shorter than the client's budget window.
    for (const t of times) expect(times.filter((u) => u >= t && u < t + budget.attemptWindowMs - 200).length).toBeLessThanOrEqual(budget.attemptMax);
    expect(times.length).toBeGreaterThanOrEqual(12); // it kept trying, at the budget's pace
    expect(r.healths.some((h) => h.reason?.includes('waiting for the connection budget') === true)).toBe(true);
  });
});

describe('WebSocket fault scripting over HTTP', () => {
  it('POST /_sim/ws/inject, /_sim/ws/act, /_sim/ws/system and GET /_sim/ws/stats', async () => {
    sim = await KrakenSim.start({ keys: [creds], scripting: true });
    const post = (path: string, body: unknown): Promise<Response> => fetch(sim!.url + path, { method: 'POST', body: JSON.stringify(body) });
    expect(await (await post('/_sim/ws/inject', { fault: { kind: 'subscribe-error', error: 'Exceeded msg rate' }, count: 2 })).json()).toEqual({ pending: 2 });
    expect((await post('/_sim/ws/inject', { fault: { kind: 'nonsense' } })).status).toBe(400);
    expect((await post('/_sim/ws/act', { kind: 'garbage' })).status).toBe(200);
    expect(await (await post('/_sim/ws/system', { system: 'maintenance' })).json()).toEqual({ system: 'maintenance' });
    expect(await (await fetch(`${sim.url}/_sim/ws/stats`)).json()).toMatchObject({ connections: 0, open: 0 });
  });
});
