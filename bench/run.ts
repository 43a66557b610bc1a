// `npm run bench`: every benchmark in one process tree (memory in a --expose-gc child, autocannon in child
// processes), each figure next to a baseline measured in the same run. Prints a table, writes bench/results.json.
// Not a test: the machine is shared and noisy, so figures are reported, never asserted.
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { alertCost } from './alert-cost.js';
import { catchUp } from './catch-up.js';
import { dashboardRender } from './dashboard-render.js';
import { demoStartup } from './demo-startup.js';
import { flowLatency } from './flow-latency.js';
import { reports } from './reports.js';
import { sseLatency } from './sse-latency.js';
import { ledgerProcessing } from './ledger-processing.js';
import { liveMode } from './live-mode.js';
import { table, type BenchResult } from './lib/report.js';
import { stage4Fixture } from './lib/stage4.js';
import { memory } from './memory.js';
import { payloadSize } from './payload-size.js';
import { postgresStore } from './postgres-store.js';
import { privateCallCost } from './private-call-cost.js';
import { statusRevalidation } from './status-revalidation.js';
import { startTime } from './start-time.js';
import { statusThroughput } from './status-throughput.js';

type Bench = () => Promise<Omit<BenchResult, 'seconds'>>;

const BENCHES: ReadonlyArray<[string, Bench]> = [
  ['ledger-processing', ledgerProcessing],
  ['reports', reports],
  ['private-call-cost', privateCallCost],
  ['flow-latency', flowLatency],
  ['live-mode', liveMode],
  ['catch-up', catchUp],
  ['payload-size', payloadSize],
  ['status-throughput', statusThroughput],
  ['status-revalidation', statusRevalidation],
  ['dashboard-render', dashboardRender],
  ['sse-latency', sseLatency],
  ['memory', memory],
  ['alert-cost', alertCost],
  ['postgres-store', postgresStore],
  ['demo-startup', demoStartup],
  ['start-time', startTime],
];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const started = performance.now();
  const load = loadavg();
  const results: BenchResult[] = [];
  let fixture: Record<string, unknown> | null = null;
  for (const [name, bench] of BENCHES) {
    if (only.length > 0 && !only.includes(name)) continue;
    const t = performance.now();
    process.stderr.write(`bench: ${name} ...\n`);
    try {
      results.push({ ...(await bench()), seconds: (performance.now() - t) / 1000 });
    } catch (err) {
      results.push({ bench: name, figures: [], seconds: (performance.now() - t) / 1000, error: err instanceof Error ? err.message : String(err) });
    }
    if (fixture === null && ['payload-size', 'status-throughput', 'status-revalidation', 'dashboard-render', 'sse-latency'].includes(name)) {
      const fx = await stage4Fixture().catch(() => null);
      if (fx !== null) fixture = { how: fx.how, ticks: fx.ticks, build_seconds: fx.buildMs / 1000 };
    }
  }
  const figures = results.flatMap((r) => r.figures);
  const out = {
    generated_at: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    loadavg_at_start: load,
    loadavg_at_end: loadavg(),
    total_seconds: (performance.now() - started) / 1000,
    stage4_payload: fixture,
    summary: {
      pass: figures.filter((f) => f.pass === true).map((f) => f.id),
      miss: figures.filter((f) => f.pass === false).map((f) => f.id),
      errors: results.filter((r) => r.error !== undefined).map((r) => r.bench),
    },
    results,
  };
  const path = fileURLToPath(new URL('./results.json', import.meta.url));
  await writeFile(path, `${JSON.stringify(out, null, 2)}\n`);
  console.log(table(results));
  console.log('');
  for (const f of figures) if (f.note !== undefined) console.log(`- ${f.id}: ${f.note}`);
  console.log('');
  if (fixture !== null) console.log(`stage-4 payload: ${String(fixture['how'])} (built in ${(fixture['build_seconds'] as number).toFixed(1)} s)`);
  console.log(`load average ${load.map((l) => l.toFixed(2)).join(' ')} at start on ${cpus().length} CPUs; total ${out.total_seconds.toFixed(0)} s; wrote ${path}`);
  console.log(`${out.summary.pass.length} pass, ${out.summary.miss.length} miss${out.summary.errors.length > 0 ? `, ${out.summary.errors.length} errors` : ''}`);
}

await main();
