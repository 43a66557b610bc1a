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
  balance_recon: { adjusted_status: string; adjusted_drift_pct: number | null };
}

describe('the demo as a newcomer sees it', () => {
  it('shows its USD and explains every trade: no unexplained drift while the synthetic bot trades', async () => {
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
      const known = seen.filter((s) => s.balance_recon.adjusted_drift_pct !== null);
      expect(known.length).toBeGreaterThanOrEqual(3);
      for (const s of known) {
        expect(s.balances.usd).toBeGreaterThan(0); // the demo account holds USD where the sidecar reads it
        expect(s.balance_recon.adjusted_status).toBe('ok');
        expect(Math.abs(s.balance_recon.adjusted_drift_pct ?? 0)).toBeLessThan(0.01);
      }
    } finally {
      p.child.kill('SIGTERM');
      await p.exited();
    }
  }, 30_000);
});
