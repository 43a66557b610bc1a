import { afterEach, describe, expect, it } from 'vitest';
import { KrakenClient } from '../../src/kraken/client.js';
import { KrakenError } from '../../src/kraken/errors.js';
import { NonceSource } from '../../src/kraken/nonce.js';
import { KrakenSim } from '../../src/kraken/sim/index.js';
import { fakeClock, privateCall } from '../helpers/sim-client.js';

const creds = KrakenSim.generateKey();
let sim: KrakenSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

function client(s: KrakenSim, c = creds): KrakenClient {
  return new KrakenClient({ baseUrl: s.url, timeoutMs: 2000, credentials: c, nonces: new NonceSource(Date.now) });
}

describe('GetWebSocketsToken', () => {
  it('returns a 900 s token in Kraken\'s envelope, signed like any private call, for one counter point', async () => {
    const clock = fakeClock();
    sim = await KrakenSim.start({ keys: [creds], now: clock.now });
    const t = await client(sim).webSocketsToken();
    // The raw wire answer, signed by hand (its nonces run above the client's).
    const reply = await privateCall(sim, creds, 'GetWebSocketsToken');
    expect(reply.body.error).toEqual([]);
    expect(reply.body.result?.expires).toBe(900);
    expect(typeof reply.body.result?.token).toBe('string');
    expect(t.expires).toBe(900);
    expect(t.token).not.toBe(reply.body.result?.token);
    expect(sim.counter(creds.key)).toBe(2);
    expect(sim.stats().endpoints.GetWebSocketsToken).toEqual({ calls: 2, accepted: 2, rejected: 0 });
    expect(sim.tokens.issued).toBe(2);
  });

  it('a key without the WebSocket permission is refused like Kraken (fatal, no counter points)', async () => {
    const noWs = { ...KrakenSim.generateKey(), permissions: ['query_funds', 'query_ledger'] as const };
    sim = await KrakenSim.start({ keys: [noWs] });
    const err = await client(sim, noWs).webSocketsToken().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KrakenError);
    expect((err as KrakenError).code).toBe('EGeneral:Permission denied');
    expect((err as KrakenError).kind).toBe('fatal');
    expect(sim.counter(noWs.key)).toBe(0);
  });

  it('a rate-limited token call comes out as rate_limited', async () => {
    sim = await KrakenSim.start({ keys: [creds] });
    sim.inject({ kind: 'error', error: 'EAPI:Rate limit exceeded' }, { endpoint: 'GetWebSocketsToken' });
    const err = await client(sim).webSocketsToken().catch((e: unknown) => e);
    expect((err as KrakenError).kind).toBe('rate_limited');
    expect((await client(sim).webSocketsToken().catch((e: unknown) => e) as KrakenError).kind).toBe('rate_limited');
  });
});
