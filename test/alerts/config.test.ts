import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/bot/config.js';
import { configProblems as problems } from '../helpers/config-problems.js';
import { createLogger } from '../../src/bot/logger.js';
import { DEFAULT_ALERT_EVENTS } from '../../src/alerts/types.js';

const SECRET = Buffer.alloc(64, 7).toString('base64');
const LIVE = { KRAKEN_API_KEY: 'key-abc', KRAKEN_API_SECRET: SECRET };
const HOOK = 'https://hooks.slack.com/services/T0000/B0000/XXXXsecretXXXX';

describe('ALERT_* configuration', () => {
  it('defaults: alerts off, json, the default events (income opt-in), 300 s coalescing', () => {
    const c = loadConfig(LIVE);
    expect(c).toMatchObject({ ALERT_WEBHOOK_FORMAT: 'json', ALERT_MIN_INTERVAL_SEC: 300 });
    expect(c.ALERT_WEBHOOK_URL).toBeUndefined();
    expect(c.ALERT_EVENTS).toEqual(DEFAULT_ALERT_EVENTS);
    expect(c.ALERT_EVENTS).not.toContain('income');
    expect(Object.isFrozen(c.ALERT_EVENTS)).toBe(true);
  });

  it('reads a full Telegram setup and an event list with income added', () => {
    const c = loadConfig({ ...LIVE, ALERT_WEBHOOK_URL: 'https://api.telegram.org/bot123:ABC/sendMessage', ALERT_WEBHOOK_FORMAT: 'telegram', ALERT_TELEGRAM_CHAT_ID: '-1001234567890', ALERT_EVENTS: 'flow, income,Drift_Warn', ALERT_MIN_INTERVAL_SEC: '60' });
    expect(c).toMatchObject({ ALERT_WEBHOOK_FORMAT: 'telegram', ALERT_TELEGRAM_CHAT_ID: '-1001234567890', ALERT_MIN_INTERVAL_SEC: 60 });
    expect(c.ALERT_EVENTS).toEqual(['flow', 'income', 'drift_warn']);
  });

  it.each([
    ['a URL that is not http(s)', { ALERT_WEBHOOK_URL: 'ftp://hooks.example.com/x' }, /^ALERT_WEBHOOK_URL: must be an http\(s\) URL \(got <hidden>\)$/],
    ['an unknown format', { ALERT_WEBHOOK_URL: HOOK, ALERT_WEBHOOK_FORMAT: 'teams' }, /^ALERT_WEBHOOK_FORMAT: must be one of json, slack, discord, telegram/],
    ['an unknown event name', { ALERT_EVENTS: 'drift_warn,drfit_ok' }, /^ALERT_EVENTS: must be a comma list of drift_warn, drift_ok, flow, income/],
    ['telegram without a chat id', { ALERT_WEBHOOK_URL: HOOK, ALERT_WEBHOOK_FORMAT: 'telegram' }, /^ALERT_TELEGRAM_CHAT_ID: required when ALERT_WEBHOOK_FORMAT=telegram$/],
    ['a chat id that is not one', { ALERT_TELEGRAM_CHAT_ID: 'my chat' }, /^ALERT_TELEGRAM_CHAT_ID: must be a Telegram chat id/],
    ['a negative interval', { ALERT_MIN_INTERVAL_SEC: '-1' }, /^ALERT_MIN_INTERVAL_SEC: out of range \(allowed 0\.\.86400\)/],
  ])('rejects %s, naming the variable', (_what, env, line) => {
    const p = problems({ ...LIVE, ...env });
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(line);
  });

  it('never echoes the webhook URL in a config error', () => {
    const p = problems({ ...LIVE, ALERT_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/secret with space' });
    expect(p.join('\n')).not.toContain('secret');
  });
});

describe('the webhook URL in logs', () => {
  it('is redacted whole, normalised, or as its path alone (where the token is)', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', secrets: [HOOK], destination: { write: (s: string) => lines.push(s) } });
    logger.error({ url: HOOK }, 'whole');
    logger.error(`fetch failed for ${new URL(HOOK).href}`);
    logger.error({ err: new Error('POST /services/T0000/B0000/XXXXsecretXXXX failed') }, 'path only');
    logger.error(`encoded ${encodeURIComponent(HOOK)}`);
    logger.error('connect ECONNREFUSED hooks.slack.com:443');
    const out = lines.join('');
    expect(out).not.toContain('XXXXsecretXXXX');
    expect(out.match(/\[REDACTED\]/g)?.length).toBeGreaterThanOrEqual(4); // the error's stack repeats its message
    expect(out).toContain('hooks.slack.com'); // the host alone is not the secret and helps debugging
  });
});
