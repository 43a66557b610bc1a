// The demo's simulated week, piece by piece: the shared clock, the held store, the live pacer and the week's
// schedule (with a recording daemon, so every time and order is exact).
import { describe, expect, it } from 'vitest';
import { DemoClock } from '../../src/bot/demo-clock.js';
import { runDemoWeek, WEEK_CADENCE as C, WEEK_STEP_SEC, type WeekEvent } from '../../src/bot/demo-history.js';
import { ActorPacer } from '../../src/bot/demo-pacer.js';
import { holdingStore } from '../../src/bot/held-store.js';
import type { EquityPoint } from '../../src/equity/types.js';
import type { Store } from '../../src/store/store.js';
import { memoryLogger } from '../helpers/store-fixtures.js';

const DAY = 86_400;
const REAL_MS = 1_800_000_000_000;

describe('DemoClock', () => {
  it('moves only forward, never past the real clock, and hands over to it', () => {
    let real = REAL_MS;
    const clock = new DemoClock(REAL_MS - 7 * DAY * 1000, () => real);
    expect(clock.now()).toBe(REAL_MS - 7 * DAY * 1000);
    clock.advanceTo(REAL_MS - DAY * 1000);
    expect(clock.now()).toBe(REAL_MS - DAY * 1000);
    clock.advanceTo(REAL_MS - 2 * DAY * 1000); // backwards: ignored
    expect(clock.now()).toBe(REAL_MS - DAY * 1000);
    clock.advanceTo(REAL_MS + 60_000); // the future: capped at the real time
    expect(clock.now()).toBe(REAL_MS);
    clock.goLive();
    real += 5000;
    expect(clock.now()).toBe(REAL_MS + 5000);
    expect(() => clock.advanceTo(REAL_MS + 9000)).toThrow(/live/);
  });

  it('never starts in the future', () => {
    const clock = new DemoClock(REAL_MS + 1000, () => REAL_MS);
    expect(clock.now()).toBe(REAL_MS);
  });
});

function recordingStore(): Store & { states: unknown[]; series: (readonly EquityPoint[])[] } {
  const states: unknown[] = [];
  const series: (readonly EquityPoint[])[] = [];
  return {
    states,
    series,
    loadReconState: async () => null,
    loadSeries: async () => [],
    saveReconState: async (s) => void states.push(s),
    saveSeries: async (p) => {
      series.push(p);
      return p;
    },
    status: () => ({}) as ReturnType<Store['status']>,
  };
}

const point = (ts: number): EquityPoint => ({ ts, doge_eq: 1, usd: 0, doge: 1, price: 0.1, bot_pnl_usd: 0, flows_cumulative_doge_eq: 0 });

describe('holdingStore', () => {
  it('keeps only the latest save while holding and writes it once on release; then passes saves through', async () => {
    const inner = recordingStore();
    const held = holdingStore(inner);
    for (let i = 1; i <= 50; i++) {
      await held.saveReconState({ saved_ts: i });
      const pts = Array.from({ length: i }, (_, k) => point(k));
      expect(await held.saveSeries(pts)).toEqual(pts);
    }
    expect(inner.states).toEqual([]);
    expect(inner.series).toEqual([]);
    await held.release();
    expect(inner.states).toEqual([{ saved_ts: 50 }]);
    expect(inner.series.map((s) => s.length)).toEqual([50]);
    await held.release(); // a second release writes nothing more
    await held.saveReconState({ saved_ts: 51 });
    expect(inner.states).toEqual([{ saved_ts: 50 }, { saved_ts: 51 }]);
    expect(held.holding).toBe(false);
  });
});

describe('ActorPacer', () => {
  it('acts only while the loop sleeps; a step due during a tick waits for the next sleep', async () => {
    let inTick = false;
    const acted: boolean[] = [];
    const pacer = new ActorPacer([() => acted.push(inTick)], 20);
    pacer.start();
    const stop = new AbortController();
    try {
      for (let i = 0; i < 4; i++) {
        inTick = true;
        await new Promise((r) => setTimeout(r, 70)); // a "tick" longer than three step intervals
        inTick = false;
        await pacer.sleep(50, stop.signal);
      }
    } finally {
      pacer.stop();
    }
    expect(acted.length).toBeGreaterThanOrEqual(8);
    expect(acted.every((during) => !during)).toBe(true);
  });

  it('its sleep ends early when the loop is stopped', async () => {
    const pacer = new ActorPacer([], 1000);
    const stop = new AbortController();
    const t = Date.now();
    setTimeout(() => stop.abort(), 20);
    await expect(pacer.sleep(5000, stop.signal)).rejects.toThrow();
    expect(Date.now() - t).toBeLessThan(1000);
  });
});

describe('runDemoWeek', () => {
  /** A daemon stand-in that records the clock at each tick and whether saves were still held. */
  function setup(opts: { baseline?: unknown; realStepMs?: number } = {}) {
    let real = REAL_MS;
    // The real clock moves on a little with each reading, as it does while the week runs.
    const realNow = (): number => (real += opts.realStepMs ?? 0);
    const clock = new DemoClock(REAL_MS - 7 * DAY * 1000, realNow);
    const store = holdingStore(recordingStore());
    const ticks: Array<{ ts: number; held: boolean; live: boolean }> = [];
    const steps: number[] = [];
    const daemon = {
      state: { baseline: opts.baseline ?? null },
      async tick() {
        ticks.push({ ts: clock.now() / 1000, held: store.holding, live: clock.isLive });
      },
    };
    const fired: number[] = [];
    const event: WeekEvent = { atSec: 3.3 * DAY + 7, label: 'the event', run: () => void fired.push(clock.now() / 1000) };
    const log = memoryLogger();
    const run = () => runDemoWeek({ daemon, clock, store, actors: [() => void steps.push(clock.now() / 1000)], events: [event], logger: log.logger });
    return { run, clock, ticks, steps, fired, store, log, realSec: () => real / 1000 };
  }

  it('ticks on the week grid from a week ago to the real now, actors and events between ticks, then goes live', async () => {
    const s = setup();
    const report = await s.run();
    const from = REAL_MS / 1000 - 7 * DAY;
    expect(report.ran).toBe(true);
    expect(s.clock.isLive).toBe(true);
    // First tick at the start (the baseline, before any activity).
    expect(s.ticks[0]?.ts).toBe(from);
    expect(s.steps[0]).toBeGreaterThan(from);
    const gaps = s.ticks.slice(1).map((t, i) => ({ at: t.ts, gap: t.ts - (s.ticks[i]?.ts ?? 0) }));
    expect(Math.max(...gaps.map((g) => g.gap))).toBe(C.week);
    expect(Math.min(...gaps.map((g) => g.gap))).toBeGreaterThan(0);
    // The last minutes and the first hour are finer (the 7-day view's end buckets).
    expect(gaps.slice(-(C.edgeTicks - 1)).every((g) => g.gap <= C.last)).toBe(true);
    // The first group of points (one 7-day-view bucket) is fine too, so that view reaches back the whole week.
    expect(gaps.slice(0, C.edgeTicks - 1).every((g) => g.gap === C.first)).toBe(true);
    expect(s.ticks.length).toBeGreaterThanOrEqual((7 * DAY) / C.week);
    expect(s.ticks.length).toBeLessThanOrEqual((7 * DAY) / C.week + 2 * C.edgeTicks + C.week / C.last + 2);
    // The last tick is the hand-over: live, at the real now, with the held saves already written.
    const last = s.ticks.at(-1);
    expect(last).toEqual({ ts: REAL_MS / 1000, held: false, live: true });
    expect(s.ticks.slice(0, -1).every((t) => t.held && !t.live)).toBe(true);
    // Nothing in the future, nothing on a tick time, the actor cadence kept.
    const tickTimes = new Set(s.ticks.map((t) => t.ts));
    expect(s.steps.every((t) => t <= REAL_MS / 1000 && !tickTimes.has(t))).toBe(true);
    expect(s.steps.length).toBe(Math.floor((7 * DAY - C.last / 2) / WEEK_STEP_SEC) + 1);
    expect(s.fired).toEqual([from + 3.3 * DAY + 7]);
    expect(report).toMatchObject({ from_ts: from, to_ts: REAL_MS / 1000, ticks: s.ticks.length, steps: s.steps.length, events: ['the event'] });
  });

  it('ends at the real now even when the real clock runs on while the week is simulated', async () => {
    const s = setup({ realStepMs: 3 });
    await s.run();
    const last = s.ticks.at(-1);
    const before = s.ticks.at(-2);
    expect(last?.live).toBe(true);
    expect(last?.ts).toBeGreaterThan(REAL_MS / 1000);
    expect(last?.ts).toBeLessThanOrEqual(s.realSec());
    expect((last?.ts ?? 0) - (before?.ts ?? 0)).toBeLessThanOrEqual(C.last);
    expect(s.steps.every((t) => t <= (last?.ts ?? 0))).toBe(true);
  });

  it('never runs a week on top of a saved baseline', async () => {
    const s = setup({ baseline: { ts: 1 } });
    const report = await s.run();
    expect(report.ran).toBe(false);
    expect(s.ticks).toEqual([]);
    expect(s.steps).toEqual([]);
    expect(s.clock.isLive).toBe(true);
    expect(s.store.holding).toBe(false);
    expect(s.log.text()).toMatch(/not run on top/);
  });
});
