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
/** Rate-limit answers are remembered this long; a second one inside it means the real counter is tighter. */
export const LIMIT_MEMORY_SEC = 30 * 60;
/** Bounds the halvings of the ceiling's recovery rate (see `recoveryPerSec`). */
const MAX_RECOVERY_HALVINGS = 20;
/** Throttled answers name the time to wait for; one further away than this is capped (a clock or parsing fault). */
export const MAX_THROTTLE_SEC = 15 * 60;
/** A Throttled answer without a readable time waits this long. */
export const DEFAULT_THROTTLE_SEC = 5;

/** What the last `EService:Throttled` answer did to the budget, for the log. */
export interface ThrottleNote {
  /** The time Kraken named, on our clock (null: none readable). */
  readonly requested: number | null;
  /** The pause applied (null: none, the time had passed). */
  readonly until: number | null;
  readonly capped: boolean;
}

export class RateBudget {
  private counter = 0;
  private counterTs: number;
  private tickSpent = 0;
  /**
   * Learned upper bound below the tier max after repeated rate-limit answers (a tighter real counter); it
   * climbs back to the tier max at `recoveryPerSec` while calls succeed (see `creditCleanCall`).
   */
  private ceiling: number;
  /** The last clean call since the last rate-limit answer (recovery is credited between clean calls). */
  private lastCleanTs: number | null = null;
  /** Times of the rate-limit answers of the last LIMIT_MEMORY_SEC, oldest first. */
  private recentLimits: number[] = [];
  private consecutiveRateLimits = 0;
  private pausedUntilTs: number | null = null;
  /** Kraken's clock minus ours (seconds), for the times Kraken names in Throttled answers. */
  clockOffsetSec = 0;
  lastThrottle: ThrottleNote | null = null;

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

  /**
   * Why a call of this cost cannot be sent now, or null when it can. A call made outside the loop's ticks (the
   * socket's token) answers to Kraken's counter and the pauses, not to a tick's allowance.
   */
  whyNot(cost: number, now: number, outsideTick = false): DeferReason | null {
    if (this.pausedUntil(now) !== null) return 'paused';
    if (!outsideTick && this.tickSpent + cost > this.opts.perLoop) return 'tick_allowance';
    if (this.counterAt(now) + cost > this.effectiveMax() - this.opts.reserve) return 'counter';
    return null;
  }


  /** Spends `cost` if it fits and returns true; otherwise counts a deferral and returns false. */
  tryTake(cost: number, now: number, outsideTick = false): boolean {
    if (this.whyNot(cost, now, outsideTick) !== null) {
      this.deferrals++;
      return false;
    }
    this.counter = this.counterAt(now) + cost;
    // A clock stepped backwards must not earn decay later on.
    this.counterTs = Math.max(this.counterTs, now);
    if (!outsideTick) this.tickSpent += cost;
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

  /** A call was answered without error at `now`. */
  onSuccess(now: number): void {
    this.consecutiveRateLimits = 0;
    this.creditCleanCall(now);
  }

  /**
   * Kraken said the counter is over: treat it as full (Kraken's own counter then needs `cost / decay` seconds
   * before the call fits again, and so does the model) and back off. One answer alone lowers nothing else: a
   * burst by another user of the key, or a spurious answer, drains from Kraken's counter like ours does. A
   * repeat within LIMIT_MEMORY_SEC says the real counter is tighter: the ceiling drops below where the model
   * was, then climbs back at the tier's decay rate, halved for every further repeat still remembered.
   */
  onRateLimited(now: number, cost: number): void {
    this.rateLimitErrors++;
    this.consecutiveRateLimits++;
    this.lastCleanTs = null;
    this.recentLimits = this.recentLimits.filter((t) => now - t < LIMIT_MEMORY_SEC && t <= now);
    this.recentLimits.push(now);
    if (this.recentLimits.length >= 2) {
      const before = this.counterAt(now) - cost;
      // Never below the largest call (a Ledgers page), or ledger polls could starve behind balance refreshes.
      this.ceiling = Math.max(LARGEST_CALL_COST + this.opts.reserve, Math.min(this.ceiling, before + cost - 1));
    }
    this.counter = this.opts.max;
    this.counterTs = now;
    // The first back-off is what a full counter needs to fit the largest call; repeats double from 5 s.
    const drain = LARGEST_CALL_COST / this.opts.decayPerSec;
    const n = this.consecutiveRateLimits;
    const backoff = n === 1 ? drain : Math.max(drain, Math.min(MAX_BACKOFF_SEC, 5 * 2 ** (n - 2)));
    this.pause(now + backoff);
  }

  /**
   * `EService:Throttled: <ts>`: no private call until Kraken's time `ts` (converted to our clock). A time that
   * has passed pauses nothing; one more than MAX_THROTTLE_SEC away is capped; none readable waits
   * DEFAULT_THROTTLE_SEC. The counter is left alone: throttling is about concurrent calls, not points.
   */
  onThrottled(now: number, untilKraken: number | null): ThrottleNote {
    const requested = untilKraken === null ? null : untilKraken - this.clockOffsetSec;
    let note: ThrottleNote;
    if (requested === null) note = { requested, until: now + DEFAULT_THROTTLE_SEC, capped: false };
    else if (requested <= now) note = { requested, until: null, capped: false };
    else if (requested - now > MAX_THROTTLE_SEC) note = { requested, until: now + MAX_THROTTLE_SEC, capped: true };
    else note = { requested, until: requested, capped: false };
    if (note.until !== null) this.pause(note.until);
    this.lastThrottle = note;
    return note;
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

  /** The tier max, or the learned ceiling while it is still climbing back to it. */
  effectiveMax(): number {
    return Math.min(this.opts.max, this.ceiling);
  }

  /**
   * How fast a lowered ceiling climbs back while `remembered` rate-limit answers are in memory: at the tier's
   * decay rate (another user's points drain from Kraken's counter that fast) with at most two, halved for each
   * one more (the same wall met again and again is a tighter counter, not a passing burst).
   */
  private recoveryPerSec(remembered: number): number {
    return this.opts.decayPerSec / 2 ** Math.min(MAX_RECOVERY_HALVINGS, Math.max(0, remembered - 2));
  }

  /**
   * A clean call at `now` moves a lowered ceiling up by the recovery rate times the time since the last clean
   * call. A gap longer than the counter's full drain (`max / decay`) counts only that long: an idle hour says
   * nothing about the counter, so bursts after idle periods do not each meet the same wall again.
   */
  private creditCleanCall(now: number): void {
    const since = this.lastCleanTs;
    this.lastCleanTs = Math.max(this.lastCleanTs ?? now, now);
    if (this.ceiling >= this.opts.max || since === null || now <= since) return;
    this.recentLimits = this.recentLimits.filter((t) => now - t < LIMIT_MEMORY_SEC);
    const gap = Math.min(now - since, this.opts.max / this.opts.decayPerSec);
    this.ceiling = Math.min(this.opts.max, this.ceiling + this.recoveryPerSec(this.recentLimits.length) * gap);
  }

  private pause(until: number): void {
    this.pausedUntilTs = Math.max(this.pausedUntilTs ?? 0, until);
  }
}
