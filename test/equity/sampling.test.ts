import { describe, expect, it } from 'vitest';
import { isSampleDue } from '../../src/equity/sampling.js';

describe('isSampleDue', () => {
  it('is due at once when nothing was sampled yet', () => {
    expect(isSampleDue(null, 1000, 300)).toBe(true);
  });
  it('is not due before the interval has passed', () => {
    expect(isSampleDue(1000, 1299, 300)).toBe(false);
  });
  it('is due exactly one interval later', () => {
    expect(isSampleDue(1000, 1300, 300)).toBe(true);
  });
  it('is due when the clock moved back behind the last sample (no stall until it catches up)', () => {
    expect(isSampleDue(1000, 900, 300)).toBe(true);
  });
});
