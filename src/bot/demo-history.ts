import Big from 'big.js';
import type { Logger } from 'pino';
import type { KrakenSim } from '../kraken/sim/index.js';
import type { DemoActor } from './demo-actors.js';
import type { DemoClock } from './demo-clock.js';
import type { HeldStore } from './held-store.js';

/**
 * When the simulated week's daemon ticks (and so its equity points) come, in simulated seconds. Each tick is
 * a full one (Ticker, Time, Balance, a Ledgers page, the bot's P&L over loopback HTTP, reconciliation,
 * /status), ~2 ms of CPU, so the week's ~700 ticks take 1.5-2 s on this 2-core machine; the live demo then
 * ticks every 2 s.
 * - `week`: every 15 minutes. The page's 24 h chart breaks its line at gaps over 900 s, and its 7-day chart
 *   (12 points a bucket, each drawn as its extremes) at gaps over 3 typical steps: half-hour points would
 *   break it. Denser costs start-up time for little on the picture.
 * - `first`, `last`: the first and the last `edgeTicks` (12, one 7-day bucket) come every 5 minutes and every
 *   minute, so that view's first and last buckets sit at the week's two ends: the 7-day chart reaches back
 *   the whole week and forward to now at the first load.
 */
export interface WeekCadence {
  readonly week: number;
  readonly first: number;
  readonly last: number;
  readonly edgeTicks: number;
}

export const WEEK_CADENCE: WeekCadence = { week: 900, first: 300, last: 60, edgeTicks: 12 };

/** Seconds from the tick at `t` to the next one, in a history from `fromTs` to `nowTs` (the real now). */
export function weekTickSec(t: number, fromTs: number, nowTs: number, c: WeekCadence = WEEK_CADENCE): number {
  if (t < fromTs + (c.edgeTicks - 1) * c.first) return c.first;
  // Fine once a coarse step would leave fewer than `edgeTicks` fine ones before now.
  return nowTs - t - c.week < c.edgeTicks * c.last ? c.last : c.week;
}

/**
 * One step of the actors every 20 simulated minutes (~500 steps a week: some 250 trades and 20 deposits and
 * withdrawals with the demo bot's odds), off the tick grids: activity happens between reads.
 */
export const WEEK_STEP_SEC = 1200;

/** The simulated week gives up (and goes live) after this much wall time. */
const MAX_WALL_MS = 90_000;

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
  readonly cadence?: WeekCadence;
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
  const cadence = d.cadence ?? WEEK_CADENCE;
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
  // Every tick time is the start plus a multiple of the finest cadence; steps keep half of it off that grid.
  let nextStep = fromTs + Math.min(cadence.first, cadence.last) / 2;
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
  const next = (t: number): number => t + weekTickSec(t, fromTs, d.clock.real() / 1000, cadence);
  for (let t = next(fromTs); t < d.clock.real() / 1000; t = next(t)) {
    if (performance.now() - wallStart > MAX_WALL_MS) {
      // Ticks far slower than expected (an overloaded machine): go live now; the chart shows the gap as one.
      d.logger.warn({ simulated_until: t, ticks }, 'demo: the simulated week is taking too long; going live with what it has');
      break;
    }
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
