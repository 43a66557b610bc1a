import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/bot/config.js';
import { categoryOf } from '../../src/recon/categories.js';

const LIVE = { KRAKEN_API_KEY: 'k', KRAKEN_API_SECRET: 'c2VjcmV0' };
const problems = (env: Record<string, string>): readonly string[] => {
  try {
    loadConfig({ ...LIVE, ...env });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('configuration for real accounts (section 15)', () => {
  it('defaults: pool spot,F, BOT_PNL_SOURCE auto = ledger with flow detection on, none without', () => {
    expect(loadConfig(LIVE)).toMatchObject({ EQUITY_WALLETS: ['spot', 'F'], BOT_PNL_SOURCE: 'none' });
    expect(loadConfig({ ...LIVE, FLOW_DETECTION_ENABLED: 'true' }).BOT_PNL_SOURCE).toBe('ledger');
    expect(loadConfig({ ...LIVE, FLOW_DETECTION_ENABLED: 'true', BOT_PNL_SOURCE: 'none' }).BOT_PNL_SOURCE).toBe('none');
  });

  it('EQUITY_WALLETS accepts the documented wallets in any case, rejects others naming the variable', () => {
    expect(loadConfig({ ...LIVE, EQUITY_WALLETS: 'Spot, f ,hold,S' }).EQUITY_WALLETS).toEqual(['spot', 'F', 'HOLD', 'S']);
    expect(problems({ EQUITY_WALLETS: 'spot,T' })[0]).toMatch(/^EQUITY_WALLETS: must be a comma list of spot, F, B, M, S, HOLD/);
  });

  it('LEDGER_CATEGORY_OVERRIDES merges into the table once; an unknown category names the variable', () => {
    const c = loadConfig({ ...LIVE, LEDGER_CATEGORY_OVERRIDES: 'margin:external, Credit:EXTERNAL,invite bonus:unclassified' });
    expect(categoryOf(c.ledgerCategories, 'margin', '')).toBe('external');
    expect(categoryOf(c.ledgerCategories, 'credit', '')).toBe('external');
    expect(categoryOf(c.ledgerCategories, 'invite bonus', '')).toBe('unclassified');
    expect(categoryOf(c.ledgerCategories, 'trade', '')).toBe('trading');
    expect(problems({ LEDGER_CATEGORY_OVERRIDES: 'credit:gift' })[0]).toMatch(/^LEDGER_CATEGORY_OVERRIDES: must be type:category pairs/);
    expect(problems({ BOT_PNL_SOURCE: 'ledger' })[0]).toMatch(/^BOT_PNL_SOURCE: ledger needs FLOW_DETECTION_ENABLED/);
  });

  it('FLOW_TYPES keeps forcing its types into external', () => {
    const c = loadConfig({ ...LIVE, FLOW_TYPES: 'deposit,withdrawal,transfer' });
    expect(categoryOf(c.ledgerCategories, 'transfer', 'autoallocate')).toBe('external');
  });
});
