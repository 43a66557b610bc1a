// Child of bench/memory.ts, run with `node --expose-gc --import tsx`: the real daemon (stage 4) against the
// simulator on a fake clock, one tick per LOOP_INTERVAL_SEC, a deposit or withdrawal every hour, a trade pair
// most ticks. Prints one JSON line with memory after GC at day 1 and at day 30.
// The simulator runs in its own process (bench/lib/sim-process.ts): its ledger and heap are the exchange's,
// not the daemon's, so RSS and heap below are the daemon's process alone.
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng, gaussian } from '../src/kraken/sim/rng.js';
import type { LedgerRowInput } from '../src/kraken/sim/types.js';
import { KrakenSim } from '../src/kraken/sim/index.js';
import { createDaemon, FakeClock, SIM_DEFAULTS, STAGE4_ENV } from './lib/rig.js';
import type { SimRequest } from './lib/sim-process.js';

const LOOP_SEC = Number(process.env['BENCH_LOOP_SEC'] ?? 300);
const DAYS = Number(process.env['BENCH_DAYS'] ?? 30);

interface Snapshot {
  day: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  points: number;
  flows: number;
  seen: number;
}

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

async function settle(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    gc?.();
    await new Promise((r) => setImmediate(r));
  }
}

type Reply = { id: number; value?: unknown };
/** A request without its id (distributed over the union). */
type Request = SimRequest extends infer R ? (R extends SimRequest ? Omit<R, 'id'> : never) : never;
const child = fork(fileURLToPath(new URL('./lib/sim-process.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'] });
let nextId = 1;
const pending = new Map<number, (v: unknown) => void>();
child.on('message', (m: Reply) => pending.get(m.id)?.(m.value));
function ask(req: Request): Promise<unknown> {
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, (v) => {
      pending.delete(id);
      resolve(v);
    });
    child.send({ ...req, id });
  });
}
const clock = new FakeClock();
const creds = KrakenSim.generateKey();
const simUrl = (await ask({ op: 'start', key: creds, options: SIM_DEFAULTS, ms: clock.ms })) as string;
const sim = {
  addRows: (rows: LedgerRowInput[]) => ask({ op: 'rows', rows }),
  setPrice: (price: string) => ask({ op: 'price', price }),
  stats: () => ask({ op: 'stats' }) as Promise<{ calls: number; rejected: number; ledgerRows: number }>,
};

const dataDir = await mkdtemp(join(tmpdir(), 'sidecar-bench-mem-'));
const { daemon } = await createDaemon({
  url: simUrl,
  creds,
  clock,
  dataDir,
  env: { ...STAGE4_ENV, LOOP_INTERVAL_SEC: String(LOOP_SEC), FLOW_POLL_INTERVAL_SEC: '300', EQUITY_SNAPSHOT_INTERVAL_SEC: '300' },
});
const rig = {
  daemon,
  clock,
  async step(sec: number) {
    clock.advanceSec(sec);
    await ask({ op: 'clock', ms: clock.ms });
    await daemon.tick();
  },
};
const snaps: Snapshot[] = [];
const snap = async (day: number): Promise<void> => {
  await settle();
  const m = process.memoryUsage();
  const d = rig.daemon;
  snaps.push({ day, rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, points: d.equity.points.length, flows: d.state.flows.length, seen: d.state.seen.size });
};

const rng = createRng(3);
let price = 0.1;
let nextFlow = rig.clock.sec() + 1800;
let flowN = 0;
const t = performance.now();
await rig.daemon.tick();
const perDay = 86_400 / LOOP_SEC;
for (let day = 1; day <= DAYS; day++) {
  for (let i = 0; i < perDay; i++) {
    const from = rig.clock.sec();
    price = Math.max(0.02, price * (1 + 0.003 * gaussian(rng)));
    await sim.setPrice(price.toFixed(7));
    const rows: LedgerRowInput[] = [];
    if (rng() < 0.6) {
      const doge = 50 + Math.floor(rng() * 500);
      const time = from + 1 + rng() * (LOOP_SEC - 2);
      rows.push({ type: 'trade', asset: 'XXDG', amount: String(-doge), time });
      rows.push({ type: 'trade', asset: 'ZUSD', amount: (doge * price).toFixed(4), fee: '0.0100', time });
    }
    while (nextFlow <= from + LOOP_SEC) {
      const deposit = flowN % 2 === 0;
      rows.push({ type: deposit ? 'deposit' : 'withdrawal', asset: flowN % 4 < 2 ? 'XXDG' : 'ZUSD', amount: deposit ? '100' : '-90', time: nextFlow });
      flowN++;
      nextFlow += 3600;
    }
    if (rows.length > 0) await sim.addRows(rows);
    await rig.step(LOOP_SEC);
  }
  if (day === 1 || day === DAYS) await snap(day);
}
const d = rig.daemon;
const simStats = await sim.stats();
const out = {
  snaps,
  ticks: d.ticks,
  tick_errors: d.tickErrors,
  flows_detected: d.state.totals.count,
  flows_added: flowN,
  loop_sec: LOOP_SEC,
  seconds: (performance.now() - t) / 1000,
  sim_ledger_rows: simStats.ledgerRows,
  sim_rejected: simStats.rejected,
};
await ask({ op: 'close' });
await rm(dataDir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify(out)}\n`);
