import { afterEach, describe, expect, it } from 'vitest';
import { carryRejection, keyFingerprint, restoreRejection } from '../../src/kraken/key-rejection.js';
import { restoreReconState, serializeReconState } from '../../src/recon/state-codec.js';
import { emptyReconState } from '../../src/recon/state.js';
import { startHarness, type Harness } from '../helpers/daemon-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const balanceCalls = (): number => h?.sim.stats().requests.filter((r) => r.endpoint === 'Balance').length ?? 0;

describe('a rejected key across a restart', () => {
  it('is still reported (status and metrics) during the pause it caused, without a call to Kraken', async () => {
    h = await startHarness();
    await h.step();
    h.sim.inject({ kind: 'error', error: 'EAPI:Invalid key' }, { endpoint: 'Balance', count: 1000 });
    await h.step();
    const pausedUntil = h.daemon.status?.budget.paused_until;
    await h.daemon.shutdown();
    await h.restart();
    const sent = balanceCalls();
    await h.step();
    expect(balanceCalls()).toBe(sent);
    expect(h.daemon.status?.budget).toMatchObject({ fatal_error: 'Balance: EAPI:Invalid key', paused_until: pausedUntil });
    expect(h.daemon.fatalError).toBe('Balance: EAPI:Invalid key'); // kraken_sidecar_kraken_key_rejected reads this
    // The key works again after the pause: the next answer clears it.
    h.sim.clearFaults();
    await h.step(900);
    expect(h.daemon.status?.budget.fatal_error).toBeNull();
    expect(h.daemon.status?.balances.ok).toBe(true);
  });

  it('is forgotten, with its pause, when the restart brings another key: the new key is tried at once', async () => {
    h = await startHarness();
    await h.step();
    h.sim.inject({ kind: 'error', error: 'EAPI:Invalid key' }, { endpoint: 'Balance', count: 1 });
    await h.step();
    expect(h.daemon.status?.budget.paused_until).not.toBeNull();
    await h.daemon.shutdown();
    await h.restart({ KRAKEN_API_KEY: 'a-new-key-after-the-fix' });
    const sent = balanceCalls();
    await h.step();
    expect(balanceCalls()).toBe(sent + 1);
    expect(h.daemon.status?.budget).toMatchObject({ fatal_error: null, paused_until: null });
    expect(h.daemon.status?.balances.ok).toBe(true);
  });
});

describe('saved rejection', () => {
  it('round-trips through the state codec; older and damaged states load without one', () => {
    const s = emptyReconState();
    s.budget = { counter: 3, ts: 100, paused_until: 1000, rejected: { error: 'Balance: EAPI:Invalid key', key: keyFingerprint('k') } };
    const back = restoreReconState(JSON.parse(JSON.stringify(serializeReconState(s, 100))), 1000).state;
    expect(back.budget?.rejected).toEqual({ error: 'Balance: EAPI:Invalid key', key: keyFingerprint('k') });
    expect(restoreReconState({ budget: { counter: 1, ts: 1 } }, 1000).state.budget?.rejected).toBeNull();
    for (const bad of [null, 'x', { error: 1, key: 'abc' }, { error: 'e', key: 'not-hex' }, { error: '', key: keyFingerprint('k') }]) expect(restoreRejection(bad)).toBeNull();
    expect(restoreRejection({ error: 'e'.repeat(5000), key: keyFingerprint('k') })?.error).toHaveLength(300);
  });

  it('belongs to one key: the fingerprint is not the key, and another key drops it and its pause', () => {
    expect(keyFingerprint('my-api-key')).not.toContain('my-api-key');
    expect(keyFingerprint('my-api-key')).toMatch(/^[0-9a-f]{16}$/);
    const budget = { counter: 3, ts: 100, paused_until: 1000, rejected: { error: 'e', key: keyFingerprint('old') } };
    expect(carryRejection(budget, 'old')).toEqual({ rejected: 'e', budget });
    expect(carryRejection(budget, 'new')).toEqual({ rejected: null, budget: { ...budget, paused_until: null, rejected: null } });
    expect(carryRejection(null, 'x')).toEqual({ rejected: null, budget: null });
  });
});
