// Memory after 30 simulated days vs after 1 simulated day, in one child process run with --expose-gc
// (bench/memory-child.ts): the same process measured at both points, after forced GC.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fmt, ratio, type BenchResult } from './lib/report.js';

interface Snap {
  day: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  points: number;
  flows: number;
}
interface ChildOut {
  snaps: Snap[];
  ticks: number;
  tick_errors: number;
  flows_detected: number;
  flows_added: number;
  loop_sec: number;
  seconds: number;
  sim_ledger_rows: number;
}

function runChild(): Promise<ChildOut> {
  const script = fileURLToPath(new URL('./memory-child.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`memory child exited ${code}: ${err.slice(-400)}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as ChildOut);
      } catch (e) {
        reject(new Error(`memory child output: ${String(e)}`));
      }
    });
  });
}

const MB = 1024 * 1024;

export async function memory(): Promise<Omit<BenchResult, 'seconds'>> {
  const r = await runChild();
  const [d1, d30] = [r.snaps[0], r.snaps.at(-1)];
  if (d1 === undefined || d30 === undefined || d30 === d1) throw new Error('memory child gave no snapshots');
  const heapGrowth = d30.heapUsed / d1.heapUsed - 1;
  const rssGrowth = d30.rss / d1.rss - 1;
  const how = `fake clock, 1 tick per ${r.loop_sec} s (= default equity cadence), stage 4, a flow every hour + trades; sim in its own process`;
  const details = { ...r, how };
  const note = `day 1: ${d1.points} points, ${d1.flows} flows; day ${d30.day}: ${d30.points} points (7-day retention), ${d30.flows} flows (cap 1000); ${r.ticks} ticks, ${r.tick_errors} tick errors, ${fmt(r.seconds)} s`;
  return {
    bench: 'memory',
    figures: [
      {
        id: 'memory.heap',
        name: `heap used after GC, day ${d30.day}`,
        figure: { value: d30.heapUsed / MB, unit: 'MiB' },
        baseline: { value: d1.heapUsed / MB, unit: 'MiB', label: 'same process, day 1' },
        ratio: ratio(d30.heapUsed, d1.heapUsed),
        target: 'growth ≤ 10%',
        pass: heapGrowth <= 0.1 && r.tick_errors === 0,
        details,
        note,
      },
      {
        id: 'memory.rss',
        name: `RSS after GC, day ${d30.day}`,
        figure: { value: d30.rss / MB, unit: 'MiB' },
        baseline: { value: d1.rss / MB, unit: 'MiB', label: 'same process, day 1' },
        ratio: ratio(d30.rss, d1.rss),
        target: 'growth ≤ 10%',
        pass: rssGrowth <= 0.1 && r.tick_errors === 0,
        note: how,
      },
    ],
  };
}
