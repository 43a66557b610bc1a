import pRetry, { AbortError } from 'p-retry';
import type { DeferReason, RateBudget } from './budget.js';
import { KrakenError } from './errors.js';

/** Cost points Kraken charges per private endpoint (DESIGN.md section 4). */
export const CALL_COST = { Balance: 1, Ledgers: 2, GetWebSocketsToken: 1 } as const;
export type PrivateEndpoint = keyof typeof CALL_COST;
/** Calls made outside the loop's ticks: they spend Kraken's counter but no tick's allowance. */
const OUTSIDE_TICK: ReadonlySet<PrivateEndpoint> = new Set(['GetWebSocketsToken']);

export type CallOutcome<T> =
  | { ok: true; value: T }
  | { ok: false; deferred: DeferReason }
  | { ok: false; error: KrakenError };

export interface RetryPolicy {
  readonly retries: number;
  readonly minTimeoutMs: number;
  readonly maxTimeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 2, minTimeoutMs: 500, maxTimeoutMs: 4000 };

class Deferred extends Error {
  constructor(readonly reason: DeferReason) {
    super(`deferred: ${reason}`);
  }
}

/**
 * Runs one private call inside the rate budget. Every attempt (first and retries) must fit the budget and pays
 * its cost; a call that does not fit is deferred, never sent. Transient failures are retried with p-retry;
 * rate-limit, throttle and lockout answers update the budget model and are not retried.
 */
export async function callPrivate<T>(
  endpoint: PrivateEndpoint,
  budget: RateBudget,
  nowSec: () => number,
  send: (signal: AbortSignal | undefined) => Promise<T>,
  retry: RetryPolicy = DEFAULT_RETRY,
  signal?: AbortSignal,
): Promise<CallOutcome<T>> {
  const cost = CALL_COST[endpoint];
  const outside = OUTSIDE_TICK.has(endpoint);
  let lastFailure: KrakenError | null = null;
  try {
    const value = await pRetry(
      async () => {
        const now = nowSec();
        const reason = budget.whyNot(cost, now, outside);
        if (!budget.tryTake(cost, now, outside)) throw new AbortError(new Deferred(reason ?? 'counter'));
        try {
          const result = await send(signal);
          budget.onSettled(nowSec());
          budget.onSuccess(nowSec());
          return result;
        } catch (err) {
          budget.onSettled(nowSec());
          const e = asKrakenError(err, endpoint);
          lastFailure = e;
          budget.countError(e.code);
          if (e.kind === 'rate_limited') budget.onRateLimited(nowSec(), cost);
          if (e.kind === 'locked_out') budget.onLockout(nowSec());
          if (e.kind === 'throttled') budget.onThrottled(nowSec(), e.retryAtKraken);
          throw e.retryable ? e : new AbortError(e);
        }
      },
      {
        retries: retry.retries,
        minTimeout: retry.minTimeoutMs,
        maxTimeout: retry.maxTimeoutMs,
        randomize: true,
        ...(signal !== undefined ? { signal } : {}),
      },
    );
    return { ok: true, value };
  } catch (err) {
    if (err instanceof Deferred) {
      // A retry that no longer fits the budget leaves the call failed, not merely deferred: report the failure.
      return lastFailure !== null ? { ok: false, error: lastFailure } : { ok: false, deferred: err.reason };
    }
    return { ok: false, error: asKrakenError(err, endpoint) };
  }
}

function asKrakenError(err: unknown, endpoint: string): KrakenError {
  if (err instanceof KrakenError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new KrakenError('transient', 'INTERNAL:error', `${endpoint}: ${message}`, endpoint);
}
