import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/daemon-harness.js';

/** DESIGN.md section 18's rarer Kraken answers, played by the simulator against the whole loop, tick by tick. */
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const balanceCalls = (): number => h?.sim.stats().requests.filter((r) => r.endpoint === 'Balance').length ?? 0;
const nowSec = (): number => (h?.clock.ms ?? 0) / 1000;

describe('EService:Throttled through the loop', () => {
  it('a time a few seconds ahead: no private call until then, watched call by call, then calls resume', async () => {
    h = await startHarness({ env: { LOOP_INTERVAL_SEC: '1' } });
    await h.step();
    expect(h.daemon.status?.balances.ok).toBe(true);
    const until = Math.floor(nowSec()) + 6;
    h.sim.inject({ kind: 'error', error: `EService:Throttled: ${until}` }, { endpoint: 'Balance' });
    await h.step();
    const afterThrottle = balanceCalls();
    expect(h.daemon.status?.budget.paused_until).toBe(until);
    expect(h.daemon.status?.budget.errors_by_code['EService:Throttled']).toBe(1);
    expect(h.daemon.status?.balances.ok).toBe(false);
    // Once, not retried at once, and nothing more while the time has not come.
    while (nowSec() + 1 < until) {
      await h.step(1);
      expect(balanceCalls(), `no Balance call at ${nowSec()} (throttled until ${until})`).toBe(afterThrottle);
    }
    await h.step(1);
    expect(nowSec()).toBeGreaterThanOrEqual(until);
    expect(balanceCalls()).toBe(afterThrottle + 1);
    expect(h.daemon.status?.balances.ok).toBe(true);
    expect(h.daemon.status?.budget.paused_until).toBeNull();
    const line = h.log.lines().find((l) => l.code === 'EService:Throttled');
    expect(line).toMatchObject({ level: 40, paused_until: until });
  });

  it('the pause survives a restart, like a lockout', async () => {
    h = await startHarness({ env: { LOOP_INTERVAL_SEC: '1' } });
    await h.step();
    const until = Math.floor(nowSec()) + 120;
    h.sim.inject({ kind: 'error', error: `EService:Throttled: ${until}` }, { endpoint: 'Balance' });
    await h.step();
    const sent = balanceCalls();
    await h.restart();
    await h.step(30);
    expect(balanceCalls()).toBe(sent);
    expect(h.daemon.status?.budget.paused_until).toBe(until);
    await h.step(91);
    expect(balanceCalls()).toBe(sent + 1);
  });

  it('a far-future time is capped at 15 minutes and the log says so; a time in the past pauses nothing', async () => {
    h = await startHarness();
    await h.step();
    h.sim.inject({ kind: 'error', error: `EService:Throttled: ${Math.floor(nowSec()) + 10 * 86_400}` }, { endpoint: 'Balance' });
    await h.step();
    expect(h.daemon.status?.budget.paused_until).toBe(nowSec() + 900);
    expect(h.log.text()).toContain('private calls pause 900 s instead');
    await h.step(900);
    expect(h.daemon.status?.balances.ok).toBe(true);
    h.sim.inject({ kind: 'error', error: `EService:Throttled: ${Math.floor(nowSec()) - 60}` }, { endpoint: 'Balance' });
    await h.step();
    expect(h.daemon.status?.budget.paused_until).toBeNull();
    const sent = balanceCalls();
    await h.step();
    expect(balanceCalls()).toBe(sent + 1);
    expect(h.daemon.status?.balances.ok).toBe(true);
  });

  it('garbage after Throttled pauses briefly instead of retrying at once', async () => {
    h = await startHarness({ env: { LOOP_INTERVAL_SEC: '1' } });
    await h.step();
    h.sim.inject({ kind: 'error', error: 'EService:Throttled: soon' }, { endpoint: 'Balance' });
    await h.step();
    const sent = balanceCalls();
    expect(h.daemon.status?.budget.paused_until).toBe(nowSec() + 5);
    await h.step(1);
    expect(balanceCalls()).toBe(sent);
    await h.step(5);
    expect(balanceCalls()).toBe(sent + 1);
  });
});

describe('account-level rejections and mixed error arrays through the loop', () => {
  it.each(['ETrade:User Locked', 'ESession:Invalid session'])('%s stops private calls like a rejected key and says so', async (text) => {
    h = await startHarness();
    await h.step();
    h.sim.inject({ kind: 'error', error: text }, { endpoint: 'Balance' });
    await h.step();
    expect(h.daemon.status?.budget.fatal_error).toContain(text);
    const sent = balanceCalls();
    await h.step(600);
    expect(balanceCalls()).toBe(sent);
    expect(h.log.text()).toContain('Kraken rejected the API key');
  });

  it('an answer with a warning and a rate-limit error is a rate limit (the warning does not hide it)', async () => {
    h = await startHarness();
    await h.step();
    const body = JSON.stringify({ error: ['WGeneral:Something to note', 'EGeneral:Too many requests'], result: { XXDG: '1' } });
    h.sim.inject({ kind: 'http', status: 200, contentType: 'application/json', body }, { endpoint: 'Balance' });
    await h.step();
    expect(h.daemon.status?.budget.rate_limit_errors).toBe(1);
    expect(h.daemon.status?.balances.doge).toBe(10000); // the result beside the error is not read
  });
});
