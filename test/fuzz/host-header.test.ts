// Host headers an attacker can send: the parser never throws, normalizes to a fixed point, and only names that
// are an allowed name up to case, one trailing dot, a port or IPv6 spelling pass the allow-list.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hostPolicy } from '../../src/dashboard/host-guard.js';
import { normalizeHostName, parseAuthority } from '../../src/dashboard/host-name.js';
import { LIMITS } from './arbitraries.js';

const policy = hostPolicy('127.0.0.1', ['sidecar.lan']);
const names = policy.any ? new Set<string>() : policy.names;
const ALPHABET = [...'abcdefghijklmnopqrstuvwxyzLOCAHST0123456789.-_:[]@%/ \t'];
const noise = fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 6 });
const header = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 30 }),
  // Mutations around allowed names: prefixes, suffixes, ports, dots.
  fc.tuple(noise, fc.constantFrom('localhost', '127.0.0.1', '[::1]', 'sidecar.lan', 'LocalHost', '[0:0::1]'), noise).map(([a, n, b]) => a + n + b),
);

/** What the allow-list is allowed to ignore: case, one trailing dot, a port. */
function plainName(h: string): string {
  return h.toLowerCase().replace(/:\d*$/, '').replace(/\.$/, '');
}

describe('fuzz: Host header parsing', () => {
  it('never throws, normalizes to a fixed point, and lets through only variants of allowed names', () => {
    fc.assert(
      fc.property(header, (h) => {
        const a = parseAuthority(h);
        if (a === null) return;
        expect(normalizeHostName(a.host)).toBe(a.host);
        if (!names.has(a.host)) return;
        const plain = plainName(h);
        if (plain.startsWith('[')) expect(a.host).toBe('[::1]');
        else expect(names.has(plain)).toBe(true);
      }),
      { ...LIMITS, numRuns: 3000 },
    );
  });
});
