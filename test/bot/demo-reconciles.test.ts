import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSidecar } from '../helpers/process.js';

let dataDir = '';
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sidecar-demo-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

interface Figures {
  balances: { usd: number | null };
  balance_recon: { adjusted_status: string; adjusted_drift_doge: number | null; income_doge_eq: number };
}

describe('the demo as a newcomer sees it', () => {
  // The simulated week holds one unexplained event on purpose (see demo-history.ts); live, the bot's trades,
  // Auto Earn moves and rewards are all explained, so Unexplained does not move while it trades.
  it('shows its USD (Auto Earn holds it in USD.F) and explains every live trade: Unexplained stays put', async () => {
    const p = spawnSidecar({ PORT: '0', DATA_DIR: dataDir });
    try {
      const url = await p.listening();
      const seen: Figures[] = [];
      const until = Date.now() + 9000; // four or five demo ticks (2 s), the bot trading several times per tick
      while (Date.now() < until) {
        await new Promise((r) => setTimeout(r, 1000));
        const res = await fetch(`${url}status`);
        if (res.status === 200) seen.push((await res.json()) as Figures);
      }
      const known = seen.filter((s) => s.balance_recon.adjusted_drift_doge !== null);
      expect(known.length).toBeGreaterThanOrEqual(3);
      const first = known[0]?.balance_recon.adjusted_drift_doge ?? NaN;
      for (const s of known) {
        expect(s.balances.usd).toBeGreaterThan(0); // the pool counts USD.F, where Auto Earn keeps the demo's USD
        expect(s.balance_recon.adjusted_status).toBe('ok');
        expect(s.balance_recon.income_doge_eq).toBeGreaterThan(0); // the week's rewards
        expect(Math.abs((s.balance_recon.adjusted_drift_doge ?? NaN) - first)).toBeLessThan(1e-6);
      }
    } finally {
      p.child.kill('SIGTERM');
      await p.exited();
    }
  }, 30_000);
});
