import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalTimeZone, isoInZone, isTimeZone, periodEnd, periodStart } from '../../src/reports/index.js';

const day = (tz: string) => ({ periodSec: 86_400, tz });
const at = (iso: string): number => Date.parse(iso) / 1000;
const hoursOf = (tz: string, iso: string): number => {
  const s = periodStart(day(tz), at(iso));
  return (periodEnd(day(tz), s) - s) / 3600;
};

describe('report periods', () => {
  it('UTC days and other lengths are multiples of the period since the epoch', () => {
    const t = at('2026-12-04T02:43:28Z');
    expect(periodStart(day('UTC'), t)).toBe(at('2026-12-04T00:00:00Z'));
    expect(periodEnd(day('UTC'), at('2026-12-04T00:00:00Z'))).toBe(at('2026-12-05T00:00:00Z'));
    // Not 86400: the zone plays no part.
    expect(periodStart({ periodSec: 3600, tz: 'Asia/Kolkata' }, t)).toBe(at('2026-12-04T02:00:00Z'));
    expect(periodStart({ periodSec: 300, tz: 'UTC' }, t)).toBe(at('2026-12-04T02:40:00Z'));
    expect(periodEnd({ periodSec: 300, tz: 'UTC' }, at('2026-12-04T02:40:00Z'))).toBe(at('2026-12-04T02:45:00Z'));
  });

  it('a day in a zone starts at local midnight', () => {
    expect(periodStart(day('Europe/Berlin'), at('2026-12-04T02:43:28Z'))).toBe(at('2026-12-03T23:00:00Z'));
    expect(periodStart(day('Europe/Berlin'), at('2026-12-03T22:59:59Z'))).toBe(at('2026-12-02T23:00:00Z'));
    expect(periodStart(day('America/New_York'), at('2026-12-04T02:43:28Z'))).toBe(at('2026-12-03T05:00:00Z'));
    expect(periodStart(day('Asia/Kolkata'), at('2026-12-04T02:43:28Z'))).toBe(at('2026-12-03T18:30:00Z'));
  });

  it('days at daylight-saving changes last 23 and 25 hours (Europe/Berlin, America/New_York)', () => {
    expect(hoursOf('Europe/Berlin', '2026-03-29T12:00:00Z')).toBe(23);
    expect(hoursOf('Europe/Berlin', '2026-10-25T12:00:00Z')).toBe(25);
    expect(hoursOf('Europe/Berlin', '2026-10-26T12:00:00Z')).toBe(24);
    expect(hoursOf('America/New_York', '2026-03-08T12:00:00Z')).toBe(23);
    expect(hoursOf('America/New_York', '2026-11-01T12:00:00Z')).toBe(25);
    expect(hoursOf('UTC', '2026-03-29T12:00:00Z')).toBe(24);
  });

  it('a zone whose clocks skip midnight starts that day at the first local second (America/Havana)', () => {
    const s = periodStart(day('America/Havana'), at('2026-03-08T12:00:00Z'));
    expect(isoInZone('America/Havana', s)).toBe('2026-03-08T01:00:00-04:00');
    expect(isoInZone('America/Havana', s - 1)).toBe('2026-03-07T23:59:59-05:00');
  });

  it('a day whose midnight is skipped starts at 01:00 (America/Sao_Paulo, 14 Oct 2007)', () => {
    const s = periodStart(day('America/Sao_Paulo'), 1_192_330_800);
    expect(isoInZone('America/Sao_Paulo', s)).toBe('2007-10-14T01:00:00-02:00');
    expect(isoInZone('America/Sao_Paulo', s - 1)).toBe('2007-10-13T23:59:59-03:00');
    expect((periodEnd(day('America/Sao_Paulo'), s) - s) / 3600).toBe(23);
  });

  it('property: every instant lies in exactly one day, days chain, and each starts at 00:00 local (01:00 where midnight is skipped)', () => {
    const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'America/Sao_Paulo'];
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.integer({ min: at('2000-01-01T00:00:00Z'), max: at('2040-01-01T00:00:00Z') }), (tz, t) => {
        const s = periodStart(day(tz), t);
        const e = periodEnd(day(tz), s);
        expect(s).toBeLessThanOrEqual(t);
        expect(t).toBeLessThan(e);
        expect([23, 24, 25]).toContain((e - s) / 3600);
        expect(periodStart(day(tz), e)).toBe(e);
        expect(periodStart(day(tz), e - 1)).toBe(s);
        // A day starts at local midnight, or at its first local second where the clocks skip midnight (Sao Paulo
        // until 2019 sprang forward at 00:00, like Havana): the second before it is always 23:59:59 of the day before.
        expect(isoInZone(tz, s - 1)).toMatch(/T23:59:59[+-]\d\d:\d\d$/);
        expect(isoInZone(tz, s).slice(0, 10)).not.toBe(isoInZone(tz, s - 1).slice(0, 10));
        if (!/T00:00:00/.test(isoInZone(tz, s))) expect(isoInZone(tz, s)).toMatch(/T01:00:00[+-]\d\d:\d\d$/);
      }),
      { numRuns: 300 },
    );
  });

  it('zone names: known ones (any case) are accepted and canonicalised, others refused', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(canonicalTimeZone('europe/berlin')).toBe('Europe/Berlin');
    for (const bad of ['Mars/Olympus_Mons', '', 'Europe/Berlin ', '+25:00', '\u0000']) expect(isTimeZone(bad), bad).toBe(false);
  });
});
