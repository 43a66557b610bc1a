import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/bot/logger.js';

function capture(secrets: string[]) {
  const lines: string[] = [];
  const logger = createLogger({ level: 'trace', secrets, destination: { write: (s: string) => lines.push(s) } });
  return { logger, text: () => lines.join('') };
}

describe('logger', () => {
  const secret = 'kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==';

  it('redacts secrets wherever they appear: fields, nested headers, messages, errors, URL-encoded', () => {
    const { logger, text } = capture([secret, 'tok-123456789']);
    logger.info({ secret, headers: { authorization: 'Bearer tok-123456789' } }, 'fields');
    logger.warn(`message quoting ${secret}`);
    logger.error({ err: new Error(`failed with ${encodeURIComponent(secret)}`) }, 'error');
    logger.info({ nested: { deep: { value: `x${secret}y` } } }, 'nested');
    const out = text();
    expect(out).not.toContain(secret);
    expect(out).not.toContain(encodeURIComponent(secret));
    expect(out).not.toContain('tok-123456789');
    expect(out.match(/\[REDACTED\]/g)?.length).toBeGreaterThanOrEqual(5);
  });

  it('writes one JSON object per line', () => {
    const { logger, text } = capture([]);
    logger.info({ a: 1 }, 'one');
    logger.warn('two');
    const lines = text().trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['one', 'two']);
  });
});
