// Private-call cost of importing N ledger rows through the simulator: the real daemon (stage 1), a generous
// budget (pro tier, 20 points a tick, no page cap), N deposits stamped before the next tick (so balances and
// ledger agree, and whichever poll comes next, early or scheduled, sees them all). The sim's request log
// gives the points charged for Ledgers; the minimum is 2 points a page, 2·⌈N/50⌉.
import { busyHour, quietHour } from './hourly-cost.js';
import type { Rig } from './lib/rig.js';
import { startRig } from './lib/rig.js';
import { fmt, ratio, type BenchResult, type Figure } from './lib/report.js';

const LOOP_SEC = 30;
const POLL_SEC = 300;
/** Row times lie in (t0, t0 + SPREAD_SEC], before the next tick. */
const SPREAD_SEC = LOOP_SEC - 10;

function ledgerCost(rig: Rig): { cost: number; calls: number; rejected: number } {
  const s = rig.sim.stats();
  const led = s.requests.filter((r) => r.endpoint === 'Ledgers');
  return { cost: led.reduce((a, r) => a + r.cost, 0), calls: s.endpoints.Ledgers.calls, rejected: s.endpoints.Ledgers.rejected };
}

async function importRows(n: number): Promise<{ figure: Figure; ticks: number }> {
  const rig = await startRig({
    env: {
      FLOW_DETECTION_ENABLED: 'true',
      KRAKEN_TIER: 'pro',
      PRIVATE_CALLS_PER_LOOP: '20',
      FLOW_MAX_PAGES_PER_POLL: '1000',
      LOOP_INTERVAL_SEC: String(LOOP_SEC),
      FLOW_POLL_INTERVAL_SEC: String(POLL_SEC),
    },
    sim: { tier: 'pro', requestLogMax: 1_000_000 },
  });
  try {
    const d = rig.daemon;
    await d.tick(); // baseline; the bootstrap poll finds nothing (the cursor starts at the baseline)
    const bootstrap = ledgerCost(rig);
    const t0 = rig.clock.sec();
    for (let i = 0; i < n; i++) {
      const doge = i % 2 === 0;
      rig.sim.addLedgerRow({ type: 'deposit', asset: doge ? 'XXDG' : 'ZUSD', amount: doge ? '10' : '1.5', time: t0 + 1 + (SPREAD_SEC * i) / n });
    }
    const pollsBefore = d.state.poll.polls;
    let ticks = 0;
    while (d.state.poll.polls === pollsBefore && ticks < 2000) {
      await rig.step(LOOP_SEC);
      ticks++;
    }
    const after = ledgerCost(rig);
    const imported = d.state.totals.count;
    const cost = after.cost - bootstrap.cost;
    const pages = (after.calls - bootstrap.calls);
    // The next scheduled poll in the same quiet account: what the lookback overlap re-reads.
    const pollsImport = d.state.poll.polls;
    while (d.state.poll.polls === pollsImport && ticks < 4000) {
      await rig.step(LOOP_SEC);
      ticks++;
    }
    const reread = ledgerCost(rig).cost - after.cost;
    const minimum = 2 * Math.ceil(n / 50);
    const stats = rig.sim.stats();
    return {
      ticks,
      figure: {
        id: `ledger_cost.n${n}`,
        name: `Ledgers cost to import ${fmt(n)} rows`,
        figure: { value: cost, unit: 'points' },
        baseline: { value: minimum, unit: 'points', label: '2·⌈N/50⌉' },
        ratio: ratio(cost, minimum),
        target: '= minimum (quiet run)',
        pass: cost === minimum && imported === n,
        details: {
          rows_imported: imported,
          ledgers_calls: pages,
          ledgers_rejected: after.rejected - bootstrap.rejected,
          rate_limit_rejections: stats.rateLimitRejections,
          bootstrap_poll_cost: bootstrap.cost,
          next_poll_reread_cost: reread,
          deferrals: d.budget.deferrals,
        },
        note:
          cost === minimum + 2 && n % 50 === 0
            ? `one extra empty page: N is a multiple of 50 and the poll stops only at a short or empty page; the next quiet poll re-reads the lookback window for ${reread} more points`
            : `next quiet poll re-reads the lookback window: ${reread} points`,
      },
    };
  } finally {
    await rig.close();
  }
}

export async function privateCallCost(): Promise<Omit<BenchResult, 'seconds'>> {
  const figures: Figure[] = [];
  for (const n of [1000, 10_000, 1020]) figures.push((await importRows(n)).figure);
  // Issue 10: cost per hour at default settings, a quiet account and a busy bot (bench/hourly-cost.ts).
  figures.push(await quietHour(), await busyHour());
  return { bench: 'private-call-cost', figures };
}
