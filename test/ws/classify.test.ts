import { describe, expect, it } from 'vitest';
import { KrakenError } from '../../src/kraken/errors.js';
import { classifyTokenFailure, classifyWsError, describeFailure, isTerminalClose } from '../../src/kraken/ws/classify.js';

describe('WebSocket refusal classification', () => {
  it.each([
    ['EAPI:Invalid key', 'fatal'],
    ['EAPI:Invalid signature', 'fatal'],
    ['EGeneral:Permission denied', 'fatal'],
    ['EAccount:Invalid permissions', 'fatal'],
    ['EAuth:Account temporary disabled', 'fatal'],
    ['EAuth:Too many requests', 'fatal'],
    ['  eapi:invalid key  ', 'fatal'],
    ['EAPI:Invalid token', 'new-token'],
    ['ESession:Invalid session', 'new-token'],
    ['Exceeded msg rate', 'rate'],
    ['EGeneral:Exceeded msg rate', 'rate'],
    ['EGeneral:Internal error', 'retry'],
    ['EService:Unavailable', 'retry'],
    ['EGeneral:Invalid arguments', 'retry'],
  ] as const)('%s → %s', (error, action) => {
    expect(classifyWsError(error)).toBe(action);
  });

  it('close 1008 is terminal; 1006, 1001, 1000, 1011 reconnect', () => {
    expect(isTerminalClose(1008)).toBe(true);
    for (const code of [1000, 1001, 1006, 1011, 4000]) expect(isTerminalClose(code)).toBe(false);
  });

  it('a token call failure is fatal only for a fatal KrakenError, a back-off for a rate limit', () => {
    expect(classifyTokenFailure(new KrakenError('fatal', 'EAPI:Invalid key', 'x', 'GetWebSocketsToken'))).toBe('fatal');
    expect(classifyTokenFailure(new KrakenError('rate_limited', 'EAPI:Rate limit exceeded', 'x', 'GetWebSocketsToken'))).toBe('rate');
    expect(classifyTokenFailure(new KrakenError('throttled', 'EService:Throttled', 'x', 'GetWebSocketsToken'))).toBe('rate');
    expect(classifyTokenFailure(new KrakenError('locked_out', 'EAPI:Rate limit exceeded', 'x', 'GetWebSocketsToken'))).toBe('rate');
    expect(classifyTokenFailure(new KrakenError('transient', 'HTTP:502', 'x', 'GetWebSocketsToken'))).toBe('retry');
    expect(classifyTokenFailure(new Error('ECONNREFUSED'))).toBe('retry');
    expect(classifyTokenFailure('a string')).toBe('retry');
  });

  it('describes a failure by its code, or a shortened message', () => {
    expect(describeFailure(new KrakenError('fatal', 'EAPI:Invalid key', 'long text with details', 'GetWebSocketsToken'))).toBe('EAPI:Invalid key');
    expect(describeFailure(new Error('x'.repeat(500)))).toHaveLength(120);
    expect(describeFailure('plain')).toBe('plain');
  });
});
