import { afterEach, describe, expect, it } from 'vitest';
import { KrakenSim } from '../../src/kraken/sim/index.js';
import { signRequest } from '../../src/kraken/signing.js';
import { nextNonce, privateCall } from '../helpers/sim-client.js';

describe('sim auth: API-Key, API-Sign, nonce, permissions', () => {
  let sim: KrakenSim | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  const creds = KrakenSim.generateKey();

  it('generates Kraken-shaped keys with a 64-byte base64 secret', () => {
    const k = KrakenSim.generateKey();
    expect(k.key).toHaveLength(56);
    expect(Buffer.from(k.secret, 'base64')).toHaveLength(64);
    expect(KrakenSim.generateKey().key).not.toBe(k.key);
  });

  it('answers a correctly signed Balance call in the Kraken envelope', async () => {
    sim = await KrakenSim.start({ keys: [creds], initialBalances: { XXDG: '1000', ZUSD: '250.5' } });
    const reply = await privateCall(sim, creds, 'Balance');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ error: [], result: { XXDG: '1000.00000000', ZUSD: '250.5000' } });
  });

  it('rejects a signature made with the wrong secret', async () => {
    sim = await KrakenSim.start({ keys: [creds] });
    const reply = await privateCall(sim, creds, 'Balance', {}, { signWith: KrakenSim.generateKey().secret });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ error: ['EAPI:Invalid signature'] });
  });

  it('rejects a body changed after signing', async () => {
    sim = await KrakenSim.start({ keys: [creds] });
    const nonce = nextNonce();
    const signed = `nonce=${nonce}`;
    const res = await fetch(`${sim.url}/0/private/Ledgers`, {
      method: 'POST',
      headers: { 'API-Key': creds.key, 'API-Sign': signRequest('/0/private/Ledgers', nonce, signed, creds.secret) },
      body: `${signed}&ofs=50`,
    });
    expect(await res.json()).toEqual({ error: ['EAPI:Invalid signature'] });
  });

  it('rejects a replayed or lower nonce, and consumes the nonce of a valid call', async () => {
    sim = await KrakenSim.start({ keys: [creds] });
    const nonce = nextNonce();
    expect((await privateCall(sim, creds, 'Balance', {}, { nonce })).body.error).toEqual([]);
    expect(sim.lastNonce(creds.key)).toBe(nonce);
    expect((await privateCall(sim, creds, 'Balance', {}, { nonce })).body).toEqual({ error: ['EAPI:Invalid nonce'] });
    const lower = String(BigInt(nonce) - 1n);
    expect((await privateCall(sim, creds, 'Ledgers', {}, { nonce: lower })).body).toEqual({ error: ['EAPI:Invalid nonce'] });
    expect((await privateCall(sim, creds, 'Balance')).body.error).toEqual([]);
  });

  it('tracks nonces per key', async () => {
    const other = KrakenSim.generateKey();
    sim = await KrakenSim.start({ keys: [creds, other] });
    const nonce = nextNonce();
    expect((await privateCall(sim, creds, 'Balance', {}, { nonce })).body.error).toEqual([]);
    expect((await privateCall(sim, other, 'Balance', {}, { nonce })).body.error).toEqual([]);
  });

  it('answers EAPI:Invalid nonce when the nonce is missing', async () => {
    sim = await KrakenSim.start({ keys: [creds] });
    const res = await fetch(`${sim.url}/0/private/Balance`, {
      method: 'POST',
      headers: { 'API-Key': creds.key, 'API-Sign': signRequest('/0/private/Balance', '', 'x=1', creds.secret) },
      body: 'x=1',
    });
    expect(await res.json()).toEqual({ error: ['EAPI:Invalid nonce'] });
  });

  it('answers EAPI:Invalid key for an unknown or missing key', async () => {
    sim = await KrakenSim.start({ keys: [creds] });
    expect((await privateCall(sim, KrakenSim.generateKey(), 'Balance')).body).toEqual({ error: ['EAPI:Invalid key'] });
    const res = await fetch(`${sim.url}/0/private/Balance`, { method: 'POST', body: `nonce=${nextNonce()}` });
    expect(await res.json()).toEqual({ error: ['EAPI:Invalid key'] });
  });

  it('answers EGeneral:Permission denied for a key without the needed permission', async () => {
    const fundsOnly = { ...KrakenSim.generateKey(), permissions: ['query_funds'] as const };
    const ledgerOnly = { ...KrakenSim.generateKey(), permissions: ['query_ledger'] as const };
    sim = await KrakenSim.start({ keys: [fundsOnly, ledgerOnly] });
    expect((await privateCall(sim, fundsOnly, 'Balance')).body.error).toEqual([]);
    expect((await privateCall(sim, fundsOnly, 'Ledgers')).body).toEqual({ error: ['EGeneral:Permission denied'] });
    expect((await privateCall(sim, ledgerOnly, 'Balance')).body).toEqual({ error: ['EGeneral:Permission denied'] });
    expect((await privateCall(sim, ledgerOnly, 'Ledgers')).body.error).toEqual([]);
  });

  it('accepts a JSON body signed over its exact bytes', async () => {
    sim = await KrakenSim.start({ keys: [creds] });
    const nonce = nextNonce();
    const body = JSON.stringify({ nonce, asset: 'all' });
    const res = await fetch(`${sim.url}/0/private/Ledgers`, {
      method: 'POST',
      headers: {
        'API-Key': creds.key,
        'API-Sign': signRequest('/0/private/Ledgers', nonce, body, creds.secret),
        'Content-Type': 'application/json',
      },
      body,
    });
    expect(await res.json()).toEqual({ error: [], result: { ledger: {}, count: 0 } });
  });

  it('never logs the signature in the request log', async () => {
    sim = await KrakenSim.start({ keys: [creds] });
    await privateCall(sim, creds, 'Balance');
    const log = JSON.stringify(sim.stats().requests);
    expect(log).not.toContain(creds.secret);
    expect(log).not.toMatch(/api-sign/i);
  });
});
