// A writer process for the lease hand-over benchmark: saves the recon state every `PG_BENCH_EVERY_MS` as owner
// `writer-a` with a `PG_BENCH_TTL_SEC` lease, printing "saved" after each save, until it is killed.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createStore } from '../../src/store/store.js';

const url = process.env.PG_BENCH_URL ?? '';
const table = process.env.PG_BENCH_TABLE ?? 'bot_state';
const ttlSec = Number(process.env.PG_BENCH_TTL_SEC ?? 3);
const everyMs = Number(process.env.PG_BENCH_EVERY_MS ?? 1000);
const dataDir = await mkdtemp(join(tmpdir(), 'pg-bench-writer-'));
const store = createStore({ dataDir, postgres: { url, table }, logger: pino({ level: 'silent' }), nowMs: Date.now, lease: { owner: 'writer-a', ttlSec } });
for (let i = 0; ; i++) {
  await store.saveReconState({ saved_ts: Date.now() / 1000, i });
  process.stdout.write(`saved ${store.status().postgres.read_only ? 'read-only' : 'writer'}\n`);
  await new Promise((r) => setTimeout(r, everyMs));
}
