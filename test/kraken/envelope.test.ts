import { describe, expect, it } from 'vitest';
import { parseEnvelope } from '../../src/kraken/client.js';
import { KrakenError } from '../../src/kraken/errors.js';

/** What parseEnvelope threw, as {kind, code}; fails the test if it did not throw a KrakenError. */
function failure(status: number, text: string): { kind: string; code: string; endpoint: string } {
  try {
    parseEnvelope('Balance', status, text);
  } catch (e) {
    expect(e).toBeInstanceOf(KrakenError);
    const k = e as KrakenError;
    return { kind: k.kind, code: k.code, endpoint: k.endpoint };
  }
  throw new Error(`parseEnvelope accepted HTTP ${status} ${text}`);
}

const CLOUDFLARE_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
  '<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n';

describe('parseEnvelope', () => {
  it('returns the result object of a clean HTTP 200 answer', () => {
    expect(parseEnvelope('Balance', 200, '{"error":[],"result":{"XXDG":"12.5","ZUSD":"3.1000"}}')).toEqual({
      XXDG: '12.5',
      ZUSD: '3.1000',
    });
  });

  it('treats a non-empty error array as a failure even with HTTP 200 and a result', () => {
    expect(failure(200, '{"error":["EAPI:Invalid key"],"result":{"XXDG":"1"}}')).toEqual({
      kind: 'fatal',
      code: 'EAPI:Invalid key',
      endpoint: 'Balance',
    });
  });

  it('reads every string of the error array: the most severe decides, wherever it stands', () => {
    expect(failure(200, '{"error":["EGeneral:Temporary lockout","EAPI:Invalid key"]}')).toMatchObject({ kind: 'fatal', code: 'EAPI:Invalid key' });
    expect(failure(200, '{"error":["EService:Unavailable","EAPI:Rate limit exceeded"]}')).toMatchObject({ kind: 'rate_limited', code: 'EAPI:Rate limit exceeded' });
    expect(failure(200, '{"error":["EService:Busy","EService:Throttled: 1700000000"]}')).toMatchObject({ kind: 'throttled', code: 'EService:Throttled' });
  });

  it('an error array mixing a warning and an error fails with the error; the message keeps both', () => {
    try {
      parseEnvelope('Ledgers', 200, '{"error":["WGeneral:Deprecated field","EGeneral:Too many requests"],"result":{"ledger":{}}}');
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ kind: 'rate_limited', code: 'EGeneral:Too many requests' });
      expect((e as Error).message).toBe('Ledgers: WGeneral:Deprecated field; EGeneral:Too many requests');
    }
  });

  it('warnings alone do not fail an answer that carries a result', () => {
    expect(parseEnvelope('Balance', 200, '{"error":["WAPI:Rate limit approaching"],"result":{"ZUSD":"1.0"}}')).toEqual({ ZUSD: '1.0' });
  });

  it('a 5xx JSON envelope carrying a Kraken error maps to that error', () => {
    expect(failure(503, '{"error":["EService:Unavailable"]}')).toMatchObject({ kind: 'transient', code: 'EService:Unavailable' });
  });

  it('a 5xx JSON body without errors is a transient HTTP failure', () => {
    expect(failure(500, '{"error":[],"result":{}}')).toMatchObject({ kind: 'transient', code: 'HTTP:500' });
  });

  it('a Cloudflare-like 502 HTML page is a transient HTTP:502', () => {
    expect(failure(502, CLOUDFLARE_502)).toMatchObject({ kind: 'transient', code: 'HTTP:502' });
  });

  it('truncated JSON with HTTP 200 is a transient BODY:malformed', () => {
    expect(failure(200, '{"error":[],"result":{"XXDG":"1234.5')).toMatchObject({ kind: 'transient', code: 'BODY:malformed' });
  });

  it('an empty 200 body is a transient BODY:malformed', () => {
    expect(failure(200, '')).toMatchObject({ kind: 'transient', code: 'BODY:malformed' });
  });

  it.each(['{"error":[]}', '{"error":[],"result":null}', '{"error":[],"result":[]}', '{"error":[],"result":"ok"}', 'null'])(
    'an answer without a result object (%s) is a transient BODY:malformed',
    (text) => {
      expect(failure(200, text)).toMatchObject({ kind: 'transient', code: 'BODY:malformed' });
    },
  );

  it('HTTP 429 with a non-JSON body is rate_limited HTTP:429', () => {
    expect(failure(429, '<html>Too Many Requests</html>')).toMatchObject({ kind: 'rate_limited', code: 'HTTP:429' });
  });

  it('HTTP 429 with an empty error array is rate_limited HTTP:429', () => {
    expect(failure(429, '{"error":[]}')).toMatchObject({ kind: 'rate_limited', code: 'HTTP:429' });
  });

  it('HTTP 429 with a Kraken rate-limit error keeps the Kraken code', () => {
    expect(failure(429, '{"error":["EAPI:Rate limit exceeded"]}')).toMatchObject({
      kind: 'rate_limited',
      code: 'EAPI:Rate limit exceeded',
    });
  });

  it('a 4xx HTML page is a transient HTTP failure with its status', () => {
    expect(failure(403, '<html>Forbidden</html>')).toMatchObject({ kind: 'transient', code: 'HTTP:403' });
  });
});

describe('odd error entries', () => {
  it('gives an empty or non-string Kraken error a stable code instead of an empty one', () => {
    for (const body of ['{"error":[""]}', '{"error":[{"x":1}]}']) {
      try {
        parseEnvelope('Balance', 200, body);
        expect.unreachable();
      } catch (err) {
        expect((err as { code: string }).code).not.toBe('');
        expect((err as { code: string }).code).not.toBe('[object Object]');
      }
    }
  });
});
