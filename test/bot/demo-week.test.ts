// The demo as `npm start` wires it (startSidecar with no keys), in-process so the simulated account's own
// ledger can be read as the truth: /status right after start-up holds a week, every flow of the week as a
// marker, the one injected unexplained event as Unexplained; the week is persisted; going live keeps it all
// consistent; a restart on the same DATA_DIR runs one fresh week, never a second one on top of the first.
import type { FlowsPage } from '../../src/dashboard/route-schemas.js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/bot/config.js';
import { DEMO_UNEXPLAINED_DOGE, WEEK_CADENCE as C } from '../../src/bot/demo-history.js';
import { startSidecar, type RunningSidecar } from '../../src/bot/sidecar.js';
import type { StatusPayload } from '../../src/bot/status-types.js';
import { restoreReconState } from '../../src/recon/state-codec.js';
import { createStore } from '../../src/store/store.js';
import { memoryLogger, tempDir } from '../helpers/store-fixtures.js';

const DAY = 86_400;
const UNEXPLAINED = Number(DEMO_UNEXPLAINED_DOGE);

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir('demo-week-');
});
afterAll(async () => {
  await tmp?.cleanup();
});

const config = () => loadConfig({ DATA_DIR: tmp.dir, PORT: '0' });

async function status(s: RunningSidecar): Promise<StatusPayload> {
  const res = await fetch(`${s.server.url}status`);
  expect(res.status).toBe(200);
  return (await res.json()) as StatusPayload;
}

/** The simulated account's own record of the week's deposits and withdrawals (ledger ids). */
function simFlowIds(s: RunningSidecar): Set<string> {
  return new Set((s.demo?.sim.ledgerRows() ?? []).filter((r) => r.row['type'] === 'deposit' || r.row['type'] === 'withdrawal').map((r) => r.id));
}

/** The 7-day chart's markers, as the page gets them: the week's external flows from GET /flows. */
async function markerFlowIds(s: RunningSidecar, st: StatusPayload): Promise<string[]> {
  const res = await fetch(`${s.server.url}flows?category=external&limit=500&since=${Math.floor(st.ts - 7 * 86_400)}`);
  expect(res.status).toBe(200);
  const page = (await res.json()) as FlowsPage;
  expect(page.next_before).toBeNull();
  return page.flows.filter((f) => f.type === 'deposit' || f.type === 'withdrawal').map((f) => f.ledger_id);
}

/** Largest and smallest gap between consecutive points of the series, its first and last times. */
function seriesShape(s: RunningSidecar): { first: number; last: number; maxGap: number; minGap: number; n: number } {
  const ts = s.daemon.equity.points.map((p) => p.ts);
  const gaps = ts.slice(1).map((t, i) => t - (ts[i] ?? 0));
  return { first: ts[0] ?? NaN, last: ts.at(-1) ?? NaN, maxGap: Math.max(...gaps), minGap: Math.min(...gaps), n: ts.length };
}

describe('the demo starts with a simulated week', () => {
  let first: RunningSidecar;
  let atStart: StatusPayload;
  let firstIds = new Set<string>();

  beforeAll(async () => {
    first = await startSidecar(config(), memoryLogger().logger);
    atStart = await status(first);
  }, 60_000);
  afterAll(async () => {
    await first?.stop();
  });

  it('shows seven days of equity points at the first /status, ending now', () => {
    const now = Date.now() / 1000;
    const spark = atStart.equity_history.sparkline_7d;
    expect(atStart.mode).toBe('demo');
    // The 7-day view (what the chart draws) reaches back the whole week.
    expect(now - (spark[0]?.[0] ?? now)).toBeGreaterThanOrEqual(6.9 * DAY);
    expect(atStart.equity_history.points).toBeGreaterThanOrEqual(Math.floor((6.9 * DAY) / C.week));
    // The week ends at the hand-over: the last point is now (not in the future, not minutes ago), and the
    // 7-day view's last point too.
    expect(now - (spark.at(-1)?.[0] ?? 0)).toBeLessThan(C.edgeTicks * C.last + 60);
    const last = atStart.equity_history.sparkline_24h.at(-1)?.[0] ?? 0;
    expect(last).toBeLessThanOrEqual(now);
    expect(now - last).toBeLessThan(60);
    expect(atStart.ts).toBeLessThanOrEqual(now);
    const shape = seriesShape(first);
    expect(shape.maxGap).toBeLessThanOrEqual(C.week); // no hole anywhere in the week (the 24 h chart's rule: 900 s)
    expect(first.demoWeek?.ran).toBe(true);
  });

  it('draws one marker for each deposit and withdrawal of the week, exactly those of the simulated ledger', async () => {
    firstIds = simFlowIds(first);
    const markers = await markerFlowIds(first, atStart);
    expect(firstIds.size).toBeGreaterThanOrEqual(5);
    expect(new Set(markers).size).toBe(markers.length);
    expect(new Set(markers)).toEqual(firstIds);
    expect(atStart.external_flows.flow_count).toBe(firstIds.size);
  });

  it('explains everything but the one injected unexplained event', () => {
    expect(first.demoWeek?.events).toEqual([expect.stringMatching(/balance change without a ledger row/)]);
    expect(atStart.balance_recon.adjusted_drift_doge).not.toBeNull();
    expect(Math.abs((atStart.balance_recon.adjusted_drift_doge ?? NaN) - UNEXPLAINED)).toBeLessThan(1e-6);
    const rf = (atStart.balance_recon as { roll_forward?: { unexplained: number } | null }).roll_forward;
    if (rf !== undefined && rf !== null) expect(Math.abs(rf.unexplained - UNEXPLAINED)).toBeLessThan(1e-6);
  });

  it('spent the week within the rate budget: the daemon and the simulator agree on the counter', () => {
    const sim = first.demo?.sim;
    const key = first.demo?.credentials.key ?? '';
    expect(sim?.stats().rateLimitRejections).toBe(0);
    expect(atStart.budget.rate_limit_errors).toBe(0);
    expect(atStart.budget.calls).toBeGreaterThan(2 * first.demoWeek!.ticks - 10); // Balance + Ledgers a tick
    const now = first.daemon.nowSec();
    // The model is never below the real counter (it would overspend) and close to it.
    expect(first.daemon.budget.counterAt(now)).toBeGreaterThanOrEqual((sim?.counter(key) ?? 0) - 1e-6);
    expect(first.daemon.budget.counterAt(now) - (sim?.counter(key) ?? 0)).toBeLessThan(3.5);
  });

  it('goes on live with the same series, flows and reconciliation (no gap, no rate limit)', async () => {
    const before = seriesShape(first);
    await new Promise((r) => setTimeout(r, 7000)); // more than one live equity sample (5 s)
    const live = await status(first);
    const after = seriesShape(first);
    expect(live.loop.ticks).toBeGreaterThan(atStart.loop.ticks);
    expect(after.first - before.first).toBeGreaterThanOrEqual(0); // only trimming at the 7-day edge moves it
    expect(after.first - before.first).toBeLessThanOrEqual(C.week);
    expect(after.n).toBeGreaterThan(before.n);
    expect(after.last).toBeGreaterThan(before.last);
    expect(after.maxGap).toBeLessThanOrEqual(C.week);
    expect(after.minGap).toBeGreaterThan(0);
    expect(Math.abs((live.balance_recon.adjusted_drift_doge ?? NaN) - UNEXPLAINED)).toBeLessThan(1e-6);
    // Every flow the live polls have covered is a marker (a flow of the last seconds may await the next poll).
    const polledTo = (live.external_flows.last_poll_ts ?? 0) - 2;
    const covered = (first.demo?.sim.ledgerRows() ?? []).filter((r) => simFlowIds(first).has(r.id) && r.time < polledTo).map((r) => r.id);
    const liveMarkers = new Set(await markerFlowIds(first, live));
    expect(covered.filter((id) => !liveMarkers.has(id))).toEqual([]);
    expect([...liveMarkers].filter((id) => !simFlowIds(first).has(id))).toEqual([]);
    expect(live.budget.rate_limit_errors).toBe(0);
    expect(first.demo?.sim.stats().rateLimitRejections).toBe(0);
    expect(live.price.ok && live.balances.ok).toBe(true);
  }, 20_000);

  it('persists the week locally, and a restart on the same DATA_DIR runs one fresh week, not a second on top', async () => {
    const points = first.daemon.equity.points.length;
    await first.stop();
    const local = createStore({ dataDir: join(tmp.dir, 'demo'), logger: memoryLogger().logger, nowMs: Date.now });
    const saved = await local.loadSeries();
    expect(saved.length).toBeGreaterThanOrEqual(points);
    // The saved reconciliation state holds the week's flows, each once.
    const state = restoreReconState(await local.loadReconState(), 1000).state;
    expect(new Set(state.flows.map((f) => f.ledger_id)).size).toBe(state.flows.length);
    expect(state.flows.filter((f) => firstIds.has(f.ledger_id))).toHaveLength(firstIds.size);

    const second = await startSidecar(config(), memoryLogger().logger);
    try {
      const st = await status(second);
      const ids = simFlowIds(second);
      const markers = await markerFlowIds(second, st);
      // The second week's flows, each once; nothing of the first account's.
      expect(new Set(markers)).toEqual(ids);
      expect(markers.length).toBe(ids.size);
      expect(st.external_flows.flow_count).toBe(ids.size);
      expect(markers.filter((id) => firstIds.has(id))).toEqual([]);
      // One week of points at the week's cadence, not two interleaved.
      const shape = seriesShape(second);
      expect(shape.n).toBeLessThanOrEqual((7 * DAY) / C.week + 2 * C.edgeTicks + C.week / C.last + 6);
      expect(shape.first).toBeGreaterThanOrEqual(second.demoWeek!.from_ts - 1);
      expect(shape.minGap).toBeGreaterThan(0);
      expect(Math.abs((st.balance_recon.adjusted_drift_doge ?? NaN) - UNEXPLAINED)).toBeLessThan(1e-6);
    } finally {
      await second.stop();
    }
  }, 60_000);
});

describe('DEMO_HISTORY_DAYS', () => {
  it('0 starts the demo empty, as before the simulated week', async () => {
    const s = await startSidecar(loadConfig({ DATA_DIR: tmp.dir, PORT: '0', DEMO_HISTORY_DAYS: '0' }), memoryLogger().logger);
    try {
      expect(s.demoWeek).toBeNull();
      let st: StatusPayload | null = null;
      for (let i = 0; i < 100 && st === null; i++) {
        const res = await fetch(`${s.server.url}status`);
        st = res.status === 200 ? ((await res.json()) as StatusPayload) : null;
        if (st === null) await new Promise((r) => setTimeout(r, 50));
      }
      expect(st?.equity_history.points).toBeLessThanOrEqual(2);
      expect(st?.external_flows.flow_count).toBe(0);
      expect(Math.abs((st?.loop.started_ts ?? 0) - Date.now() / 1000)).toBeLessThan(30);
    } finally {
      await s.stop();
    }
  });

  it('is bounded to the 7-day window and means nothing in live mode', () => {
    expect(() => loadConfig({ DEMO_HISTORY_DAYS: '8' })).toThrow(/DEMO_HISTORY_DAYS/);
    expect(() => loadConfig({ DEMO_HISTORY_DAYS: '-1' })).toThrow(/DEMO_HISTORY_DAYS/);
    expect(loadConfig({ DEMO_HISTORY_DAYS: '0.5' }).DEMO_HISTORY_DAYS).toBe(0.5);
    expect(loadConfig({}).DEMO_HISTORY_DAYS).toBe(7);
  });
});
