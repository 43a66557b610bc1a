import { describe, expect, it } from 'vitest';
import { parseFeedMessage } from '../../src/kraken/ws/messages.js';

const entry = (id: string, amount: string): string =>
  `{"ledger_id":"${id}","ref_id":"R${id}","timestamp":"2026-01-01T00:00:00Z","type":"deposit","asset":"DOGE","asset_class":"currency","category":"deposit","wallet_type":"spot","wallet_id":"main","amount":${amount},"fee":0,"balance":${amount}}`;

describe('parseFeedMessage', () => {
  it('reads a status frame whose connection_id exceeds 2^53 without losing it or failing', () => {
    const text = '{"channel":"status","type":"update","data":[{"api_version":"v2","connection_id":13834774380200032777,"system":"online","version":"2.0.0"}]}';
    expect(parseFeedMessage(text)).toEqual({ kind: 'status', system: 'online' });
    expect(parseFeedMessage('{"channel":"status","data":[]}')).toEqual({ kind: 'status', system: null });
  });

  it('reads an update with amounts beyond double precision as one entry', () => {
    const text = `{"channel":"balances","type":"update","sequence":7,"data":[${entry('L1', '123456789012345678901234567890.12345678')}]}`;
    expect(parseFeedMessage(text)).toEqual({ kind: 'balances', type: 'update', sequence: 7, entries: 1 });
  });

  it('an update with several entries counts them all', () => {
    const text = `{"channel":"balances","type":"update","sequence":2,"data":[${entry('L1', '1')},${entry('L2', '-1')},${entry('L3', '0.1')}]}`;
    expect(parseFeedMessage(text)).toEqual({ kind: 'balances', type: 'update', sequence: 2, entries: 3 });
  });

  it('a snapshot with "wallets": [] is a snapshot', () => {
    const text = '{"channel":"balances","type":"snapshot","sequence":1,"data":[{"asset":"DOGE","asset_class":"currency","balance":100.5,"wallets":[]},{"asset":"USD","asset_class":"currency","balance":0,"wallets":[]}]}';
    expect(parseFeedMessage(text)).toEqual({ kind: 'balances', type: 'snapshot', sequence: 1, entries: 2 });
  });

  it('a sequence beyond 2^53, fractional or negative is no sequence (never a rounded number)', () => {
    for (const seq of ['9007199254740993', '1.5', '-1', '"3"']) {
      expect(parseFeedMessage(`{"channel":"balances","type":"update","sequence":${seq},"data":[]}`)).toMatchObject({ sequence: null });
    }
  });

  it('heartbeat, pong, ack and refusal', () => {
    expect(parseFeedMessage('{"channel":"heartbeat"}')).toEqual({ kind: 'heartbeat' });
    expect(parseFeedMessage('{"method":"pong","req_id":4,"time_in":"x","time_out":"y"}')).toEqual({ kind: 'pong', reqId: 4 });
    expect(parseFeedMessage('{"method":"subscribe","result":{"channel":"balances","snapshot":true},"success":true,"req_id":1}')).toEqual({
      kind: 'ack', method: 'subscribe', success: true, channel: 'balances', reqId: 1,
    });
    expect(parseFeedMessage('{"method":"subscribe","error":"EAPI:Invalid token","success":false,"req_id":2}')).toEqual({
      kind: 'refusal', method: 'subscribe', error: 'EAPI:Invalid token', reqId: 2,
    });
    expect(parseFeedMessage('{"method":"subscribe","success":false}')).toMatchObject({ kind: 'refusal', error: 'unnamed error' });
  });

  it('garbage frames are garbage, never a throw', () => {
    for (const text of ['', '{"channel":"balances","type":', '[1,2,3]', '"just a string"', 'null', '42', '\u00ff\u00fe', '{"a":1,"a":2}']) {
      const m = parseFeedMessage(text);
      expect(['garbage', 'unknown']).toContain(m.kind);
    }
    expect(parseFeedMessage('[1,2,3]')).toEqual({ kind: 'garbage', what: 'not a JSON object' });
    expect(parseFeedMessage('not json')).toEqual({ kind: 'garbage', what: 'not JSON' });
  });

  it('unknown channels, types and reply shapes are named, shortly and printably', () => {
    expect(parseFeedMessage('{"channel":"ohlc","type":"update","data":[]}')).toEqual({ kind: 'unknown', what: 'channel ohlc' });
    expect(parseFeedMessage('{"channel":"balances","type":"delta","data":[]}')).toEqual({ kind: 'unknown', what: 'balances delta' });
    expect(parseFeedMessage('{"channel":"balances","data":[]}')).toEqual({ kind: 'unknown', what: 'balances without type' });
    expect(parseFeedMessage('{"channel":"balances","type":"update"}')).toEqual({ kind: 'unknown', what: 'balances update' });
    expect(parseFeedMessage('{"foo":1}')).toEqual({ kind: 'unknown', what: 'object without method or channel' });
    const long = parseFeedMessage(`{"channel":"${'x'.repeat(100)}\\n<b>"}`);
    expect(long.kind).toBe('unknown');
    expect((long as { what: string }).what.length).toBeLessThanOrEqual(48);
    expect((long as { what: string }).what).not.toMatch(/[\n<>]/);
  });

  it('an entry of unknown type and category is still an update (a trigger, not a booked row)', () => {
    const odd = entry('L9', '0').replace('"type":"deposit"', '"type":"futurething"').replace('"category":"deposit"', '"category":"novel-category"');
    expect(parseFeedMessage(`{"channel":"balances","type":"update","sequence":3,"data":[${odd}]}`)).toMatchObject({ kind: 'balances', entries: 1 });
  });
});
