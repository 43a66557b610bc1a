import type { RateBudget } from './budget.js';
import { callPrivate, type CallOutcome, type PrivateEndpoint, type RetryPolicy } from './private-calls.js';

/**
 * Every private call of one key, one at a time and inside one budget. Kraken rejects a nonce lower than one it
 * has seen, so two calls in flight at once (a tick's Balance and a socket's token) could fail each other.
 */
export class PrivateLane {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly budget: RateBudget,
    private readonly nowSec: () => number,
    private readonly retry: RetryPolicy,
  ) {}

  call<T>(endpoint: PrivateEndpoint, send: (signal: AbortSignal | undefined) => Promise<T>, signal?: AbortSignal): Promise<CallOutcome<T>> {
    const run = this.tail.then(() => callPrivate(endpoint, this.budget, this.nowSec, send, this.retry, signal));
    this.tail = run.catch(() => undefined);
    return run;
  }
}
