import type { SimTier } from './types.js';

/** Kraken's private-call counter per verification tier (DESIGN.md section 3). */
export const TIER_LIMITS: Readonly<Record<SimTier, { max: number; decayPerSec: number }>> = {
  starter: { max: 15, decayPerSec: 0.33 },
  intermediate: { max: 20, decayPerSec: 0.5 },
  pro: { max: 20, decayPerSec: 1 },
};

export interface RateCounterConfig {
  max: number;
  decayPerSec: number;
  /** 0 = lockout off. */
  lockoutAfterViolations: number;
  lockoutSec: number;
}

export type ChargeResult = { ok: true; counter: number } | { ok: false; reason: 'rate-limit' | 'lockout' };

interface KeyState {
  counter: number;
  at: number;
  violations: number[];
  lockedUntil: number;
}

const VIOLATION_WINDOW_MS = 60_000;

/**
 * One counter per API key, decaying continuously on the sim's clock: c = max(0, c − decay·Δt).
 * A call that would push c over `max` is rejected and adds nothing.
 */
export class RateCounters {
  private readonly keys = new Map<string, KeyState>();

  constructor(
    private readonly config: RateCounterConfig,
    private readonly now: () => number,
  ) {}

  get max(): number {
    return this.config.max;
  }

  /** Decayed counter of `key` now (0 for a key never charged). */
  counter(key: string): number {
    return this.decayed(key).counter;
  }

  all(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const key of this.keys.keys()) out[key] = this.counter(key);
    return out;
  }

  isLockedOut(key: string): boolean {
    return this.decayed(key).lockedUntil > this.now();
  }

  /** Charge `cost` points or refuse: lockout first, then the ceiling. */
  charge(key: string, cost: number): ChargeResult {
    const state = this.decayed(key);
    const now = this.now();
    if (state.lockedUntil > now) return { ok: false, reason: 'lockout' };
    if (state.counter + cost > this.config.max + 1e-9) {
      this.recordViolation(state, now);
      return { ok: false, reason: 'rate-limit' };
    }
    state.counter += cost;
    return { ok: true, counter: state.counter };
  }

  /** Mark the counter full, e.g. after an injected rate-limit error, so the sim agrees with what it said. */
  fill(key: string): void {
    this.decayed(key).counter = this.config.max;
  }

  private recordViolation(state: KeyState, now: number): void {
    if (this.config.lockoutAfterViolations <= 0) return;
    state.violations = state.violations.filter((t) => now - t < VIOLATION_WINDOW_MS);
    state.violations.push(now);
    if (state.violations.length >= this.config.lockoutAfterViolations) {
      state.lockedUntil = now + this.config.lockoutSec * 1000;
      state.violations = [];
    }
  }

  private decayed(key: string): KeyState {
    const now = this.now();
    let state = this.keys.get(key);
    if (!state) {
      state = { counter: 0, at: now, violations: [], lockedUntil: 0 };
      this.keys.set(key, state);
      return state;
    }
    const elapsedSec = Math.max(0, now - state.at) / 1000;
    state.counter = Math.max(0, state.counter - this.config.decayPerSec * elapsedSec);
    state.at = now;
    return state;
  }
}
