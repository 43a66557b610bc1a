import { describe, expect, it } from 'vitest';
import { KrakenError } from '../../src/kraken/errors.js';
import { AttemptBudget, backoffDelayMs, systemFloorMs } from '../../src/kraken/ws/backoff.js';
import { classifyTokenFailure, classifyWsError, isTerminalClose } from '../../src/kraken/ws/classify.js';
import { parseFeedMessage } from '../../src/kraken/ws/messages.js';
import { SequenceTracker } from '../../src/kraken/ws/sequence.js';

const T = { backoffBaseMs: 1000, backoffMaxMs: 60_000 };

describe('back-off schedule', () => {
  it('retries a random drop soon three times, then doubles with jitter up to the cap', () => {
    expect([1, 2, 3].map((n) => backoffDelayMs(n, T, () => 0.999))).toEqual([499, 499, 499]);
    expect([4, 5, 6, 7].map((n) => backoffDelayMs(n, T, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffDelayMs(50, T, () => 0)).toBe(30_000);
    expect(backoffDelayMs(50, T, () => 0.999)).toBeLessThan(60_000);
  });
  it('floors waits while the system is in maintenance or cancel_only', () => {
    expect(systemFloorMs('maintenance', 5000)).toBe(5000);
    expect(systemFloorMs('cancel_only', 5000)).toBe(5000);
    expect(systemFloorMs('online', 5000)).toBe(0);
  });
});

describe('attempt budget (sliding window)', () => {
  it('allows max attempts per window and names when the next fits', () => {
    const b = new AttemptBudget(3, 1000);
    for (const t of [0, 100, 200]) {
      expect(b.nextAllowedAt(t)).toBe(t);
      b.record(t);
    }
    expect(b.nextAllowedAt(300)).toBe(1000);
    expect(b.nextAllowedAt(1000)).toBe(1000);
    b.record(1000);
    expect(b.used(1000)).toBe(3);
    expect(b.nextAllowedAt(1001)).toBe(1100);
  });
});

describe('error classification', () => {
  it.each([
    ['EAPI:Invalid key', 'fatal'],
    ['EAPI:Invalid signature', 'fatal'],
    ['EGeneral:Permission denied', 'fatal'],
    ['EAccount:Invalid permissions', 'fatal'],
    ['EAuth:Account temporary disabled', 'fatal'],
    ['EAPI:Invalid token', 'new-token'],
    ['ESession:Invalid session', 'new-token'],
    ['Exceeded msg rate', 'rate'],
    ['EGeneral:Internal error', 'retry'],
  ])('%s → %s', (text, action) => expect(classifyWsError(text)).toBe(action));
  it('close 1008 only is terminal; token failures: fatal for a fatal KrakenError, rate for a spent budget, else retry', () => {
    expect([1000, 1001, 1006, 1008, 1011].filter(isTerminalClose)).toEqual([1008]);
    expect(classifyTokenFailure(new KrakenError('fatal', 'EAPI:Invalid key', 'x', 'GetWebSocketsToken'))).toBe('fatal');
    expect(classifyTokenFailure(new KrakenError('rate_limited', 'EAPI:Rate limit exceeded', 'x', 'GetWebSocketsToken'))).toBe('rate');
    expect(classifyTokenFailure(new Error('boom'))).toBe('retry');
  });
});

describe('message parsing', () => {
  it('reads the documented shapes, numbers beyond double precision included', () => {
    expect(parseFeedMessage('{"channel":"status","type":"update","data":[{"api_version":"v2","connection_id":13834774380200032777,"system":"online","version":"2.0.0"}]}')).toEqual({ kind: 'status', system: 'online' });
    expect(parseFeedMessage('{"channel":"heartbeat"}')).toEqual({ kind: 'heartbeat' });
    expect(parseFeedMessage('{"method":"pong","req_id":101}')).toEqual({ kind: 'pong', reqId: 101 });
    expect(parseFeedMessage('{"method":"subscribe","result":{"channel":"balances","snapshot":true},"success":true}')).toMatchObject({ kind: 'ack', channel: 'balances' });
    expect(parseFeedMessage('{"error":"EAPI:Invalid token","method":"subscribe","success":false}')).toMatchObject({ kind: 'refusal', error: 'EAPI:Invalid token' });
    expect(parseFeedMessage('{"channel":"balances","type":"update","sequence":9,"data":[{"amount":0.123456789012345678901234567890,"balance":1e400},{}]}')).toEqual({ kind: 'balances', type: 'update', sequence: 9, entries: 2 });
    expect(parseFeedMessage('{"channel":"balances","type":"snapshot","sequence":99999999999999999999,"data":[]}')).toMatchObject({ sequence: null, entries: 0 });
  });
  it('garbage and unknown shapes are named, never thrown', () => {
    for (const text of ['', '{', '[1]', '"x"', 'null', '{"channel":"balances","type":"update","data":[' ]) expect(parseFeedMessage(text).kind).toBe('garbage');
    expect(parseFeedMessage('{"channel":"ohlc"}')).toEqual({ kind: 'unknown', what: 'channel ohlc' });
    expect(parseFeedMessage('{"channel":"balances","type":"delta","data":[]}')).toEqual({ kind: 'unknown', what: 'balances delta' });
    expect(parseFeedMessage('{"foo":1}').kind).toBe('unknown');
  });
});

describe('sequence tracking', () => {
  it('next, gap, duplicate, late; reset per subscription', () => {
    const s = new SequenceTracker();
    expect([1, 2, 2, 5, 3, 3, 6, null].map((n) => s.observe(n))).toEqual(['next', 'next', 'duplicate', 'gap', 'late', 'duplicate', 'next', 'none']);
    s.reset();
    expect(s.observe(1)).toBe('next');
  });
});
