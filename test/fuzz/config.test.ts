import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../../src/bot/config.js';
import { LIMITS } from './arbitraries.js';

/** What an operator (or a broken deploy script) can put in an environment variable. */
const envValue = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom('', ' ', 'true', 'false', 'yes', 'off', '0', '1', '-1', '1e3', 'NaN', 'Infinity', '0x10', '30', '0.5', '65536', 'pro', 'starter', 'deposit,transfer', 'http://127.0.0.1:1', 'https://x', 'a'.repeat(5000), '\u0000', 'kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=='),
  fc.integer().map(String),
  fc.double().map(String),
);

const env = fc.dictionary(fc.constantFrom(...CONFIG_VARIABLES), envValue, { maxKeys: CONFIG_VARIABLES.length });

describe('fuzz: configuration from the environment', () => {
  it('loadConfig returns a frozen config or throws ConfigError, nothing else', () => {
    fc.assert(
      fc.property(env, (vars) => {
        try {
          const c = loadConfig(vars);
          expect(Object.isFrozen(c)).toBe(true);
          expect(['live', 'demo']).toContain(c.mode);
          for (const n of ['LOOP_INTERVAL_SEC', 'FLOW_POLL_INTERVAL_SEC', 'KRAKEN_TIMEOUT_MS', 'PRIVATE_CALLS_PER_LOOP', 'PORT'] as const) {
            expect(Number.isFinite(c[n]), n).toBe(true);
          }
          expect(c.LOOP_INTERVAL_SEC).toBeGreaterThanOrEqual(1);
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError);
          const problems = (err as ConfigError).problems;
          expect(problems.length).toBeGreaterThan(0);
          for (const line of problems) expect(line).toMatch(/^[A-Z][A-Z0-9_]*: /);
        }
      }),
      { ...LIMITS, numRuns: 400 },
    );
  });

  it('a bad value always names its variable, and never echoes a secret', () => {
    const good = { KRAKEN_API_KEY: 'key-123456', KRAKEN_API_SECRET: 'kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==' };
    fc.assert(
      fc.property(fc.constantFrom(...CONFIG_VARIABLES), envValue, (name, value) => {
        let problems: readonly string[] = [];
        try {
          loadConfig({ ...good, [name]: value });
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError);
          problems = (err as ConfigError).problems;
        }
        if (problems.length === 0) return;
        // One variable changed: its name is what the operator must be told to fix (or its partner's, for pairs).
        const named = problems.map((p) => p.split(':')[0]);
        const partners: Record<string, string[]> = {
          KRAKEN_API_KEY: ['KRAKEN_API_SECRET'],
          KRAKEN_API_SECRET: ['KRAKEN_API_KEY'],
          SUPABASE_URL: ['SUPABASE_KEY'],
          SUPABASE_KEY: ['SUPABASE_URL'],
          BOT_PNL_SOURCE: ['BOT_PNL_URL', 'BOT_PNL_STATE_KEY'],
          BOT_PNL_STATE_KEY: ['BOT_PNL_SOURCE'],
          KRAKEN_TIER: ['KRAKEN_BUDGET_RESERVE'],
        };
        expect([name, ...(partners[name] ?? [])], problems.join('\n')).toContain(named[0]);
        if (/SECRET|TOKEN|SUPABASE_KEY|KRAKEN_API_KEY/.test(name) && value.trim().length >= 6) {
          for (const p of problems) expect(p).not.toContain(value.trim());
        }
      }),
      { ...LIMITS, numRuns: 400 },
    );
  });
});
