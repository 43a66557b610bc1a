import { describe, expect, it } from 'vitest';
import { fromKrakenErrorString, fromKrakenErrorStrings, KrakenError, throttledUntil, type KrakenErrorKind } from '../../src/kraken/errors.js';

describe('fromKrakenErrorString', () => {
  // Every error string of DESIGN.md sections 4 and 18, with the kind that says what the caller must do.
  it.each<[string, KrakenErrorKind]>([
    ['EAPI:Rate limit exceeded', 'rate_limited'],
    ['EGeneral:Too many requests', 'rate_limited'],
    ['EGeneral:Temporary lockout', 'locked_out'],
    ['EService:Unavailable', 'transient'],
    ['EService:Busy', 'transient'],
    ['EGeneral:Internal error', 'transient'],
    ['EAPI:Invalid key', 'fatal'],
    ['EAPI:Invalid signature', 'fatal'],
    ['EGeneral:Permission denied', 'fatal'],
    ['EAPI:Invalid nonce', 'fatal'],
    ['ETrade:User Locked', 'fatal'],
    ['ESession:Invalid session', 'fatal'],
  ])('maps %s to kind %s with the string itself as stable code', (text, kind) => {
    const e = fromKrakenErrorString(text, 'Balance');
    expect(e).toBeInstanceOf(KrakenError);
    expect(e.kind).toBe(kind);
    expect(e.code).toBe(text);
    expect(e.endpoint).toBe('Balance');
    expect(e.retryable).toBe(kind === 'transient');
  });

  it.each(['EAPI:Rate limit exceeded', 'EOrder:Rate limit exceeded', 'ETrade:Rate limit exceeded', 'EQuery:Rate limit exceeded', 'EFunding:rate limit exceeded'])(
    'matches the rate limit %s by its suffix, whatever the prefix (as ccxt does)',
    (text) => {
      expect(fromKrakenErrorString(text, 'Ledgers').kind).toBe('rate_limited');
    },
  );

  it.each([
    ['EQuery:Unknown asset pair', 'EQuery:Unknown asset pair'],
    ['EGeneral:Invalid arguments:volume', 'EGeneral:Invalid arguments'],
  ])('maps the argument error %s to invalid_request with code %s (free-text detail dropped)', (text, code) => {
    const e = fromKrakenErrorString(text, 'Ledgers');
    expect(e.kind).toBe('invalid_request');
    expect(e.code).toBe(code);
    expect(e.retryable).toBe(false);
  });

  it('EService:Throttled is its own kind (not the transient EService family) and carries the time Kraken named', () => {
    const e = fromKrakenErrorString('EService:Throttled: 1700000123', 'Balance');
    expect(e).toMatchObject({ kind: 'throttled', code: 'EService:Throttled', retryAtKraken: 1700000123 });
    expect(e.retryable).toBe(false);
  });

  it.each([
    ['EService:Throttled: 1700000123.5', 1700000123.5],
    ['EService:Throttled:1700000123', 1700000123],
    ['EService:Throttled', null],
    ['EService:Throttled: soon', null],
    ['EService:Throttled: -5', null],
    ['EService:Throttled: 1e400', null],
    ['EService:Throttled: NaN', null],
  ])('reads the throttle time of %s as %s', (text, ts) => {
    expect(throttledUntil(text)).toBe(ts);
    expect(fromKrakenErrorString(text, 'Balance')).toMatchObject({ kind: 'throttled', retryAtKraken: ts });
  });

  it('a warning never decides the kind when an error is present; warnings alone are read as they come', () => {
    expect(fromKrakenErrorStrings(['WGeneral:Danger', 'EAPI:Invalid key'], 'Balance').kind).toBe('fatal');
    expect(fromKrakenErrorStrings(['EService:Busy', 'WGeneral:Danger'], 'Balance')).toMatchObject({ kind: 'transient', code: 'EService:Busy' });
  });
});
