import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NonceSource } from '../../src/kraken/nonce.js';

function take(source: NonceSource, n: number): bigint[] {
  return Array.from({ length: n }, () => BigInt(source.next()));
}

function expectStrictlyIncreasing(values: readonly bigint[]): void {
  for (let i = 1; i < values.length; i++) expect(values[i]! > values[i - 1]!).toBe(true);
}

describe('NonceSource', () => {
  it('uses the millisecond clock when it moves forward', () => {
    let now = 1_700_000_000_000;
    const source = new NonceSource(() => now);
    expect(source.next()).toBe('1700000000000');
    now += 250;
    expect(source.next()).toBe('1700000000250');
  });

  it('stays strictly increasing under a frozen clock', () => {
    const source = new NonceSource(() => 1_700_000_000_000);
    const nonces = take(source, 100);
    expectStrictlyIncreasing(nonces);
    expect(nonces.at(-1)).toBe(1_700_000_000_099n);
  });

  it('stays strictly increasing when the clock steps backwards', () => {
    let now = 1_700_000_000_000;
    const source = new NonceSource(() => now);
    const first = BigInt(source.next());
    now -= 3_600_000;
    const second = BigInt(source.next());
    expect(second).toBe(first + 1n);
  });

  it('yields decimal integer strings even for a fractional clock', () => {
    const source = new NonceSource(() => 1_700_000_000_000.75);
    expect(source.next()).toMatch(/^\d+$/);
  });

  it('a restart seeded with the previous floor continues above it even with the clock set back', () => {
    let now = 1_700_000_000_000;
    const before = new NonceSource(() => now);
    const lastBefore = take(before, 5).at(-1)!;
    now -= 60_000; // the host clock was corrected backwards during the restart
    const after = new NonceSource(() => now, before.floor);
    expect(BigInt(after.next())).toBe(lastBefore + 1n);
  });

  it('the floor reported is the last nonce handed out', () => {
    const source = new NonceSource(() => 1_700_000_000_000, 5);
    const last = take(source, 3).at(-1)!;
    expect(BigInt(source.floor)).toBe(last);
  });

  it('property: any clock (forward, frozen, backwards) and any restarts give strictly increasing nonces', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ step: fc.integer({ min: -10_000, max: 10_000 }), restart: fc.boolean() }), { maxLength: 200 }),
        (events) => {
          let now = 1_700_000_000_000;
          const clock = (): number => now;
          let source = new NonceSource(clock);
          const seen: bigint[] = [];
          for (const e of events) {
            now += e.step;
            if (e.restart) source = new NonceSource(clock, source.floor);
            seen.push(BigInt(source.next()));
          }
          for (let i = 1; i < seen.length; i++) if (!(seen[i]! > seen[i - 1]!)) return false;
          return true;
        },
      ),
      { numRuns: 200 },
    );
  });
});
