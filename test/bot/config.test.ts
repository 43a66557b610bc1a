import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig, rolloutStage } from '../../src/bot/config.js';
import { configProblems } from '../helpers/config-problems.js';

const SECRET = Buffer.alloc(64, 7).toString('base64');
const LIVE = { KRAKEN_API_KEY: 'key-abc', KRAKEN_API_SECRET: SECRET };

const problems = configProblems;

describe('loadConfig', () => {
  it('boots with no variables at all: demo mode, every default of DESIGN.md section 3 (demo shortens intervals)', () => {
    const c = loadConfig({});
    expect(c.mode).toBe('demo');
    expect(c).toMatchObject({ KRAKEN_PAIR: 'XDGUSD', KRAKEN_TIER: 'pro', HOST: '127.0.0.1', PORT: 8787, LOOP_INTERVAL_SEC: 2, FLOW_DETECTION_ENABLED: true });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('uses the documented defaults in live mode', () => {
    const c = loadConfig(LIVE);
    expect(c).toMatchObject({
      mode: 'live',
      KRAKEN_API_URL: 'https://api.kraken.com',
      KRAKEN_BUDGET_RESERVE: 0,
      PRIVATE_CALLS_PER_LOOP: 3,
      KRAKEN_TIMEOUT_MS: 10000,
      LOOP_INTERVAL_SEC: 30,
      BALANCE_RECON_DRIFT_PCT: 1,
      FLOW_DETECTION_ENABLED: false,
      FLOW_POLL_INTERVAL_SEC: 300,
      FLOW_BASELINE_AUTO_ADJUST: false,
      FLOW_TYPES: ['deposit', 'withdrawal'],
      FLOW_LOOKBACK_SEC: 900,
      FLOW_MAX_PAGES_PER_POLL: 20,
      FLOW_HISTORY_MAX: 1000,
      EQUITY_TS_ENABLED: false,
      EQUITY_SNAPSHOT_INTERVAL_SEC: 300,
      EQUITY_SNAPSHOT_FLUSH_SEC: 900,
      EQUITY_TS_RETENTION_DAYS: 7,
      EQUITY_TS_SPARKLINE_7D_STEP: 12,
      DASHBOARD_FLOW_PANELS_ENABLED: false,
      BOT_PNL_SOURCE: 'none',
      SUPABASE_TABLE: 'bot_state',
      DATA_DIR: 'logs',
      LOG_LEVEL: 'info',
    });
    expect(c.supabase).toBeUndefined();
    expect(rolloutStage(c)).toBe(0);
  });

  it.each([
    ['a key without a secret', { KRAKEN_API_KEY: 'k' }, 'KRAKEN_API_SECRET'],
    ['a secret without a key', { KRAKEN_API_SECRET: SECRET }, 'KRAKEN_API_KEY'],
    ['a secret that is not base64', { ...LIVE, KRAKEN_API_SECRET: 'not base64!' }, 'KRAKEN_API_SECRET'],
    ['a non-number', { LOOP_INTERVAL_SEC: 'abc' }, 'LOOP_INTERVAL_SEC'],
    ['a number below range', { LOOP_INTERVAL_SEC: '0.5' }, 'LOOP_INTERVAL_SEC'],
    ['a port above 65535', { PORT: '70000' }, 'PORT'],
    ['a fractional port', { PORT: '80.5' }, 'PORT'],
    ['an unknown tier', { KRAKEN_TIER: 'gold' }, 'KRAKEN_TIER'],
    ['an unknown P&L source', { BOT_PNL_SOURCE: 'ftp' }, 'BOT_PNL_SOURCE'],
    ['a bad boolean', { FLOW_DETECTION_ENABLED: 'maybe' }, 'FLOW_DETECTION_ENABLED'],
    ['an unknown flow type', { FLOW_TYPES: 'deposit,trade' }, 'FLOW_TYPES'],
    ['a bad URL', { KRAKEN_API_URL: 'ftp://x' }, 'KRAKEN_API_URL'],
    ['Supabase URL without key', { SUPABASE_URL: 'https://x.supabase.co' }, 'SUPABASE_KEY'],
    ['a reserve that leaves no room', { ...LIVE, KRAKEN_BUDGET_RESERVE: '14' }, 'KRAKEN_BUDGET_RESERVE'],
    ['a short status token', { STATUS_TOKEN: 'short' }, 'STATUS_TOKEN'],
    ['a per-tick budget too small for a Ledgers page with flows on', { ...LIVE, FLOW_DETECTION_ENABLED: 'true', PRIVATE_CALLS_PER_LOOP: '1' }, 'PRIVATE_CALLS_PER_LOOP'],
    ['http P&L without a URL in live mode', { ...LIVE, BOT_PNL_SOURCE: 'http' }, 'BOT_PNL_URL'],
    ['a P&L key naming the sidecar\'s own row', { BOT_PNL_STATE_KEY: '__equity_ts__', BOT_PNL_SOURCE: 'supabase', SUPABASE_URL: 'https://x.supabase.co', SUPABASE_KEY: 'k' }, 'BOT_PNL_STATE_KEY'],
  ])('rejects %s, naming the variable', (_what, env, variable) => {
    const lines = problems(env as Record<string, string>);
    expect(lines.some((l) => l.startsWith(`${variable}:`))).toBe(true);
  });

  it('DATABASE_URL: a misspelt sslmode is refused without echoing the password; the known modes pass', () => {
    const lines = problems({ DATABASE_URL: 'postgres://u:pw-secret-1@db.example:5432/app?sslmode=requre' });
    expect(lines).toEqual([expect.stringMatching(/^DATABASE_URL: .*sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full, no-verify/)]);
    expect(lines.join('\n')).not.toContain('pw-secret-1');
    for (const mode of ['disable', 'require', 'verify-full', 'no-verify']) expect(problems({ DATABASE_URL: `postgres://u:p@h/db?sslmode=${mode}` })).toEqual([]);
    expect(problems({ DATABASE_URL: 'postgresql://u:p@h/db' })).toEqual([]);
  });

  it('reports every problem at once, one line each, and never echoes a secret', () => {
    const lines = problems({ PORT: 'x', KRAKEN_TIER: 'gold', KRAKEN_API_KEY: 'k', KRAKEN_API_SECRET: 'sekrit-not-base64?' });
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.join('\n')).not.toContain('sekrit');
  });

  it('knows every variable of the contract', () => {
    for (const name of ['KRAKEN_API_KEY', 'KRAKEN_TIER', 'FLOW_TYPES', 'EQUITY_TS_SPARKLINE_7D_STEP', 'BOT_PNL_STATE_KEY', 'SUPABASE_TABLE', 'STATUS_TOKEN', 'LOG_LEVEL']) {
      expect(CONFIG_VARIABLES).toContain(name);
    }
  });
});

describe('rolloutStage', () => {
  const flags = (a: boolean, b: boolean, c: boolean, d: boolean) => ({
    FLOW_DETECTION_ENABLED: a,
    FLOW_BASELINE_AUTO_ADJUST: b,
    EQUITY_TS_ENABLED: c,
    DASHBOARD_FLOW_PANELS_ENABLED: d,
  });
  it('is the largest k whose first k flags are on', () => {
    expect(rolloutStage(flags(false, false, false, false))).toBe(0);
    expect(rolloutStage(flags(true, false, false, false))).toBe(1);
    expect(rolloutStage(flags(true, true, true, true))).toBe(4);
    expect(rolloutStage(flags(false, true, true, true))).toBe(0); // a lone later flag reports the lower stage
    expect(rolloutStage(flags(true, true, false, true))).toBe(2);
  });
});

describe('.env.example', () => {
  it('documents every variable, each with its default', async () => {
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(new URL('../../.env.example', import.meta.url), 'utf8');
    const documented = new Map(
      text
        .split('\n')
        .filter((l) => /^[A-Z0-9_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const),
    );
    expect([...documented.keys()].sort()).toEqual([...CONFIG_VARIABLES].sort());
    // The example file itself must load (as live defaults once keys are added).
    const env = Object.fromEntries([...documented].filter(([, v]) => v !== ''));
    const c = loadConfig({ ...env, ...LIVE });
    expect(c.PORT).toBe(8787);
    expect(c.FLOW_TYPES).toEqual(['deposit', 'withdrawal']);
  });
});

describe('README configuration table', () => {
  it('names every variable exactly once, in the first column of its row, and no variable that does not exist', async () => {
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const start = readme.indexOf('\n## Configuration\n');
    const end = readme.indexOf('\n## ', start + 1);
    expect(start).toBeGreaterThan(0);
    const named = readme
      .slice(start, end)
      .split('\n')
      .filter((l) => l.startsWith('| `'))
      .flatMap((l) => [...(l.split('|')[1] ?? '').matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1] as string));
    const counts = new Map<string, number>();
    for (const v of named) counts.set(v, (counts.get(v) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([...CONFIG_VARIABLES].sort());
    expect([...counts].filter(([, n]) => n !== 1)).toEqual([]);
  });
});
