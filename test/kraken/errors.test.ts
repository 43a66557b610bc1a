import { describe, expect, it } from 'vitest';
import { fromKrakenErrorString, KrakenError, type KrakenErrorKind } from '../../src/kraken/errors.js';

describe('fromKrakenErrorString', () => {
  // Every error string of DESIGN.md section 4, with the kind that says what the caller must do.
  it.each<[string, KrakenErrorKind]>([
    ['EAPI:Rate limit exceeded', 'rate_limited'],
    ['EGeneral:Temporary lockout', 'locked_out'],
    ['EService:Unavailable', 'transient'],
    ['EService:Busy', 'transient'],
    ['EGeneral:Internal error', 'transient'],
    ['EAPI:Invalid key', 'fatal'],
    ['EAPI:Invalid signature', 'fatal'],
    ['EGeneral:Permission denied', 'fatal'],
    ['EAPI:Invalid nonce', 'fatal'],
  ])('maps %s to kind %s with the string itself as stable code', (text, kind) => {
    const e = fromKrakenErrorString(text, 'Balance');
    expect(e).toBeInstanceOf(KrakenError);
    expect(e).toBeInstanceOf(KrakenError);
    expect(e.kind).toBe(kind);
    expect(e.code).toBe(text);
    expect(e.endpoint).toBe('Balance');
    expect(e.retryable).toBe(kind === 'transient');
  });

  it.each([
    ['EQuery:Unknown asset pair', 'EQuery:Unknown asset pair'],
    ['EGeneral:Invalid arguments:volume', 'EGeneral:Invalid arguments'],
  ])('maps the argument error %s to invalid_request with code %s (free-text detail dropped)', (text, code) => {
    const e = fromKrakenErrorString(text, 'Ledgers');
    expect(e.kind).toBe('invalid_request');
    expect(e.code).toBe(code);
    expect(e.retryable).toBe(false);
  });
});
