// The Postgres store against a real PostgreSQL (a throwaway cluster on loopback from scripts/pg-test-cluster.sh,
// or PG_TEST_URL): a tick's save against a bare INSERT … ON CONFLICT of the same value through the same client,
// the flush of a 7-day series, and the lease hand-over after SIGKILL of the writer process.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { pino } from 'pino';
import { encodeSeries } from '../src/equity/codec.js';
import type { EquityPoint } from '../src/equity/types.js';
import { createStore } from '../src/store/store.js';
import { fmt, ratio, type BenchResult, type Figure } from './lib/report.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCRIPT = join(ROOT, 'scripts/pg-test-cluster.sh');
const CLUSTER_ENV = { ...process.env, PG_TEST_DIR: join(tmpdir(), 'kraken-sidecar-pg-bench'), PG_TEST_PORT: '54339' };
const ROUNDS = 200;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** A recon state of the size a busy account carries: 1 000 flows and audit entries, the ledger book, totals. */
function sampleState(i: number): { saved_ts: number } & Record<string, unknown> {
  const flows = Array.from({ length: 1000 }, (_, k) => ({
    ledger_id: `L${k.toString(36).padStart(5, '0')}-ABCDE-FGHIJ${i % 10}`, refid: `R${k}-XYZ`, time: 1_700_000_000 + k * 600, type: k % 2 === 0 ? 'deposit' : 'withdrawal',
    subtype: '', asset: 'DOGE', amount: '123.45678901', fee: '0.00000000', net: '123.45678901', price: 0.1234, doge_eq: 123.45678901, applied: true, category: 'external', wallet: 'spot',
  }));
  return { saved_ts: 1_700_000_000 + i, baseline: { doge: '25000.00000000', usd: '3000.0000', ts: 1_700_000_000 }, cursor: 1_700_600_000 + i, flows, audit: flows.slice(0, 500) };
}

function week(): EquityPoint[] {
  return Array.from({ length: 2017 }, (_, k) => ({ ts: 1_700_000_000 + k * 300, doge_eq: 50_000 + Math.sin(k / 50) * 300, usd: 3000 + k / 10, doge: 25_000 - k / 7, price: 0.12 + Math.cos(k / 90) / 100, bot_pnl_usd: k / 3, flows_cumulative_doge_eq: Math.floor(k / 300) * 1000 }));
}

async function timed(n: number, job: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await job(i);
    out.push(performance.now() - t);
  }
  return out;
}

async function saves(url: string, table: string): Promise<Figure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'pg-bench-'));
  const store = createStore({ dataDir: dir, postgres: { url, table }, logger: pino({ level: 'silent' }), nowMs: Date.now });
  const bare = new pg.Pool({ connectionString: url, max: 2 });
  try {
    await store.saveReconState(sampleState(0)); // creates the table
    const upsert = `INSERT INTO ${table} (key, value, updated_at) VALUES ($1, $2::jsonb, now()) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`;
    const bytes = JSON.stringify({ ...sampleState(1), lease: { owner: 'x', expires: 0 } }).length;
    // Interleaved rounds, so both see the same machine.
    const storeMs: number[] = [];
    const bareMs: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      storeMs.push(...(await timed(1, () => store.saveReconState(sampleState(i)))));
      bareMs.push(...(await timed(1, () => bare.query(upsert, ['bench_bare', JSON.stringify(sampleState(i))]))));
    }
    const series = week();
    const encoded = JSON.stringify(encodeSeries(series));
    const flushMs = await timed(20, () => store.saveSeries(series));
    const bareFlushMs = await timed(20, () => bare.query(upsert, ['bench_bare_series', encoded]));
    const ok = store.status().postgres.ok === true;
    return [
      {
        id: 'postgres.save',
        name: `Postgres: a tick's state save (lease checked with the row locked), median of ${ROUNDS}`,
        figure: { value: median(storeMs), unit: 'ms' },
        baseline: { value: median(bareMs), unit: 'ms', label: 'bare INSERT … ON CONFLICT of the same value, same client' },
        ratio: ratio(median(storeMs), median(bareMs)),
        target: 'info (includes the local atomic file write and the read before the write)',
        pass: ok ? null : false,
        details: { bytes_per_save: bytes, p90_ms: [...storeMs].sort((a, b) => a - b)[Math.floor(ROUNDS * 0.9)], bare_p90_ms: [...bareMs].sort((a, b) => a - b)[Math.floor(ROUNDS * 0.9)] },
        note: `${fmt(bytes / 1024)} KiB a save (1 000 flows, 500 audit entries)`,
      },
      {
        id: 'postgres.flush_7d',
        name: 'Postgres: flush of a 7-day series (2 017 points), median of 20',
        figure: { value: median(flushMs), unit: 'ms' },
        baseline: { value: median(bareFlushMs), unit: 'ms', label: 'bare INSERT … ON CONFLICT of the same encoded value' },
        ratio: ratio(median(flushMs), median(bareFlushMs)),
        target: 'info',
        pass: ok ? null : false,
        details: { bytes: encoded.length },
        note: `${fmt(encoded.length / 1024)} KiB encoded`,
      },
    ];
  } finally {
    await store.close?.();
    await bare.end();
    await rm(dir, { recursive: true, force: true });
  }
}

async function handOver(url: string, table: string): Promise<Figure> {
  const ttlSec = 3;
  const child = spawn(process.execPath, ['--import', pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href, join(ROOT, 'bench/lib/pg-writer-child.ts')], {
    env: { ...process.env, PG_BENCH_URL: url, PG_BENCH_TABLE: table, PG_BENCH_TTL_SEC: String(ttlSec), PG_BENCH_EVERY_MS: '1000' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const dir = await mkdtemp(join(tmpdir(), 'pg-bench-b-'));
  const b = createStore({ dataDir: dir, postgres: { url, table }, logger: pino({ level: 'silent' }), nowMs: Date.now, lease: { owner: 'writer-b', ttlSec } });
  try {
    let saves = 0;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('the writer process did not save')), 20_000);
      child.stdout.on('data', (d: Buffer) => {
        saves += (d.toString().match(/saved writer/g) ?? []).length;
        if (saves >= 3) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    await b.saveReconState({ saved_ts: 0, by: 'b' });
    const blockedBefore = b.status().postgres.read_only;
    child.kill('SIGKILL');
    const killed = performance.now();
    while (performance.now() - killed < 30_000) {
      await b.saveReconState({ saved_ts: Date.now() / 1000, by: 'b' });
      if (!b.status().postgres.read_only) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const s = (performance.now() - killed) / 1000;
    return {
      id: 'postgres.lease_handover',
      name: 'Postgres: SIGKILL of the writer process → the other sidecar writes',
      figure: { value: s, unit: 's' },
      baseline: { value: ttlSec, unit: 's', label: 'the lease time (renewed every second here)' },
      ratio: ratio(s, ttlSec),
      target: '≤ the lease time',
      pass: blockedBefore && !b.status().postgres.read_only && s <= ttlSec + 0.5,
      details: { read_only_before_kill: blockedBefore },
      note: `read-only while the writer lived (${String(blockedBefore)}); wrote ${fmt(s)} s after the kill`,
    };
  } finally {
    child.kill('SIGKILL');
    await b.close?.();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function postgresStore(): Promise<Omit<BenchResult, 'seconds'>> {
  let url = process.env.PG_TEST_URL;
  let started = false;
  if (url === undefined || url === '') {
    url = (await run('bash', [SCRIPT, 'start'], { env: CLUSTER_ENV, timeout: 60_000 })).stdout.trim().split('\n').at(-1) ?? '';
    started = true;
  }
  try {
    const figures = [...(await saves(url, 'bench_bot_state')), await handOver(url, 'bench_lease_state')];
    return { bench: 'postgres-store', figures };
  } finally {
    if (started) await run('bash', [SCRIPT, 'stop'], { env: CLUSTER_ENV }).catch(() => undefined);
  }
}
