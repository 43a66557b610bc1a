/**
 * A model of Kraken's per-key private-call counter (DESIGN.md sections 4-5). Kraken adds the call's cost and
 * decays the counter continuously; going over the tier's max answers `EAPI:Rate limit exceeded`. The model
 * charges a call when it is sent and credits no decay until its answer (`onSettled`): Kraken charges it
 * somewhere in between, so the model never under-estimates.
 *
 * A call that does not fit (per-tick allowance, counter headroom minus the reserve, or a pause) is deferred:
 * counted here and never sent. Times are unix seconds, passed in.
 */
export interface BudgetOptions {
  readonly max: number;
  readonly decayPerSec: number;
  /** Points never used, left for other users of the key. */
  readonly reserve: number;
  /** Points one tick may spend. */
  readonly perLoop: number;
}

export type DeferReason = 'paused' | 'tick_allowance' | 'counter';

export interface BudgetSnapshot {
  readonly counter: number;
  readonly ts: number;
  /** A lockout or back-off still running: a restart must not call Kraken during it. */
  readonly paused_until?: number | null;
}

const LOCKOUT_SEC = 15 * 60;
/** A Ledgers page costs 2: the learned ceiling never drops below what one needs. */
const LARGEST_CALL_COST = 2;
const MAX_BACKOFF_SEC = 300;
/** After a rate-limit answer the ceiling creeps back to the tier max by this much per successful call. */
const CEILING_RECOVERY_PER_CALL = 0.05;

export class RateBudget {
  private counter = 0;
  private counterTs: number;
  private tickSpent = 0;
  /** Learned upper bound below the tier max after Kraken said we were over (a tighter real counter). */
  private ceiling: number;
  private consecutiveRateLimits = 0;
  private pausedUntilTs: number | null = null;

  calls = 0;
  deferrals = 0;
  rateLimitErrors = 0;
  lockouts = 0;
  readonly errorsByCode: Record<string, number> = {};

  constructor(
    readonly opts: BudgetOptions,
    now: number,
    restored?: BudgetSnapshot,
  ) {
    this.counterTs = now;
    this.ceiling = opts.max;
    if (restored !== undefined && Number.isFinite(restored.counter) && Number.isFinite(restored.ts)) {
      // A restart shortly after heavy use must not assume an empty counter.
      this.counter = Math.min(opts.max, Math.max(0, restored.counter - opts.decayPerSec * Math.max(0, now - restored.ts)));
      const until = restored.paused_until;
      if (typeof until === 'number' && Number.isFinite(until) && until > now) this.pausedUntilTs = until;
    }
  }

  /** Start of a tick: the per-tick allowance refills. */
  beginTick(): void {
    this.tickSpent = 0;
  }

  counterAt(now: number): number {
    return Math.max(0, this.counter - this.opts.decayPerSec * Math.max(0, now - this.counterTs));
  }

  pausedUntil(now: number): number | null {
    return this.pausedUntilTs !== null && this.pausedUntilTs > now ? this.pausedUntilTs : null;
  }

  /** Why a call of this cost cannot be sent now, or null when it can. */
  whyNot(cost: number, now: number): DeferReason | null {
    if (this.pausedUntil(now) !== null) return 'paused';
    if (this.tickSpent + cost > this.opts.perLoop) return 'tick_allowance';
    if (this.counterAt(now) + cost > this.effectiveMax() - this.opts.reserve) return 'counter';
    return null;
  }


  /** Spends `cost` if it fits and returns true; otherwise counts a deferral and returns false. */
  tryTake(cost: number, now: number): boolean {
    if (this.whyNot(cost, now) !== null) {
      this.deferrals++;
      return false;
    }
    this.counter = this.counterAt(now) + cost;
    // A clock stepped backwards must not earn decay later on.
    this.counterTs = Math.max(this.counterTs, now);
    this.tickSpent += cost;
    this.calls++;
    return true;
  }

  /**
   * A sent call got its answer (or failed) at `now`. Kraken charges a call when it arrives, which can be as
   * late as that, so the time it was in flight earns no decay: the counter stays as charged, dated `now`.
   */
  onSettled(now: number): void {
    this.counterTs = Math.max(this.counterTs, now);
  }

  onSuccess(): void {
    this.consecutiveRateLimits = 0;
    this.ceiling = Math.min(this.opts.max, this.ceiling + CEILING_RECOVERY_PER_CALL);
  }

  /** Kraken said the counter is over: treat it as full, lower the ceiling below where we were, back off. */
  onRateLimited(now: number, cost: number): void {
    this.rateLimitErrors++;
    this.consecutiveRateLimits++;
    const before = this.counterAt(now) - cost;
    // Never below the largest call (a Ledgers page), or ledger polls could starve behind balance refreshes.
    this.ceiling = Math.max(LARGEST_CALL_COST + this.opts.reserve, Math.min(this.ceiling, before + cost - 1));
    this.counter = this.opts.max;
    this.counterTs = now;
    const backoff = Math.min(MAX_BACKOFF_SEC, 5 * 2 ** (this.consecutiveRateLimits - 1));
    this.pause(now + backoff);
  }

  onLockout(now: number): void {
    this.lockouts++;
    this.counter = this.opts.max;
    this.counterTs = now;
    this.pause(now + LOCKOUT_SEC);
  }

  /** Kraken rejected the key itself: stop private calls for a while instead of hammering it. */
  onFatal(now: number): void {
    this.pause(now + LOCKOUT_SEC);
  }

  countError(code: string): void {
    this.errorsByCode[code] = (this.errorsByCode[code] ?? 0) + 1;
  }

  snapshot(now: number): BudgetSnapshot {
    return { counter: this.counterAt(now), ts: now, paused_until: this.pausedUntil(now) };
  }

  effectiveMax(): number {
    return Math.min(this.opts.max, this.ceiling);
  }

  private pause(until: number): void {
    this.pausedUntilTs = Math.max(this.pausedUntilTs ?? 0, until);
  }
}
