import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/bot/config.js';
import { Daemon } from '../../src/bot/daemon.js';
import { PnlTracker } from '../../src/bot/pnl-source.js';
import { encodeSeries } from '../../src/equity/codec.js';
import type { EquityPoint } from '../../src/equity/types.js';
import type { KrakenApi } from '../../src/kraken/client.js';
import { KrakenSim } from '../../src/kraken/sim/index.js';
import { Big } from '../../src/recon/decimal.js';
import { applyLedgerPage, beginPoll, completePoll } from '../../src/recon/flow-poll.js';
import { reconcile } from '../../src/recon/reconcile.js';
import { restoreReconState, serializeReconState } from '../../src/recon/state-codec.js';
import { createStore } from '../../src/store/store.js';
import { POLICY, rawRow, stateWithBaseline } from '../helpers/recon-fixtures.js';
import { tempDir } from '../helpers/store-fixtures.js';
import { badDecimal, junk, LIMITS, prototypeIsClean } from './arbitraries.js';

const T0 = 1_700_000_000;

/** A realistic saved state: a baseline, a finished poll, flows, audit entries, seen ids. */
function savedState(): Record<string, unknown> {
  const state = stateWithBaseline(T0);
  beginPoll(state, T0 + 200, POLICY);
  applyLedgerPage(state, { LA: rawRow({ time: T0 + 10 }), LB: rawRow({ time: T0 + 20, asset: 'ZUSD', amount: '-5.0000', fee: '0.5000', type: 'withdrawal' }) }, 0.1, T0 + 200, POLICY);
  completePoll(state, T0 + 200, POLICY);
  return JSON.parse(JSON.stringify(serializeReconState(state, T0 + 200))) as Record<string, unknown>;
}

/** Paths into the saved state whose values the mutations replace. */
const STATE_PATHS = [
  ['baseline'], ['baseline', 'doge'], ['baseline', 'usd'], ['baseline', 'ts'], ['baseline', 'pnl_source_at_baseline'],
  ['cursor'], ['import_floor'], ['seen'], ['seen', 0], ['seen', 0, 1], ['flows'], ['flows', 0], ['flows', 0, 'net'], ['flows', 0, 'side'],
  ['flows', 0, 'amount'], ['flows', 0, 'time'], ['audit', 0, 'after'], ['audit', 0, 'net'], ['totals'], ['totals', 'base_in'], ['totals', 'count'],
  ['unapplied', 'base'], ['unapplied', 'quote'], ['skipped_rows'], ['poll'], ['poll', 'pending'], ['poll', 'last_poll_ts'], ['nonce_floor'],
  ['budget'], ['budget', 'counter'], ['saved_ts'], ['__proto__'], ['v'],
] as const;

/** Decimal-looking strings that are not what the decimal library reads as is. */
const nearDecimal = fc.constantFrom(' 5', '5 ', '+5', '+0.1', '\t1.0', '5\n', '1e3', '-', '');

const mutation = fc.record({ path: fc.constantFrom(...STATE_PATHS), value: fc.oneof(badDecimal, junk, nearDecimal) });

function mutate(base: Record<string, unknown>, muts: ReadonlyArray<{ path: readonly (string | number)[]; value: unknown }>): unknown {
  for (const { path, value } of muts) {
    let node: unknown = base;
    for (const key of path.slice(0, -1)) node = typeof node === 'object' && node !== null ? (node as Record<string | number, unknown>)[key] : undefined;
    const last = path[path.length - 1];
    if (typeof node === 'object' && node !== null && last !== undefined) Object.defineProperty(node, last, { value, enumerable: true, configurable: true, writable: true });
  }
  return base;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? 'null';
  } catch {
    return '{';
  }
}

const reconFile: fc.Arbitrary<Uint8Array | string> = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  junk.map(safeJson),
  fc.array(mutation, { minLength: 1, maxLength: 4 }).map((m) => safeJson(mutate(savedState(), m))),
);

const point = (ts: number): EquityPoint => ({ ts, doge_eq: 2000, usd: 100, doge: 1000, price: 0.1, bot_pnl_usd: 0, flows_cumulative_doge_eq: 0 });
const equityFile: fc.Arbitrary<Uint8Array | string> = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc
    .record({ field: fc.constantFrom('v', 'n', 'ts', 'doge_eq', 'price', 'usd'), value: fc.oneof(badDecimal, junk, fc.constant({ dec: 99, delta: [1e300, NaN] }), fc.constant({ plain: ['1', null] })) })
    .map(({ field, value }) => safeJson({ ...encodeSeries([point(T0 - 600), point(T0 - 300)]), [field]: value })),
);

/** Kraken answers for one tick, no network. */
const fakeKraken: KrakenApi = {
  balance: () => Promise.resolve({ XXDG: '1000.00000000', ZUSD: '100.0000' }),
  ledgers: () => Promise.resolve({ ledger: {}, count: 0 }),
  ticker: () => Promise.resolve('0.1000000'),
  assetPairs: () => Promise.resolve({ altname: 'XDGUSD', base: 'XXDG', quote: 'ZUSD' }),
  serverTime: () => Promise.resolve(T0),
  webSocketsToken: () => Promise.resolve({ token: 'fuzz-token', expires: 900 }),
};

describe('fuzz: saved state files', () => {
  it('restoreReconState never throws and what it restores can be reconciled', () => {
    fc.assert(
      fc.property(fc.oneof(junk, fc.array(mutation, { minLength: 1, maxLength: 4 }).map((m) => mutate(savedState(), m))), (raw) => {
        const { state } = restoreReconState(raw, 1000);
        const b = state.baseline;
        if (b !== null) {
          expect(() => new Big(b.doge).plus(b.usd)).not.toThrow();
          const f = reconcile({ price: 0.1, balances: { base: '1000', quote: '100' }, baseline: b, botPnlUsd: 0, totals: state.totals, unapplied: state.unapplied, thresholdPct: 1 });
          expect(Number.isFinite(f.adjusted_drift_doge ?? 0)).toBe(true);
        }
        for (const f of state.flows) expect(() => new Big(f.net).plus(f.amount).plus(f.fee)).not.toThrow();
      }),
      LIMITS,
    );
    expect(prototypeIsClean()).toBe(true);
  });

  describe('the daemon over a data dir holding corrupt files', () => {
    let dir: { dir: string; cleanup: () => Promise<void> };
    const creds = KrakenSim.generateKey();
    const config = loadConfig({
      KRAKEN_API_KEY: creds.key,
      KRAKEN_API_SECRET: creds.secret,
      FLOW_DETECTION_ENABLED: 'true',
      FLOW_BASELINE_AUTO_ADJUST: 'true',
      EQUITY_TS_ENABLED: 'true',
      EQUITY_SNAPSHOT_FLUSH_SEC: '1',
    });
    beforeAll(async () => {
      dir = await tempDir('fuzz-state-');
    });
    afterAll(() => dir.cleanup());

    it('starts, ticks without error, and writes good files again', async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(reconFile, equityFile, async (recon, equity) => {
          const dataDir = join(dir.dir, String(run++));
          await writeFile(join(dataDir, 'recon_state.json'), recon).catch(async () => {
            const { mkdir } = await import('node:fs/promises');
            await mkdir(dataDir, { recursive: true });
            await writeFile(join(dataDir, 'recon_state.json'), recon);
          });
          await writeFile(join(dataDir, 'equity_ts.json'), equity);
          const logger = pino({ level: 'silent' });
          let now = (T0 + 1000) * 1000;
          const clock = (): number => now;
          const store = createStore({ dataDir, logger, nowMs: clock });
          const daemon = await Daemon.create({ config, kraken: () => fakeKraken, store, pnl: new PnlTracker(null), logger, clock, version: 'fuzz' });
          await daemon.tick();
          now += 2000;
          await daemon.tick();
          expect(daemon.lastTickError, 'tick error').toBeNull();
          expect(daemon.tickErrors).toBe(0);
          expect(daemon.status?.balance_recon.status).not.toBe('unknown');
          // The files were rewritten in a shape the next start reads without repairs.
          const again = restoreReconState(JSON.parse((await import('node:fs')).readFileSync(join(dataDir, 'recon_state.json'), 'utf8')), 1000);
          expect(again.repairs).toEqual([]);
        }),
        { ...LIMITS, numRuns: 60, interruptAfterTimeLimit: 8000 },
      );
      expect(prototypeIsClean()).toBe(true);
    });
  });
});
