import { describe, expect, it } from 'vitest';
import { AttemptBudget, backoffDelayMs, QUICK_RETRIES, systemFloorMs } from '../../src/kraken/ws/backoff.js';

const T = { backoffBaseMs: 1000, backoffMaxMs: 60_000 };
const at = (r: number) => () => r;

describe('backoff schedule', () => {
  it('retries quickly a handful of times, jittered in [0, base/2)', () => {
    for (let f = 1; f <= QUICK_RETRIES; f += 1) {
      expect(backoffDelayMs(f, T, at(0))).toBe(0);
      expect(backoffDelayMs(f, T, at(0.999999))).toBe(499);
      expect(backoffDelayMs(f, T, at(0.5))).toBe(250);
    }
  });

  it('then doubles from base with equal jitter in [cap/2, cap)', () => {
    const caps = [1000, 2000, 4000, 8000, 16_000, 32_000];
    caps.forEach((cap, i) => {
      const f = QUICK_RETRIES + 1 + i;
      expect(backoffDelayMs(f, T, at(0))).toBe(cap / 2);
      expect(backoffDelayMs(f, T, at(0.999999))).toBe(cap - 1);
    });
  });

  it('is capped at backoffMaxMs however many failures, and never collapses to zero there', () => {
    for (const f of [QUICK_RETRIES + 7, 50, 10_000]) {
      expect(backoffDelayMs(f, T, at(0))).toBe(30_000);
      expect(backoffDelayMs(f, T, at(0.999999))).toBe(59_999);
    }
  });

  it('stays within bounds for any random draw, including out-of-range ones', () => {
    for (let i = 0; i < 500; i += 1) {
      const f = 1 + (i % 12);
      const d = backoffDelayMs(f, T, Math.random);
      const cap = f <= QUICK_RETRIES ? T.backoffBaseMs / 2 : Math.min(T.backoffMaxMs, T.backoffBaseMs * 2 ** (f - QUICK_RETRIES - 1));
      expect(d).toBeGreaterThanOrEqual(f <= QUICK_RETRIES ? 0 : cap / 2);
      expect(d).toBeLessThanOrEqual(cap);
    }
    expect(backoffDelayMs(5, T, at(-3))).toBe(1000);
    expect(backoffDelayMs(5, T, at(7))).toBe(2000);
  });

  it('maintenance and cancel_only impose the floor; other systems none', () => {
    expect(systemFloorMs('maintenance', 5000)).toBe(5000);
    expect(systemFloorMs('cancel_only', 5000)).toBe(5000);
    expect(systemFloorMs('online', 5000)).toBe(0);
    expect(systemFloorMs(null, 5000)).toBe(0);
  });
});

describe('AttemptBudget (sliding window)', () => {
  it('allows max attempts in any window, then waits for the oldest to age out', () => {
    const b = new AttemptBudget(3, 1000);
    for (const t of [0, 100, 200]) {
      expect(b.nextAllowedAt(t)).toBe(t);
      b.record(t);
    }
    expect(b.used(300)).toBe(3);
    expect(b.nextAllowedAt(300)).toBe(1000);
    expect(b.nextAllowedAt(999)).toBe(1000);
    expect(b.nextAllowedAt(1000)).toBe(1000);
    expect(b.used(1000)).toBe(2);
    b.record(1000);
    expect(b.nextAllowedAt(1000)).toBe(1100);
  });

  it('slides: attempts spread out never exceed max in any window', () => {
    const b = new AttemptBudget(5, 1000);
    const times: number[] = [];
    let now = 0;
    while (times.length < 40) {
      now = b.nextAllowedAt(now);
      b.record(now);
      times.push(now);
      now += 7;
    }
    for (const t of times) expect(times.filter((x) => x > t - 1000 && x <= t).length).toBeLessThanOrEqual(5);
    // 40 attempts at 5 per second take at least 7 windows.
    expect(times.at(-1)).toBeGreaterThanOrEqual(7000);
  });
});
