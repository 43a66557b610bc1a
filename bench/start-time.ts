// `npm start` as a user runs it, from a built checkout: start to the config error (exit 2) and start to the
// demo's first /status 200, each against `node -e 0` start-up measured in the same run (alternating rounds).
// CPU is the whole process tree's (npm, its shell, the daemon), from the shell's `times` after it waited.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, ratio, type BenchResult } from './lib/report.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = 5;
const BASE_ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };

interface Timed {
  readonly ms: number;
  readonly cpuMs: number;
  readonly code: number | null;
  readonly out: string;
}

/** Runs `cmd` under sh, then `times`: the children's user+sys CPU is the last line's two figures. */
function timed(cmd: string, env: Record<string, string>): Promise<Timed> {
  const t0 = performance.now();
  const child = spawn('sh', ['-c', `${cmd}; rc=$?; times; exit $rc`], { cwd: ROOT, env: { ...BASE_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      const ms = performance.now() - t0;
      const m = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(out.trim());
      const cpuMs = m === null ? NaN : (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1000;
      resolve({ ms, cpuMs, code, out });
    }),
  );
}

async function demoFirstStatus(dataDir: string): Promise<number> {
  const t0 = performance.now();
  const child = spawn('npm', ['start'], { cwd: ROOT, env: { ...BASE_ENV, PORT: '0', DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    while (performance.now() - t0 < 60_000) {
      const url = /"component":"dashboard","url":"(http:\/\/[^"]+)"/.exec(out)?.[1] ?? /"listen":"(http:\/\/[^"]+)"/.exec(out)?.[1];
      if (url !== undefined) {
        const res = await fetch(`${url}status`).catch(() => null);
        if (res?.status === 200) return performance.now() - t0;
      }
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no /status within 60 s:\n${out.slice(-1500)}`);
  } finally {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    await exited;
  }
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

export async function startTime(): Promise<Omit<BenchResult, 'seconds'>> {
  const build = await timed('node scripts/build.mjs --if-stale', {}); // not timed: `npm ci` builds once
  if (build.code !== 0) throw new Error(`build failed:\n${build.out}`);
  const bad = { KRAKEN_API_KEY: 'k', KRAKEN_API_SECRET: 's', LOOP_INTERVAL_SEC: 'often' };
  const errs: Timed[] = [];
  const nodes: Timed[] = [];
  const demos: number[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'bench-start-'));
  try {
    for (let i = 0; i < ROUNDS; i++) {
      nodes.push(await timed('node -e 0', {}));
      const e = await timed('npm start', bad);
      if (e.code !== 2 || !e.out.includes('LOOP_INTERVAL_SEC')) throw new Error(`expected exit 2 naming LOOP_INTERVAL_SEC:\n${e.out}`);
      errs.push(e);
      demos.push(await demoFirstStatus(dir));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const nodeMs = median(nodes.map((r) => r.ms));
  const nodeCpu = median(nodes.map((r) => r.cpuMs));
  const errMs = median(errs.map((r) => r.ms));
  const errCpu = median(errs.map((r) => r.cpuMs));
  const demoMs = median(demos);
  return {
    bench: 'start-time',
    figures: [
      {
        id: 'start.config_error',
        name: '`npm start` to exit 2 on a bad variable (wall)',
        figure: { value: errMs / 1000, unit: 's' },
        baseline: { value: nodeMs / 1000, unit: 's', label: '`node -e 0`' },
        ratio: ratio(errMs, nodeMs),
        target: 'info (CPU is the target)',
        pass: null,
        note: `median of ${ROUNDS}: ${errs.map((r) => fmt(r.ms / 1000)).join(', ')} s`,
      },
      {
        id: 'start.config_error_cpu',
        name: '`npm start` to exit 2, CPU of the process tree',
        figure: { value: errCpu / 1000, unit: 's' },
        baseline: { value: nodeCpu / 1000, unit: 's', label: '`node -e 0` CPU' },
        ratio: ratio(errCpu, nodeCpu),
        target: '< 1 s',
        pass: errCpu < 1000,
        note: `npm itself is most of it; rounds ${errs.map((r) => fmt(r.cpuMs / 1000)).join(', ')} s`,
      },
      {
        id: 'start.demo_first_status',
        name: '`npm start` (demo) to the first /status 200',
        figure: { value: demoMs / 1000, unit: 's' },
        baseline: { value: nodeMs / 1000, unit: 's', label: '`node -e 0`' },
        ratio: ratio(demoMs, nodeMs),
        target: '< 3 s',
        pass: demoMs < 3000,
        note: `median of ${ROUNDS}: ${demos.map((ms) => fmt(ms / 1000)).join(', ')} s (the server answers while the simulated week fills in)`,
      },
    ],
  };
}
