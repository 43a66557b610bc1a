import fc from 'fast-check';
import { MockAgent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KrakenClient, parseEnvelope } from '../../src/kraken/client.js';
import { KrakenError } from '../../src/kraken/errors.js';
import { NonceSource } from '../../src/kraken/nonce.js';
import { KrakenSim } from '../../src/kraken/sim/index.js';
import { decimalString, junk, LIMITS, prototypeIsClean } from './arbitraries.js';

/** Bodies an exchange, a proxy or a broken network can answer with. */
const bodyText: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.json(),
  junk.map((j) => {
    try {
      return JSON.stringify(j) ?? 'undefined';
    } catch {
      return String(typeof j);
    }
  }),
  fc.record({ error: fc.oneof(fc.array(fc.oneof(fc.string(), junk)), junk), result: junk }, { requiredKeys: [] }).map((e) => safeStringify(e)),
  fc.dictionary(fc.string(), fc.oneof(decimalString(8), junk)).map((r) => safeStringify({ error: [], result: r })),
  fc.record({ c: fc.oneof(fc.array(fc.oneof(fc.string(), junk)), junk) }).map((t) => safeStringify({ error: [], result: { XDGUSD: t } })),
  fc.constantFrom('<html><body>502 Bad Gateway</body></html>', '{"error":[],"result":{"XXDG":"1234.5', '', 'null', '[]', '{"__proto__":{"polluted":1},"error":[],"result":{"__proto__":{"x":1}}}'),
);
const httpStatus = fc.oneof(fc.constantFrom(200, 200, 200, 429, 500, 502, 503, 520, 404), fc.integer({ min: 200, max: 599 }));

function safeStringify(v: unknown): string {
  try {
    return JSON.stringify(v) ?? 'null';
  } catch {
    return '{}';
  }
}

describe('fuzz: Kraken answers', () => {
  it('parseEnvelope returns a plain result object or throws a KrakenError, nothing else', () => {
    fc.assert(
      fc.property(fc.constantFrom('Balance', 'Ledgers', 'Ticker'), httpStatus, bodyText, (endpoint, status, text) => {
        try {
          const result = parseEnvelope(endpoint, status, text);
          expect(typeof result === 'object' && result !== null && !Array.isArray(result)).toBe(true);
          expect(status).toBeLessThan(400);
        } catch (err) {
          expect(err).toBeInstanceOf(KrakenError);
          expect(typeof (err as KrakenError).code).toBe('string');
        }
      }),
      { ...LIMITS, numRuns: 400 },
    );
    expect(prototypeIsClean()).toBe(true);
  });

  describe('the client over a MockAgent', () => {
    const agent = new MockAgent();
    const origin = 'https://kraken.fuzz';
    const creds = KrakenSim.generateKey();
    const client = new KrakenClient({ baseUrl: origin, timeoutMs: 1000, credentials: creds, nonces: new NonceSource(Date.now), dispatcher: agent });
    beforeAll(() => agent.disableNetConnect());
    afterAll(() => agent.close());

    /** One canned answer for the next request to `path`. */
    function answer(path: string, method: 'GET' | 'POST', status: number, text: string): void {
      agent
        .get(origin)
        .intercept({ path: (p) => p.startsWith(path), method })
        .reply(status, text, { headers: { 'content-type': 'application/json' } });
    }

    async function outcome<T>(call: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; err: unknown }> {
      try {
        return { ok: true, value: await call };
      } catch (err) {
        return { ok: false, err };
      }
    }

    it('Balance: only string amounts come out; every failure is a KrakenError', async () => {
      await fc.assert(
        fc.asyncProperty(httpStatus, bodyText, async (status, text) => {
          answer('/0/private/Balance', 'POST', status, text);
          const r = await outcome(client.balance());
          if (r.ok) {
            for (const [code, v] of Object.entries(r.value)) expect(typeof v, code).toBe('string');
          } else expect(r.err).toBeInstanceOf(KrakenError);
        }),
        LIMITS,
      );
      expect(prototypeIsClean()).toBe(true);
    });

    it('Ticker: a positive last price string or a KrakenError', async () => {
      await fc.assert(
        fc.asyncProperty(httpStatus, bodyText, async (status, text) => {
          answer('/0/public/Ticker', 'GET', status, text);
          const r = await outcome(client.ticker('XDGUSD'));
          if (r.ok) {
            expect(typeof r.value).toBe('string');
            expect(Number(r.value)).toBeGreaterThan(0);
          } else expect(r.err).toBeInstanceOf(KrakenError);
        }),
        LIMITS,
      );
    });

    it('Ledgers: an object page or a KrakenError', async () => {
      await fc.assert(
        fc.asyncProperty(httpStatus, bodyText, async (status, text) => {
          answer('/0/private/Ledgers', 'POST', status, text);
          const r = await outcome(client.ledgers({ type: 'all', start: 1, end: 2, ofs: 0 }));
          if (r.ok) {
            expect(typeof r.value.ledger === 'object' && r.value.ledger !== null && !Array.isArray(r.value.ledger)).toBe(true);
            expect(r.value.count === null || Number.isFinite(r.value.count)).toBe(true);
          } else expect(r.err).toBeInstanceOf(KrakenError);
        }),
        LIMITS,
      );
    });
  });
});
