// The "full stage-4 payload": the REAL daemon, stage 4, run against the simulator for 7 simulated days at
// the default equity cadence (300 s), with 1000 deposits/withdrawals and a trading bot's rows in the ledger.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StatusPayload } from '../../src/bot/status-types.js';
import { createRng, gaussian } from '../../src/kraken/sim/rng.js';
import { LOCAL_FILE, EQUITY_KEY } from '../../src/store/keys.js';
import type { EquityPoint } from '../../src/equity/types.js';
import type { FlowRecord } from '../../src/recon/types.js';
import { STAGE4_ENV, startRig } from './rig.js';

export const DAYS = 7;
export const FLOWS = 1000;
export const CADENCE_SEC = 300;

export interface Stage4Fixture {
  status: StatusPayload;
  /** The flow list the last tick published (what GET /flows pages). */
  flows: readonly FlowRecord[];
  /** The daemon's in-memory series (what was flushed). */
  points: readonly EquityPoint[];
  /** Bytes of the local `__equity_ts__` copy (`equity_ts.json`), as the store wrote it. */
  storedSeries: Buffer;
  /** How it was built, for the report. */
  how: string;
  ticks: number;
  buildMs: number;
}

let cached: Promise<Stage4Fixture> | undefined;

/** Built once per process and shared by the benchmarks that need it. */
export function stage4Fixture(): Promise<Stage4Fixture> {
  cached ??= build();
  return cached;
}

async function build(): Promise<Stage4Fixture> {
  const t0 = performance.now();
  const rig = await startRig({
    env: {
      ...STAGE4_ENV,
      LOOP_INTERVAL_SEC: String(CADENCE_SEC),
      FLOW_POLL_INTERVAL_SEC: String(CADENCE_SEC),
      EQUITY_SNAPSHOT_INTERVAL_SEC: String(CADENCE_SEC),
    },
  });
  try {
    const rng = createRng(42);
    let price = 0.1;
    await rig.daemon.tick(); // baseline, first poll (bootstraps the cursor), first sample
    const startSec = rig.clock.sec();
    const ticks = (DAYS * 86_400) / CADENCE_SEC;
    // Flows spread evenly over the 7 days, all inside the retention window at the end.
    const flowEvery = 600;
    let nextFlow = startSec + flowEvery / 2;
    let flows = 0;
    for (let i = 0; i < ticks; i++) {
      const from = rig.clock.sec();
      const to = from + CADENCE_SEC;
      // The market and the bot between two ticks: a price walk and a buy or sell now and then.
      price = Math.max(0.02, price * (1 + 0.004 * gaussian(rng)));
      rig.sim.setPrice(price.toFixed(7));
      if (rng() < 0.6) {
        const doge = 50 + Math.floor(rng() * 500);
        const usd = (doge * price).toFixed(4);
        const sell = rng() < 0.5;
        const t = from + 1 + rng() * (CADENCE_SEC - 2);
        rig.sim.addLedgerRow({ type: 'trade', asset: 'XXDG', amount: String(sell ? -doge : doge), fee: '0', time: t });
        rig.sim.addLedgerRow({ type: 'trade', asset: 'ZUSD', amount: sell ? usd : `-${usd}`, fee: '0.0100', time: t });
      }
      while (nextFlow <= to && flows < FLOWS) {
        const deposit = flows % 3 !== 2;
        const doge = flows % 2 === 0;
        const size = doge ? (100 + Math.floor(rng() * 900)).toString() : (5 + rng() * 95).toFixed(2);
        rig.sim.addLedgerRow({
          type: deposit ? 'deposit' : 'withdrawal',
          asset: doge ? 'XXDG' : 'ZUSD',
          amount: deposit ? size : `-${size}`,
          fee: deposit ? '0' : doge ? '2' : '0.5',
          time: nextFlow,
        });
        flows++;
        nextFlow += flowEvery;
      }
      await rig.step(CADENCE_SEC);
    }
    const status = rig.daemon.status;
    if (status === null) throw new Error('stage-4 fixture: no status');
    const storedSeries = await readFile(join(rig.dataDir, LOCAL_FILE[EQUITY_KEY]));
    return {
      status,
      flows: rig.daemon.reports.exports?.flows ?? [...rig.daemon.state.flows],
      points: rig.daemon.equity.points,
      storedSeries,
      how: `real daemon + simulator, fake clock, ${ticks} ticks of ${CADENCE_SEC} s (loop = poll = sample interval), ${flows} flows`,
      ticks,
      buildMs: performance.now() - t0,
    };
  } finally {
    await rig.close();
  }
}
