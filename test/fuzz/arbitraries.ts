import fc from 'fast-check';

/**
 * Shared generators for the fuzz properties: hostile values of the kinds an exchange, a disk or an operator
 * can hand the sidecar. Every property in this folder is capped (numRuns and interruptAfterTimeLimit) so the
 * whole folder stays well under 30 s.
 */
export const LIMITS = { numRuns: 150, interruptAfterTimeLimit: 4000 } as const;

/** Values that are never a valid decimal string for an amount, fee or balance. */
export const badDecimal: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    NaN,
    Infinity,
    -Infinity,
    100.5,
    0,
    'NaN',
    'Infinity',
    '-Infinity',
    '1e5',
    '0x10',
    '1,5',
    '--1',
    '+-1',
    '½',
    '',
    ' ',
    '.',
    '-',
    '9'.repeat(65),
    '1'.repeat(10_000),
    null,
    undefined,
    true,
    [],
    {},
    ['1'],
    { valueOf: '1' },
  ),
  fc.double().filter((d) => d !== 0),
  fc.string().filter((s) => !/^-?(\d+\.?\d*|\.\d+)$/.test(s)),
);

/** Nested junk, including objects built by JSON.parse that carry `__proto__` and `constructor` as own keys. */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({ maxDepth: 3, withNullPrototype: true, withBigInt: false, withBoxedValues: true, withMap: true, withSet: true, withDate: true, withTypedArray: true, withSparseArray: true }),
  fc.constantFrom<unknown>(
    JSON.parse('{"__proto__":{"polluted":true},"amount":"1"}'),
    JSON.parse('{"constructor":{"prototype":{"polluted":true}}}'),
    Object.create(null) as unknown,
    'x'.repeat(100_000),
  ),
);

/** An exact decimal string as Kraken sends it (4 or 8 decimals, optional minus). */
export function decimalString(decimals: 4 | 8, maxWhole = 100_000): fc.Arbitrary<string> {
  return fc
    .tuple(fc.boolean(), fc.integer({ min: 0, max: maxWhole }), fc.integer({ min: 0, max: 10 ** decimals - 1 }))
    .map(([neg, whole, frac]) => `${neg && (whole > 0 || frac > 0) ? '-' : ''}${whole}.${String(frac).padStart(decimals, '0')}`);
}

/** Sets `key` as an own enumerable property, even `__proto__`. */
export function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
}

/** Object.prototype must come out of every property untouched. */
export function prototypeIsClean(): boolean {
  const probe = {} as Record<string, unknown>;
  return probe['polluted'] === undefined && Object.keys(Object.prototype).length === 0;
}
