// Catch-up after a burst of Kraken faults (issue 12), the real daemon against the simulator on a fake clock,
// chaos-run settings (pro tier, 1 s loop, 6 points a tick, ledger poll every 2 s). A seeded burst: 25 faults
// over 40 ticks (EService:Unavailable, 5xx HTML, resets, malformed pages, one spurious rate-limit answer that
// fills the simulator's counter, one Throttled a few seconds ahead) while ledger rows keep being booked.
// Measured from the end of the burst: seconds until balances are fresh AND a complete ledger poll covers the
// burst (every deposit booked in it is in the flows). The minimum it is held against: 3 ticks plus the time
// Kraken's own counter (the simulator's, read at the end of the burst) needs to make room for the calls the
// catch-up must make (one Balance, two points per Ledgers page of the window).
import { createRng } from '../src/kraken/sim/rng.js';
import type { SimEndpoint, SimFault } from '../src/kraken/sim/types.js';
import { fmt, ratio, type BenchResult } from './lib/report.js';
import { startRig } from './lib/rig.js';

const SEED = 20_240_607;
const BURST_TICKS = 40;
const FAULTS = 25;
const PAGE = 50;

export async function catchUp(): Promise<Omit<BenchResult, 'seconds'>> {
  const env = {
    KRAKEN_TIER: 'pro',
    PRIVATE_CALLS_PER_LOOP: '6',
    LOOP_INTERVAL_SEC: '1',
    FLOW_DETECTION_ENABLED: 'true',
    FLOW_BASELINE_AUTO_ADJUST: 'true',
    FLOW_POLL_INTERVAL_SEC: '2',
    FLOW_LOOKBACK_SEC: '120',
  };
  const rig = await startRig({ env, sim: { tier: 'pro' } });
  try {
    const rng = createRng(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;
    const d = rig.daemon;
    const loop = rig.config.LOOP_INTERVAL_SEC;
    for (let i = 0; i < 10; i++) await rig.step();

    // Which ticks of the burst get a fault: FAULTS of BURST_TICKS, the rate-limit answer and the throttle among them.
    const slots = Array.from({ length: BURST_TICKS }, (_, i) => i).sort(() => rng() - 0.5).slice(0, FAULTS).sort((a, b) => a - b);
    const rateLimitAt = pick(slots);
    const throttleAt = pick(slots.filter((s) => s !== rateLimitAt));
    const deposits: string[] = [];
    const booked: number[] = [];
    const book = (input: Parameters<typeof rig.sim.addLedgerRow>[0]): string => {
      const row = rig.sim.addLedgerRow(input);
      booked.push(input.time ?? rig.clock.sec());
      return row.id;
    };
    const counts: Record<string, number> = {};
    for (let tick = 0; tick < BURST_TICKS; tick++) {
      // Rows booked all along: trades (two rows each) and now and then a deposit.
      for (let r = 0; r < 3; r++) book({ type: 'trade', asset: pick(['XXDG', 'ZUSD']), amount: pick(['1', '-1']), time: rig.clock.sec() - 0.2 });
      if (tick % 7 === 3) deposits.push(book({ type: 'deposit', asset: 'XXDG', amount: '10', time: rig.clock.sec() - 0.1 }));
      if (slots.includes(tick)) {
        let fault: SimFault;
        let endpoint: SimEndpoint | undefined = pick<SimEndpoint | undefined>(['Balance', 'Ledgers', 'Ledgers', 'Ticker', undefined]);
        if (tick === rateLimitAt) {
          fault = { kind: 'error', error: 'EAPI:Rate limit exceeded' };
          endpoint = pick(['Balance', 'Ledgers'] as const);
        } else if (tick === throttleAt) {
          fault = { kind: 'error', error: `EService:Throttled: ${Math.floor(rig.clock.sec()) + 3}` };
          endpoint = 'Balance';
        } else {
          fault = pick<SimFault>([
            { kind: 'error', error: 'EService:Unavailable' },
            { kind: 'http', status: 502 },
            { kind: 'http', status: 503 },
            { kind: 'reset' },
            { kind: 'malformed-json' },
          ]);
          if (fault.kind === 'malformed-json') endpoint = 'Ledgers';
        }
        const label = fault.kind === 'error' ? fault.error.split(':').slice(0, 2).join(':') : fault.kind === 'http' ? `HTTP ${fault.status}` : fault.kind;
        counts[label] = (counts[label] ?? 0) + 1;
        rig.sim.inject(fault, endpoint === undefined ? {} : { endpoint });
      }
      await rig.step();
    }
    // The burst ends when its last fault has been served (calls deferred by the budget leave some queued).
    let tail = 0;
    while (rig.sim.pendingFaults() > 0 && tail < 120) {
      await rig.step();
      tail++;
    }
    rig.sim.clearFaults();
    const served = rig.sim.stats().faultsServed;
    const end = rig.clock.sec();

    // The minimum: three ticks plus what Kraken's counter needs to fit the catch-up's calls. Whether Kraken
    // charged a call that failed (a 5xx page, a reset, a malformed answer) cannot be known, so the counter it
    // may have is the model's: every call sent charged, full after a rate-limit answer. The simulator charges
    // no injected fault, so its own counter (lower) is reported beside it.
    const key = Object.keys(rig.sim.stats().counters)[0] ?? '';
    const simLevel = rig.sim.counter(key);
    const worstLevel = d.budget.counterAt(end);
    // The poll that catches up reads from the last complete poll's end (minus the overlap) to now.
    const windowStart = (d.state.poll.pending?.start ?? (d.state.poll.last_end ?? end) - rig.config.FLOW_LOOKBACK_SEC);
    const rowsInWindow = booked.filter((t) => t > windowStart).length;
    const pages = Math.max(1, Math.ceil((rowsInWindow + 1) / PAGE));
    const points = 1 + 2 * pages;
    const max = d.budget.opts.max;
    const decay = d.budget.opts.decayPerSec;
    const drain = (level: number): number => Math.max(0, level + points - max) / decay;
    const minimum = 3 * loop + drain(worstLevel);
    // The loop's take-turns rule (DESIGN 5: neither balances nor a due poll may starve) refreshes balances
    // between pages when the counter is tight: one more point per page.
    const takeTurnsMinimum = 3 * loop + Math.max(0, worstLevel + points + pages - 1 - max) / decay;

    const caughtUp = (): boolean => {
      const s = d.status;
      if (s === null || !s.balances.ok || (s.balances.ts ?? 0) < end) return false;
      if (d.state.poll.pending !== null || (d.state.poll.last_end ?? 0) < end) return false;
      const seen = new Set(d.state.flows.map((f) => f.ledger_id));
      return deposits.every((id) => seen.has(id));
    };
    let ticks = 0;
    while (!caughtUp() && ticks < 600) {
      await rig.step();
      ticks++;
    }
    const took = rig.clock.sec() - end;
    // What the loop spent after the burst (Balance and Ledgers calls the simulator accepted or rejected).
    const after = rig.sim.stats().requests.filter((r) => r.time > end * 1000 && (r.endpoint === 'Balance' || r.endpoint === 'Ledgers'));
    const spent = { balance: after.filter((r) => r.endpoint === 'Balance').length, ledgers: after.filter((r) => r.endpoint === 'Ledgers').length };
    let ceilingTicks = 0;
    while (d.budget.effectiveMax() < max && ceilingTicks < 3600) {
      await rig.step();
      ceilingTicks++;
    }
    return {
      bench: 'catch-up',
      figures: [
        {
          id: 'catchup.after_burst',
          name: `catch-up after ${FAULTS} faults over ${BURST_TICKS + tail} s (balances fresh, ledger complete)`,
          figure: { value: took, unit: 's' },
          baseline: { value: minimum, unit: 's', label: `3 ticks + counter drain for ${points} points (${fmt(drain(worstLevel))} s)` },
          ratio: ratio(took, minimum),
          target: '≤ 3 ticks + the time Kraken’s counter needs',
          pass: ticks < 600 && took <= minimum + 1e-9,
          details: {
            ticks,
            loop_interval_sec: loop,
            faults: counts,
            worst_case_counter_at_end: worstLevel,
            sim_counter_at_end: simLevel,
            minimum_with_sim_counter_sec: 3 * loop + drain(simLevel),
            minimum_with_take_turns_sec: takeTurnsMinimum,
            points_needed: points,
            calls_after_burst: spent,
            ledger_pages_needed: pages,
            ceiling_back_at_tier_max_after_sec: ceilingTicks * loop,
            rate_limit_answers: d.budget.rateLimitErrors,
            faults_served: served,
            burst_sec: BURST_TICKS + tail,
            seed: SEED,
          },
          note:
            `${ticks} ticks; sent after the burst: ${spent.ledgers} Ledgers pages + ${spent.balance} Balance (the loop takes turns, a Balance beside each page; a poll deferred before its first page reads up to now, so one poll covers the burst); ` +
            `against the simulator's own (lower, fault-free) counter ${fmt(3 * loop + drain(simLevel))} s; learned ceiling at the tier max ${ceilingTicks * loop} s after the burst; ` +
            `issue 12's chaos run with the old model: 58 s, 29 ticks`,
        },
      ],
    };
  } finally {
    await rig.close();
  }
}
