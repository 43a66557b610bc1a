/** Reconnect timing: pure functions of counts and times, so the schedule is unit-tested without sockets. */

/** Failures retried almost at once: Kraken's advice after a random drop is to retry immediately a handful of times. */
export const QUICK_RETRIES = 3;

export interface BackoffTiming {
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
}

/**
 * Delay before the next connection after `failures` consecutive failed connections (1 = the first).
 * The first QUICK_RETRIES wait a jittered [0, base/2); then the cap doubles from base up to max and the delay is
 * "equal jitter" in [cap/2, cap), so a crowd of clients spreads out and no delay collapses to zero.
 */
export function backoffDelayMs(failures: number, t: BackoffTiming, random: () => number): number {
  const r = Math.min(Math.max(random(), 0), 1);
  if (failures <= QUICK_RETRIES) return Math.floor((r * t.backoffBaseMs) / 2);
  const exponent = Math.min(failures - QUICK_RETRIES - 1, 30);
  const cap = Math.min(t.backoffMaxMs, t.backoffBaseMs * 2 ** exponent);
  return Math.floor(cap / 2 + (r * cap) / 2);
}

/**
 * At most `max` connection attempts in any sliding window of `windowMs` (Cloudflare bans an IP that reconnects too
 * often; Kraken's SDK budgets 120 per 10 minutes). Times are monotonic ms handed in.
 */
export class AttemptBudget {
  private readonly attempts: number[] = [];

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  /** The earliest time an attempt fits: `now` when one is free, else when the oldest one in the window ages out. */
  nextAllowedAt(now: number): number {
    this.prune(now);
    if (this.attempts.length < this.max) return now;
    return (this.attempts[this.attempts.length - this.max] ?? now) + this.windowMs;
  }

  record(now: number): void {
    this.prune(now);
    this.attempts.push(now);
  }

  /** Attempts inside the window ending `now`. */
  used(now: number): number {
    this.prune(now);
    return this.attempts.length;
  }

  private prune(now: number): void {
    while (this.attempts.length > 0 && (this.attempts[0] ?? now) <= now - this.windowMs) this.attempts.shift();
  }
}

/** Waits are at least this long after the system said `maintenance` or `cancel_only`: reconnecting faster gains nothing. */
export function systemFloorMs(system: string | null, maintenanceMinMs: number): number {
  return system === 'maintenance' || system === 'cancel_only' ? maintenanceMinMs : 0;
}
