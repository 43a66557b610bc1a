import { afterEach, describe, expect, it } from 'vitest';
import { restoreLastKnown, LAST_KNOWN_BLOCK_MAX_BYTES } from '../../src/recon/last-known.js';
import { restoreReconState, serializeReconState } from '../../src/recon/state-codec.js';
import { emptyReconState } from '../../src/recon/state.js';
import { startHarness, type Harness } from '../helpers/daemon-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Runs two good ticks, stops cleanly, and restarts with every Kraken call failing. */
async function restartWithKrakenDown(): Promise<{ before: NonNullable<Harness['daemon']['status']>; downAt: number }> {
  h = await startHarness();
  await h.step();
  h.sim.setPrice('0.125');
  await h.step();
  const before = h.daemon.status;
  if (before === null) throw new Error('no status');
  await h.daemon.shutdown();
  h.clock.advanceSec(40);
  h.sim.inject({ kind: 'http', status: 503 }, { count: 1000 });
  await h.restart();
  return { before, downAt: h.clock.ms / 1000 };
}

describe('last known figures after a restart', () => {
  it('are served from the start, marked stale with their age, while probes say not ready', async () => {
    const { before } = await restartWithKrakenDown();
    const d = h?.daemon;
    // Before the first tick of the new run: /status already has the saved figures.
    const s0 = d?.status;
    expect(s0?.loop.ticks).toBe(0);
    expect(s0?.price).toMatchObject({ last: 0.125, ts: before.price.ts, stale: true, age_sec: 40 });
    expect(s0?.balances).toMatchObject({ doge: 10000, usd: 1000, stale: true, age_sec: 40 });
    expect(s0?.balance_recon).toMatchObject({
      current_doge_eq: before.balance_recon.current_doge_eq,
      drift_doge: before.balance_recon.drift_doge,
      adjusted_drift_doge: before.balance_recon.adjusted_drift_doge,
      status: before.balance_recon.status,
      stale: true,
    });
    expect(d?.readiness()).toMatchObject({ ok: false, has_data: false });
    // Kraken still down: the figures stay, stale, their age grows with the clock.
    await h?.step();
    const s1 = h?.daemon.status;
    expect(s1?.price).toMatchObject({ last: 0.125, ok: false, stale: true, age_sec: 70 });
    expect(s1?.price.last_error).toContain('HTTP 503');
    expect(s1?.balance_recon).toMatchObject({ current_doge_eq: before.balance_recon.current_doge_eq, stale: true, age_sec: 70 });
    expect(h?.daemon.readiness().ok).toBe(false);
  });

  it('give way to fresh figures on the first tick Kraken answers; then ready', async () => {
    await restartWithKrakenDown();
    await h?.step();
    h?.sim.clearFaults();
    h?.sim.setPrice('0.2');
    await h?.step();
    const s = h?.daemon.status;
    expect(s?.price).toMatchObject({ last: 0.2, ok: true, stale: false, age_sec: null });
    expect(s?.balances).toMatchObject({ stale: false, age_sec: null });
    expect(s?.balance_recon).toMatchObject({ current_doge_eq: 10000 + 1000 / 0.2, stale: false });
    expect(h?.daemon.readiness().ok).toBe(true);
  });

  it('a stale overlay is never saved again as new: a second restart still shows the original age', async () => {
    const { before } = await restartWithKrakenDown();
    await h?.step();
    await h?.daemon.shutdown();
    h?.clock.advanceSec(100);
    await h?.restart();
    expect(h?.daemon.status?.price).toMatchObject({ ts: before.price.ts, stale: true, age_sec: 40 + 30 + 100 });
  });

  it('the page of a fresh start (nothing saved) waits for the first tick as before', async () => {
    h = await startHarness();
    expect(h.daemon.status).toBeNull();
  });
});

describe('restoreLastKnown (the sanitiser of the saved field)', () => {
  const good = {
    ts: 1_700_000_000,
    price: { last: 0.12, ts: 1_700_000_000, ok: true, last_error: null },
    balances: { doge: 10, usd: 2, ts: 1_700_000_001, ok: true, last_error: null, wallets: { spot: { doge: 10, usd: 2 } } },
    balance_recon: { current_doge_eq: 26.6, drift_doge: 0, status: 'ok', roll_forward: null },
  };

  it('keeps a good value as it was', () => {
    expect(restoreLastKnown(good)).toEqual(good);
  });

  it.each([undefined, null, 'x', 42, [], { ts: 'now' }, { ts: Number.NaN, price: good.price }, { ts: 1 }])('drops %j', (raw) => {
    expect(restoreLastKnown(raw)).toBeNull();
  });

  it('drops a damaged block alone and keeps the rest', () => {
    const r = restoreLastKnown({ ...good, price: { last: -1, ts: 5 }, balances: { doge: '10', usd: 2, ts: 1 } });
    expect(r).toMatchObject({ price: null, balances: null, balance_recon: good.balance_recon });
  });

  it('drops non-JSON values, __proto__ keys and blocks over the size cap', () => {
    const raw = JSON.parse(`{"ts":1,"price":{"last":1,"ts":1,"__proto__":{"polluted":true}},"balance_recon":{"current_doge_eq":null,"big":"${'x'.repeat(LAST_KNOWN_BLOCK_MAX_BYTES)}"}}`) as unknown;
    const r = restoreLastKnown(raw);
    expect(r?.price).toEqual({ last: 1, ts: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(r?.balance_recon).toBeNull();
  });

  it('an old state without the field loads (no last_known), and the field round-trips through the codec', () => {
    const old = serializeReconState(emptyReconState(), 5) as unknown as Record<string, unknown>;
    delete old.last_known;
    expect(restoreReconState(old, 100).state.last_known ?? null).toBeNull();
    const withIt = { ...emptyReconState(), baseline: { doge: '1', usd: '1', ts: 1, price: 1, pnl_source_at_baseline: null }, last_known: good };
    const back = restoreReconState(JSON.parse(JSON.stringify(serializeReconState(withIt, 9))), 100);
    expect(back.state.last_known).toEqual(good);
    expect(back.repairs).toEqual([]);
  });
});
