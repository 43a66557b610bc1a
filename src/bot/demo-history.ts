import Big from 'big.js';
import type { Logger } from 'pino';
import type { KrakenSim } from '../kraken/sim/index.js';
import type { DemoActor } from './demo-actors.js';
import type { DemoClock } from './demo-clock.js';
import type { HeldStore } from './held-store.js';

/**
 * The simulated week's tick cadence: one daemon tick (and so one equity point) every 30 simulated minutes,
 * every 15 in its last day. Each tick is a full one (Ticker, Time, Balance, a Ledgers page, the bot's P&L
 * over loopback HTTP, reconciliation, /status), ~2 ms of CPU, so the week's ~390 ticks take about a second
 * on this 2-core machine. The live demo ticks every 2 s. Why these two: the page's 24 h chart breaks its
 * line at gaps over 900 s, so the last day is 15-minute; the 7-day chart groups EQUITY_TS_SPARKLINE_7D_STEP
 * (12) points a bucket, so half-hour points still give it ~70 buckets, and a denser week would cost start-up
 * time for little on the picture.
 */
export const WEEK_TICK_SEC = 1800;
/** The last day's cadence (see WEEK_TICK_SEC). */
export const LAST_DAY_TICK_SEC = 900;
const DAY_SEC = 86_400;
/**
 * One step of the actors every 20 simulated minutes (~500 steps a week: some 250 trades and 20 deposits and
 * withdrawals with the demo bot's odds), off the tick grid: activity happens between reads.
 */
export const WEEK_STEP_SEC = 1200;

/** Something that happens once in the week, `atSec` after its start (between ticks). */
export interface WeekEvent {
  readonly atSec: number;
  readonly label: string;
  run(): void;
}

/**
 * The week's one unexplained event: base asset leaves the balance with no ledger row (as a correction Kraken
 * never booked would). Nothing explains it, so after it the reconciliation's Unexplained is `doge` DOGE-eq.
 * Base asset, so its DOGE-eq is the same at any price.
 */
export function unexplainedBalanceChange(sim: KrakenSim, atSec: number, doge: string): WeekEvent {
  return {
    atSec,
    label: `balance change without a ledger row: ${doge} ${sim.pair.base}`,
    run() {
      const code = sim.pair.base;
      sim.setBalance(code, new Big(sim.getBalances()[code] ?? '0').plus(doge).toString());
    },
  };
}

export interface DemoWeekDeps {
  /** The real daemon: the week goes through its ticks, hence through the simulator's HTTP API. */
  readonly daemon: { tick(): Promise<void>; readonly state: { readonly baseline: unknown } };
  /** Starts at the week's beginning; live when `runDemoWeek` returns. */
  readonly clock: DemoClock;
  /** Holds saves during the week; released (written once) before the hand-over tick. */
  readonly store: HeldStore;
  readonly actors: readonly DemoActor[];
  readonly events: readonly WeekEvent[];
  readonly logger: Logger;
  /** Tick cadence (default WEEK_TICK_SEC) and, in the last day before the real now, LAST_DAY_TICK_SEC. */
  readonly tickSec?: number;
  readonly lastDayTickSec?: number;
  readonly stepSec?: number;
}

export interface DemoWeekReport {
  /** False when the daemon already had a baseline (saved state): the week is never run on top of one. */
  readonly ran: boolean;
  readonly from_ts: number;
  /** The hand-over: the real time of the first tick on the real clock. */
  readonly to_ts: number;
  readonly ticks: number;
  readonly steps: number;
  readonly events: readonly string[];
  readonly wall_ms: number;
}

/**
 * Fast-forwards the demo from the clock's start (a week ago) to now: the actors act on the simulated account
 * on their cadence, the daemon ticks on its coarser week cadence, and both read the one clock, which is moved
 * by hand between ticks and never passes the real time. Then the clock goes live and one more tick runs at
 * the real now, so the series and the flows end where live ticks continue: no gap, nothing in the future.
 */
export async function runDemoWeek(d: DemoWeekDeps): Promise<DemoWeekReport> {
  const wallStart = performance.now();
  const tickSec = d.tickSec ?? WEEK_TICK_SEC;
  const lastDayTickSec = d.lastDayTickSec ?? LAST_DAY_TICK_SEC;
  const stepSec = d.stepSec ?? WEEK_STEP_SEC;
  const fromTs = d.clock.now() / 1000;
  if (d.daemon.state.baseline !== null) {
    d.clock.goLive();
    await d.store.release();
    d.logger.warn('demo: saved reconciliation state found; the simulated week is not run on top of it');
    return { ran: false, from_ts: fromTs, to_ts: d.clock.now() / 1000, ticks: 0, steps: 0, events: [], wall_ms: performance.now() - wallStart };
  }

  const events = [...d.events].sort((a, b) => a.atSec - b.atSec);
  const happened: string[] = [];
  // Half the finer cadence off the start: the two tick grids are multiples of it, so a step never falls on a tick.
  let nextStep = fromTs + lastDayTickSec / 2;
  let steps = 0;
  /** Everything due up to `limit` (unix s), in time order, each at its own time on the clock. */
  const actUntil = (limit: number): void => {
    for (;;) {
      const event = events[0];
      const eventTs = event === undefined ? Infinity : fromTs + event.atSec;
      const at = Math.min(nextStep, eventTs);
      if (at > limit) return;
      d.clock.advanceTo(at * 1000);
      if (event !== undefined && eventTs <= nextStep) {
        events.shift();
        event.run();
        happened.push(event.label);
      } else {
        for (const actor of d.actors) actor();
        steps++;
        nextStep += stepSec;
      }
    }
  };

  // The first tick sets the baseline before anything has happened on the account.
  await d.daemon.tick();
  let ticks = 1;
  // One coarse tick of margin, so the 24 h window (which only moves forward) never holds a coarse gap.
  const lastDayFrom = d.clock.real() / 1000 - DAY_SEC - tickSec;
  for (let t = fromTs + tickSec; t < d.clock.real() / 1000; t += t < lastDayFrom ? tickSec : lastDayTickSec) {
    actUntil(t);
    d.clock.advanceTo(t * 1000);
    await d.daemon.tick();
    ticks++;
  }
  actUntil(d.clock.real() / 1000);
  d.clock.goLive();
  await d.store.release();
  await d.daemon.tick();
  ticks++;
  const report = {
    ran: true,
    from_ts: fromTs,
    to_ts: d.clock.now() / 1000,
    ticks,
    steps,
    events: happened,
    wall_ms: Math.round(performance.now() - wallStart),
  };
  d.logger.info(report, 'demo: simulated week done, live from now on (the chart\'s first seven days are simulated)');
  return report;
}

/** The simulated history's scripted events: one unexplained balance change, past the middle of `spanSec`. */
export function demoWeekEvents(sim: KrakenSim, spanSec: number): WeekEvent[] {
  return [unexplainedBalanceChange(sim, Math.round(spanSec * 0.57), DEMO_UNEXPLAINED_DOGE)];
}

/** The injected unexplained amount, DOGE (below the 1% warning threshold of the demo account). */
export const DEMO_UNEXPLAINED_DOGE = '-250';
