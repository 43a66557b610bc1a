import { describe, expect, it, vi } from 'vitest';
import { RateBudget, type BudgetOptions } from '../../src/kraken/budget.js';
import { KrakenError, fromKrakenErrorString } from '../../src/kraken/errors.js';
import { callPrivate, type RetryPolicy } from '../../src/kraken/private-calls.js';

const FAST: RetryPolicy = { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 2 };
const T0 = 1_700_000_000;

function setup(overrides: Partial<BudgetOptions> = {}): { budget: RateBudget; clock: { now: number }; nowSec: () => number } {
  const clock = { now: T0 };
  const budget = new RateBudget({ max: 15, decayPerSec: 0.33, reserve: 0, perLoop: 20, ...overrides }, T0);
  budget.beginTick();
  return { budget, clock, nowSec: () => clock.now };
}

const kraken = (text: string, endpoint = 'Balance'): KrakenError => fromKrakenErrorString(text, endpoint);

describe('callPrivate', () => {
  it('sends once, charges the endpoint cost and returns the value', async () => {
    const { budget, nowSec } = setup();
    const send = vi.fn(async () => ({ XXDG: '1.0' }));
    const out = await callPrivate('Ledgers', budget, nowSec, send, FAST);
    expect(out).toEqual({ ok: true, value: { XXDG: '1.0' } });
    expect(send).toHaveBeenCalledTimes(1);
    expect(budget.counterAt(T0)).toBe(2);
    expect(budget.calls).toBe(1);
  });

  it('passes the caller signal to send', async () => {
    const { budget, nowSec } = setup();
    const controller = new AbortController();
    const send = vi.fn(async (_s: AbortSignal | undefined) => 'ok');
    await callPrivate('Balance', budget, nowSec, send, FAST, controller.signal);
    expect(send).toHaveBeenCalledWith(controller.signal);
  });

  it('a call over the tick allowance is deferred and never sent', async () => {
    const { budget, nowSec } = setup({ perLoop: 1 });
    const send = vi.fn(async () => 'never');
    const out = await callPrivate('Ledgers', budget, nowSec, send, FAST);
    expect(out).toEqual({ ok: false, deferred: 'tick_allowance' });
    expect(send).not.toHaveBeenCalled();
    expect(budget.deferrals).toBe(1);
    expect(budget.counterAt(T0)).toBe(0);
  });

  it('a call that would overrun the counter is deferred and never sent', async () => {
    const { budget, nowSec } = setup({ reserve: 3 });
    for (let i = 0; i < 11; i++) budget.tryTake(1, T0);
    const send = vi.fn(async () => 'never');
    expect(await callPrivate('Ledgers', budget, nowSec, send, FAST)).toEqual({ ok: false, deferred: 'counter' });
    expect(send).not.toHaveBeenCalled();
  });

  it('a call during a pause is deferred and never sent', async () => {
    const { budget, nowSec } = setup();
    budget.onLockout(T0 - 10);
    const send = vi.fn(async () => 'never');
    expect(await callPrivate('Balance', budget, nowSec, send, FAST)).toEqual({ ok: false, deferred: 'paused' });
    expect(send).not.toHaveBeenCalled();
  });

  it('each retry pays its cost: two transient failures then success charge three Ledgers calls', async () => {
    const { budget, nowSec } = setup();
    const send = vi
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(kraken('EService:Unavailable', 'Ledgers'))
      .mockRejectedValueOnce(new KrakenError('transient', 'NET:timeout', 'Ledgers: timeout', 'Ledgers'))
      .mockResolvedValueOnce('page');
    const out = await callPrivate('Ledgers', budget, nowSec, send, FAST);
    expect(out).toEqual({ ok: true, value: 'page' });
    expect(send).toHaveBeenCalledTimes(3);
    expect(budget.counterAt(T0)).toBe(6);
    expect(budget.calls).toBe(3);
    expect(budget.errorsByCode).toEqual({ 'EService:Unavailable': 1, 'NET:timeout': 1 });
  });

  it('transient errors are retried `retries` times, then the last one is surfaced', async () => {
    const { budget, nowSec } = setup();
    const send = vi.fn(async () => {
      throw kraken('EService:Busy');
    });
    const out = await callPrivate('Balance', budget, nowSec, send, FAST);
    expect(send).toHaveBeenCalledTimes(FAST.retries + 1);
    expect(out.ok).toBe(false);
    expect('error' in out && out.error).toMatchObject({ kind: 'transient', code: 'EService:Busy' });
    expect(budget.counterAt(T0)).toBe(3);
    expect(budget.errorsByCode['EService:Busy']).toBe(3);
  });

  it('a retry that no longer fits the tick is not sent, and the call reports the failure it had', async () => {
    const { budget, nowSec } = setup({ perLoop: 3 });
    const send = vi.fn(async () => {
      throw kraken('EGeneral:Internal error', 'Ledgers');
    });
    const out = await callPrivate('Ledgers', budget, nowSec, send, FAST);
    expect(out).toMatchObject({ ok: false, error: { kind: 'transient', code: 'EGeneral:Internal error' } });
    expect(budget.deferrals).toBe(1);
    expect(send).toHaveBeenCalledTimes(1);
    expect(budget.counterAt(T0)).toBe(2);
  });

  it('an unexpected exception from send is a transient INTERNAL:error and is retried', async () => {
    const { budget, nowSec } = setup();
    const send = vi.fn<() => Promise<string>>().mockRejectedValueOnce(new Error('boom')).mockResolvedValueOnce('ok');
    expect(await callPrivate('Balance', budget, nowSec, send, FAST)).toEqual({ ok: true, value: 'ok' });
    expect(budget.errorsByCode).toEqual({ 'INTERNAL:error': 1 });
  });

  it('a rate-limit answer is not retried: the budget fills its counter and pauses', async () => {
    const { budget, clock, nowSec } = setup();
    for (let i = 0; i < 9; i++) budget.tryTake(1, T0);
    const send = vi.fn(async () => {
      throw kraken('EAPI:Rate limit exceeded');
    });
    const out = await callPrivate('Balance', budget, nowSec, send, FAST);
    expect(send).toHaveBeenCalledTimes(1);
    expect('error' in out && out.error).toMatchObject({ kind: 'rate_limited', code: 'EAPI:Rate limit exceeded' });
    expect(budget.rateLimitErrors).toBe(1);
    expect(budget.counterAt(clock.now)).toBe(15);
    expect(budget.pausedUntil(clock.now)).not.toBeNull();
  });

  it('a temporary lockout is not retried and pauses private calls for 15 minutes', async () => {
    const { budget, nowSec } = setup();
    const send = vi.fn(async () => {
      throw kraken('EGeneral:Temporary lockout');
    });
    const out = await callPrivate('Balance', budget, nowSec, send, FAST);
    expect(send).toHaveBeenCalledTimes(1);
    expect('error' in out && out.error).toMatchObject({ kind: 'locked_out', code: 'EGeneral:Temporary lockout' });
    expect(budget.lockouts).toBe(1);
    expect(budget.pausedUntil(T0)).toBe(T0 + 900);
  });

  it.each(['EAPI:Invalid key', 'EAPI:Invalid signature', 'EGeneral:Permission denied', 'EAPI:Invalid nonce'])(
    'the fatal %s is not retried and is counted by code',
    async (text) => {
      const { budget, nowSec } = setup();
      const send = vi.fn(async () => {
        throw kraken(text);
      });
      const out = await callPrivate('Balance', budget, nowSec, send, FAST);
      expect(send).toHaveBeenCalledTimes(1);
      expect('error' in out && out.error).toMatchObject({ kind: 'fatal', code: text });
      expect(budget.errorsByCode[text]).toBe(1);
      expect(budget.rateLimitErrors).toBe(0);
    },
  );

  it('an invalid-request answer is not retried', async () => {
    const { budget, nowSec } = setup();
    const send = vi.fn(async () => {
      throw kraken('EGeneral:Invalid arguments:ofs', 'Ledgers');
    });
    const out = await callPrivate('Ledgers', budget, nowSec, send, FAST);
    expect(send).toHaveBeenCalledTimes(1);
    expect('error' in out && out.error).toMatchObject({ kind: 'invalid_request', code: 'EGeneral:Invalid arguments' });
  });

  it('the time a call spends in flight earns no decay (Kraken may charge it on arrival)', async () => {
    const { budget, clock, nowSec } = setup();
    for (let i = 0; i < 12; i++) budget.tryTake(1, T0);
    const send = vi.fn(async () => {
      clock.now += 8; // a slow answer
      return 'ok';
    });
    await callPrivate('Ledgers', budget, nowSec, send, FAST);
    expect(budget.counterAt(clock.now)).toBe(14);
  });

  it('an already aborted signal sends nothing', async () => {
    const { budget, nowSec } = setup();
    const controller = new AbortController();
    controller.abort();
    const send = vi.fn(async () => 'never');
    const out = await callPrivate('Balance', budget, nowSec, send, FAST, controller.signal);
    expect(out.ok).toBe(false);
    expect(send).not.toHaveBeenCalled();
  });
});
