import { afterEach, describe, expect, it } from 'vitest';
import { KrakenSim, TIER_LIMITS } from '../../src/kraken/sim/index.js';
import { fakeClock, privateCall, publicCall } from '../helpers/sim-client.js';

describe('sim rate counter per API key, on the sim clock', () => {
  let sim: KrakenSim | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });
  const creds = KrakenSim.generateKey();
  const errorOf = async (endpoint: 'Balance' | 'Ledgers', who = creds) => (await privateCall(sim!, who, endpoint)).body.error;

  it('has Kraken tier defaults', () => {
    expect(TIER_LIMITS).toEqual({
      starter: { max: 15, decayPerSec: 0.33 },
      intermediate: { max: 20, decayPerSec: 0.5 },
      pro: { max: 20, decayPerSec: 1 },
    });
  });

  it('charges Balance 1 and Ledgers 2, rejects the call that would exceed max, and does not charge it', async () => {
    const clock = fakeClock();
    sim = await KrakenSim.start({ keys: [creds], now: clock.now, maxCounter: 5, decayPerSec: 1 });
    expect(await errorOf('Ledgers')).toEqual([]);
    expect(await errorOf('Ledgers')).toEqual([]);
    expect(sim.counter(creds.key)).toBe(4);
    expect(await errorOf('Ledgers')).toEqual(['EAPI:Rate limit exceeded']);
    expect(sim.counter(creds.key)).toBe(4);
    expect(await errorOf('Balance')).toEqual([]);
    expect(sim.counter(creds.key)).toBe(5);
    expect(await errorOf('Balance')).toEqual(['EAPI:Rate limit exceeded']);
    const stats = sim.stats();
    expect(stats.rateLimitRejections).toBe(2);
    expect(stats.costCharged).toBe(5);
    expect(stats.counters[creds.key]).toBe(5);
    expect(stats.requests.map((r) => r.cost)).toEqual([2, 2, 0, 1, 0]);
  });

  it('decays continuously: max(0, c − decay·Δt)', async () => {
    const clock = fakeClock();
    sim = await KrakenSim.start({ keys: [creds], now: clock.now, maxCounter: 4, decayPerSec: 0.5 });
    await errorOf('Ledgers');
    await errorOf('Ledgers');
    expect(await errorOf('Balance')).toEqual(['EAPI:Rate limit exceeded']);
    clock.advance(1000);
    expect(sim.counter(creds.key)).toBeCloseTo(3.5, 9);
    expect(await errorOf('Balance')).toEqual(['EAPI:Rate limit exceeded']);
    clock.advance(1000);
    expect(await errorOf('Ledgers')).toEqual(['EAPI:Rate limit exceeded']);
    expect(await errorOf('Balance')).toEqual([]);
    expect(sim.counter(creds.key)).toBeCloseTo(4, 9);
    clock.advance(3_600_000);
    expect(sim.counter(creds.key)).toBe(0);
    expect(await errorOf('Ledgers')).toEqual([]);
  });

  it('keeps one counter per key; public calls and auth failures cost nothing', async () => {
    const clock = fakeClock();
    const other = KrakenSim.generateKey();
    sim = await KrakenSim.start({ keys: [creds, other], now: clock.now, maxCounter: 2, decayPerSec: 0.1 });
    expect(await errorOf('Ledgers')).toEqual([]);
    expect(await errorOf('Balance')).toEqual(['EAPI:Rate limit exceeded']);
    expect(await errorOf('Ledgers', other)).toEqual([]);
    for (let i = 0; i < 5; i++) expect((await publicCall(sim, 'Ticker', { pair: 'XDGUSD' })).body.error).toEqual([]);
    await privateCall(sim, other, 'Balance', {}, { signWith: creds.secret });
    expect(sim.stats().counters).toEqual({ [creds.key]: 2, [other.key]: 2 });
  });

  it('uses the tier when no override is given', async () => {
    const clock = fakeClock();
    sim = await KrakenSim.start({ keys: [creds], now: clock.now, tier: 'intermediate' });
    for (let i = 0; i < 20; i++) expect(await errorOf('Balance')).toEqual([]);
    expect(await errorOf('Balance')).toEqual(['EAPI:Rate limit exceeded']);
    clock.advance(2000);
    expect(sim.counter(creds.key)).toBe(19);
  });

  it('locks a key out after repeated violations within 60 s, for lockoutSec', async () => {
    const clock = fakeClock();
    sim = await KrakenSim.start({
      keys: [creds],
      now: clock.now,
      maxCounter: 2,
      decayPerSec: 1,
      lockoutAfterViolations: 3,
      lockoutSec: 900,
    });
    await errorOf('Ledgers');
    for (let i = 0; i < 3; i++) expect(await errorOf('Balance')).toEqual(['EAPI:Rate limit exceeded']);
    clock.advance(10_000);
    expect(sim.counter(creds.key)).toBe(0);
    expect(await errorOf('Balance')).toEqual(['EGeneral:Temporary lockout']);
    clock.advance(889_000);
    expect(await errorOf('Ledgers')).toEqual(['EGeneral:Temporary lockout']);
    clock.advance(1_001);
    expect(await errorOf('Ledgers')).toEqual([]);
    expect(sim.stats().lockoutRejections).toBe(2);
  });

  it('does not lock out when violations are spread over more than 60 s', async () => {
    const clock = fakeClock();
    sim = await KrakenSim.start({ keys: [creds], now: clock.now, maxCounter: 1, decayPerSec: 0.01, lockoutAfterViolations: 2 });
    await errorOf('Balance');
    expect(await errorOf('Balance')).toEqual(['EAPI:Rate limit exceeded']);
    clock.advance(61_000);
    expect(await errorOf('Balance')).toEqual(['EAPI:Rate limit exceeded']);
    clock.advance(100_000);
    expect(await errorOf('Balance')).toEqual([]);
  });
});
