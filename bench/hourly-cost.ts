// Private-call cost per hour at DEFAULT settings (loop 30 s, poll 300 s, PRIVATE_CALLS_PER_LOOP 3, starter
// tier; stage 4 so the ledger is read and bot P&L comes from it), the real daemon against the simulator over
// loopback on a fake clock. Two accounts:
// - quiet: nothing moves; the floor is one Balance per tick plus one Ledgers page per poll interval;
// - busy: the bot trades once between every two ticks (a `trade` refid group), so the balances change every
//   tick and poll on change reads a page every tick; the question is whether that fits the starter tier's
//   counter (15 points, decay 0.33/s) at 3 calls a tick, with deferrals counted and the simulator's own
//   counter (replayed from its request log) never over its max.
import { TIER_LIMITS } from '../src/kraken/sim/index.js';
import type { RequestLogEntry } from '../src/kraken/sim/types.js';
import { fmt, ratio, type Figure } from './lib/report.js';
import { STAGE4_ENV, startRig, type Rig } from './lib/rig.js';

const HOUR_SEC = 3600;
const BALANCE_COST = 1;
const PAGE_COST = 2;

interface Window {
  points: number;
  balance: number;
  ledgers: number;
  other: number;
}

function windowCost(requests: readonly RequestLogEntry[], fromMs: number): Window {
  const w: Window = { points: 0, balance: 0, ledgers: 0, other: 0 };
  for (const r of requests) {
    if (r.time <= fromMs || r.cost === 0) continue;
    w.points += r.cost;
    if (r.endpoint === 'Balance') w.balance++;
    else if (r.endpoint === 'Ledgers') w.ledgers++;
    else w.other++;
  }
  return w;
}

/** The simulator's counter just after each charged call, replayed from its log: the peak it reached. */
function peakCounter(requests: readonly RequestLogEntry[], decayPerSec: number): number {
  let c = 0;
  let at = 0;
  let peak = 0;
  for (const r of requests) {
    if (r.cost === 0) continue;
    c = Math.max(0, c - (decayPerSec * (r.time - at)) / 1000) + r.cost;
    at = r.time;
    peak = Math.max(peak, c);
  }
  return peak;
}

async function defaultRig(): Promise<Rig> {
  return startRig({ env: { ...STAGE4_ENV }, sim: { tier: 'starter', requestLogMax: 100_000 } });
}

export async function quietHour(): Promise<Figure> {
  const rig = await defaultRig();
  try {
    const d = rig.daemon;
    const loop = rig.config.LOOP_INTERVAL_SEC;
    const poll = rig.config.FLOW_POLL_INTERVAL_SEC;
    // Warm-up: baseline, bootstrap poll, one whole poll interval.
    await d.tick();
    while (rig.clock.sec() - (d.state.poll.last_poll_ts ?? rig.clock.sec()) < poll - loop) await rig.step();
    const from = rig.clock.ms;
    const deferralsBefore = d.budget.deferrals;
    for (let t = 0; t < HOUR_SEC / loop; t++) await rig.step();
    const w = windowCost(rig.sim.stats().requests, from);
    const floor = (HOUR_SEC / loop) * BALANCE_COST + (HOUR_SEC / poll) * PAGE_COST;
    return {
      id: 'cost.quiet_hour',
      name: 'private-call cost per hour, quiet account (defaults, starter)',
      figure: { value: w.points, unit: 'points' },
      baseline: { value: floor, unit: 'points', label: `Balance per tick + a page per ${poll} s` },
      ratio: ratio(w.points, floor),
      target: '= floor',
      pass: w.points === floor,
      details: { balance_calls: w.balance, ledgers_calls: w.ledgers, other_charged_calls: w.other, deferrals: d.budget.deferrals - deferralsBefore, ticks: HOUR_SEC / loop },
      note: `${w.balance} Balance + ${w.ledgers} Ledgers calls in ${HOUR_SEC / loop} ticks; ${fmt((w.points / HOUR_SEC) * 100 / TIER_LIMITS.starter.decayPerSec)} % of the starter tier's decay`,
    };
  } finally {
    await rig.close();
  }
}

export async function busyHour(): Promise<Figure> {
  const rig = await defaultRig();
  try {
    const d = rig.daemon;
    const loop = rig.config.LOOP_INTERVAL_SEC;
    const ticks = HOUR_SEC / loop;
    let t = 0;
    // Between two ticks: a small trade, alternating buy and sell (balance and rows change together).
    const trade = (): number => {
      rig.clock.advanceSec(loop / 2);
      const side = t++ % 2 === 0 ? 'buy' : 'sell';
      rig.sim.activity.trade({ side, volume: '50', price: '0.1' });
      return side === 'buy' ? 50 : -50;
    };
    await d.tick();
    // Warm-up: the bot has traded for one lookback window, so every poll re-reads a full window of trades.
    for (let i = 0; i < rig.config.FLOW_LOOKBACK_SEC / loop; i++) {
      trade();
      await rig.step(loop / 2);
    }
    const from = rig.clock.ms;
    const deferralsBefore = d.budget.deferrals;
    const tradingBefore = Number(d.state.totals.trading.base);
    let expectedBase = 0;
    let lagTicks = 0;
    let maxLag = 0;
    let lag = 0;
    for (let i = 0; i < ticks; i++) {
      expectedBase += trade();
      await rig.step(loop / 2);
      // Sampled at every tick: has the ledger P&L (trading totals) caught up with every trade so far?
      const behind = Math.abs(Number(d.state.totals.trading.base) - tradingBefore - expectedBase) > 1e-9;
      lag = behind ? lag + 1 : 0;
      if (behind) lagTicks++;
      maxLag = Math.max(maxLag, lag);
    }
    const stats = rig.sim.stats();
    const w = windowCost(stats.requests, from);
    const tier = TIER_LIMITS.starter;
    const capacity = tier.decayPerSec * HOUR_SEC;
    const peak = peakCounter(stats.requests, tier.decayPerSec);
    const deferrals = d.budget.deferrals - deferralsBefore;
    const fits = stats.rateLimitRejections === 0 && peak <= tier.max && maxLag <= 1;
    return {
      id: 'cost.busy_hour',
      name: 'private-call cost per hour, bot trading every tick (defaults, starter)',
      figure: { value: w.points, unit: 'points' },
      baseline: { value: capacity, unit: 'points', label: `starter decay ${tier.decayPerSec}/s × 1 h` },
      ratio: ratio(w.points, capacity),
      target: 'fits starter at 3 calls/tick: no rate limit, sim counter ≤ max, P&L ≤ 1 tick late',
      pass: fits,
      details: {
        balance_calls: w.balance,
        ledgers_calls: w.ledgers,
        other_charged_calls: w.other,
        floor_points: ticks * (BALANCE_COST + PAGE_COST),
        deferrals,
        rate_limit_rejections: stats.rateLimitRejections,
        sim_counter_peak: peak,
        sim_counter_max: tier.max,
        ticks_behind: lagTicks,
        max_consecutive_ticks_behind: maxLag,
        model_rate_limit_errors: d.budget.rateLimitErrors,
      },
      note: `${w.balance} Balance + ${w.ledgers} Ledgers calls in ${ticks} ticks (floor Balance + a page per tick: ${ticks * (BALANCE_COST + PAGE_COST)} points); ${deferrals} deferrals; the simulator's counter peaked at ${fmt(peak)} of ${tier.max}; ledger P&L one tick late after ${lagTicks} of ${ticks} ticks (at most ${maxLag} in a row): with a trade every tick the ${rig.config.FLOW_LOOKBACK_SEC} s lookback window holds more than one 50-row page, and 3 points a tick fit Balance + one page, so a poll takes ${maxLag + 1} ticks`,
    };
  } finally {
    await rig.close();
  }
}
