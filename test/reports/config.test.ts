import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/bot/config.js';
import { configProblems } from '../helpers/config-problems.js';
import { spawnSidecar } from '../helpers/process.js';

const LIVE = { KRAKEN_API_KEY: 'key-123456', KRAKEN_API_SECRET: 'kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==' };

const problems = (env: Record<string, string>): string[] => configProblems({ ...LIVE, ...env });

describe('report configuration', () => {
  it('defaults to UTC calendar days kept 90 days', () => {
    const c = loadConfig(LIVE);
    expect([c.REPORT_PERIOD_SEC, c.REPORT_TZ, c.REPORT_RETENTION_DAYS]).toEqual([86_400, 'UTC', 90]);
  });

  it('takes any IANA zone Intl knows, in its canonical spelling', () => {
    expect(loadConfig({ ...LIVE, REPORT_TZ: 'europe/berlin' }).REPORT_TZ).toBe('Europe/Berlin');
    expect(loadConfig({ ...LIVE, REPORT_TZ: ' America/New_York ' }).REPORT_TZ).toBe('America/New_York');
  });

  it('a zone that does not exist, or a period shorter than a tick, is refused naming the variable', () => {
    expect(problems({ REPORT_TZ: 'Mars/Olympus_Mons' })).toEqual(['REPORT_TZ: must be an IANA time zone such as UTC, Europe/Berlin or America/New_York (got "Mars/Olympus_Mons")']);
    expect(problems({ REPORT_PERIOD_SEC: '10', LOOP_INTERVAL_SEC: '30' })[0]).toMatch(/^REPORT_PERIOD_SEC: must be at least LOOP_INTERVAL_SEC \(30\)/);
    expect(problems({ REPORT_PERIOD_SEC: '1.5' })[0]).toMatch(/^REPORT_PERIOD_SEC: must be a whole number/);
    expect(problems({ REPORT_RETENTION_DAYS: '0' })[0]).toMatch(/^REPORT_RETENTION_DAYS: out of range/);
  });

  it('the sidecar exits with code 2 on an unknown REPORT_TZ', async () => {
    const p = spawnSidecar({ REPORT_TZ: 'Mars/Olympus_Mons', DATA_DIR: '/nonexistent-never-written' });
    expect((await p.exited()).code).toBe(2);
    expect(p.output()).toMatch(/^config error: REPORT_TZ: must be an IANA time zone/m);
  }, 30_000);
});
