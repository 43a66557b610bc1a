import { describe, expect, it } from 'vitest';
import { formatBody } from '../../src/alerts/format.js';
import { renderMessage } from '../../src/alerts/messages.js';
import type { AlertItem } from '../../src/alerts/types.js';
import { T0 } from './fixtures.js';

const ctx = { pair: 'XDGUSD', mode: 'live' as const };
const drift: AlertItem = { event: 'drift_warn', ts: T0, first_ts: T0, count: 1, facts: { adjusted_drift_doge: -152.3456, adjusted_drift_pct: -1.5234, threshold_pct: 1, base: 'DOGE' } };
const flows: AlertItem = {
  event: 'flow',
  ts: T0 + 60,
  first_ts: T0,
  count: 2,
  facts: {
    base: 'DOGE',
    unlisted: 0,
    flows: [
      { ledger_id: 'LDEP01-BBBBB-BBBBBB', type: 'deposit', asset: 'USD', net: 500, doge_eq: 5000, time: T0 },
      { ledger_id: 'LWDR01-CCCCC-CCCCCC', type: 'withdrawal', asset: 'DOGE', net: -1000.5, doge_eq: -1000.5, time: T0 + 60 },
    ],
  },
};
const DRIFT_TEXT = 'XDGUSD: Unexplained −152.35 DOGE-eq (−1.52%), over the ±1% threshold';

describe('alert messages', () => {
  it('the text is one line a person reads on a phone, with the figures', () => {
    const m = renderMessage(drift, ctx);
    expect(m.text).toBe(DRIFT_TEXT);
    expect(m.text).not.toMatch(/\n/);
    expect(m).toMatchObject({ event: 'drift_warn', severity: 'warning', title: 'Unexplained drift over threshold', ts: T0, pair: 'XDGUSD', mode: 'live' });
  });

  it('a coalesced flow message names each ledger id, the count and the net', () => {
    const m = renderMessage({ ...flows, id: `${T0}-7` }, { ...ctx, mode: 'demo' });
    expect(m.text).toBe(
      'XDGUSD demo: 2 external flows: deposit +500 USD (LDEP01-BBBBB-BBBBBB), withdrawal −1,000.5 DOGE (LWDR01-CCCCC-CCCCCC); net +3,999.5 DOGE-eq (2× since 22:13 UTC)',
    );
    expect(m.details).toMatchObject({ id: `${T0}-7`, count: 2, first_ts: T0, unlisted: 0 });
    expect((m.details.flows as unknown[]).length).toBe(2);
  });

  it('every event has a severity, a title and a one-line text', () => {
    const events = ['drift_warn', 'drift_ok', 'flow', 'income', 'kraken_key', 'lockout', 'stale', 'store_down', 'store_up'] as const;
    for (const event of events) {
      const m = renderMessage({ event, ts: T0, first_ts: T0, count: 1, facts: {} }, ctx);
      expect(['info', 'warning', 'critical']).toContain(m.severity);
      expect(m.title.length).toBeGreaterThan(5);
      expect(m.text).toMatch(/^XDGUSD: \S/);
      expect(m.text).not.toMatch(/\n|undefined|NaN/);
    }
    expect(renderMessage({ event: 'kraken_key', ts: T0, first_ts: T0, count: 1, facts: { error: 'EAPI:Invalid key' } }, ctx).severity).toBe('critical');
  });
});

describe('webhook bodies, exactly', () => {
  const m = renderMessage({ ...drift, id: `${T0}-1` }, ctx);
  it('json: {event, severity, title, text, ts, pair, mode, details}', () => {
    expect(JSON.stringify(formatBody('json', m))).toBe(
      JSON.stringify({
        event: 'drift_warn',
        severity: 'warning',
        title: 'Unexplained drift over threshold',
        text: DRIFT_TEXT,
        ts: T0,
        pair: 'XDGUSD',
        mode: 'live',
        details: { id: `${T0}-1`, count: 1, first_ts: T0, adjusted_drift_doge: -152.3456, adjusted_drift_pct: -1.5234, threshold_pct: 1, base: 'DOGE' },
      }),
    );
  });
  it('slack: {"text"}', () => expect(JSON.stringify(formatBody('slack', m))).toBe(JSON.stringify({ text: DRIFT_TEXT })));
  it('discord: {"content"}', () => expect(JSON.stringify(formatBody('discord', m))).toBe(JSON.stringify({ content: DRIFT_TEXT })));
  it('telegram: {"chat_id","text"}', () => expect(JSON.stringify(formatBody('telegram', m, '-1001234567890'))).toBe(JSON.stringify({ chat_id: '-1001234567890', text: DRIFT_TEXT })));
  it('chat texts stay under Discord\'s 2000 characters', () => {
    const long = { ...m, text: 'x'.repeat(5000) };
    expect((formatBody('discord', long).content as string).length).toBeLessThanOrEqual(1900);
  });
});
