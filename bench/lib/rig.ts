// The real daemon against the simulated Kraken over loopback, on one fake clock: what the benchmarks measure.
// Like test/helpers/daemon-harness.ts, but silent (no log kept in memory) and with its own temp dir.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig, type Config } from '../../src/bot/config.js';
import { Daemon } from '../../src/bot/daemon.js';
import { PnlTracker } from '../../src/bot/pnl-source.js';
import { KrakenClient } from '../../src/kraken/client.js';
import { KrakenSim } from '../../src/kraken/sim/index.js';
import type { SimOptions } from '../../src/kraken/sim/types.js';
import { createStore, type Store } from '../../src/store/store.js';

export const START_MS = 1_700_000_000_000;

export class FakeClock {
  constructor(public ms = START_MS) {}
  now = (): number => this.ms;
  sec = (): number => this.ms / 1000;
  advanceSec(sec: number): void {
    this.ms += sec * 1000;
  }
}

/** Stage 4: every rollout flag on. */
export const STAGE4_ENV: Readonly<Record<string, string>> = {
  FLOW_DETECTION_ENABLED: 'true',
  FLOW_BASELINE_AUTO_ADJUST: 'true',
  EQUITY_TS_ENABLED: 'true',
  DASHBOARD_FLOW_PANELS_ENABLED: 'true',
};

export interface Rig {
  sim: KrakenSim;
  clock: FakeClock;
  config: Config;
  daemon: Daemon;
  store: Store;
  dataDir: string;
  /** Advances the clock by one loop interval (or `sec`) and runs one tick. */
  step(sec?: number): Promise<void>;
  close(): Promise<void>;
}

export interface RigOptions {
  env?: Readonly<Record<string, string>>;
  sim?: SimOptions;
}

const FAST_RETRY = { retries: 1, minTimeoutMs: 1, maxTimeoutMs: 2 };

export interface DaemonOptions {
  url: string;
  creds: { key: string; secret: string };
  clock: FakeClock;
  dataDir: string;
  env?: Readonly<Record<string, string>> | undefined;
}

/** The daemon as sidecar.ts wires it (minus the HTTP server), pointed at a simulator, silent. */
export async function createDaemon(o: DaemonOptions): Promise<{ daemon: Daemon; config: Config; store: Store }> {
  const logger = pino({ level: 'silent' });
  const config = loadConfig({
    KRAKEN_API_KEY: o.creds.key,
    KRAKEN_API_SECRET: o.creds.secret,
    KRAKEN_API_URL: o.url,
    DATA_DIR: o.dataDir,
    KRAKEN_TIMEOUT_MS: '5000',
    LOG_LEVEL: 'silent',
    ...o.env,
  });
  const store = createStore({ dataDir: o.dataDir, logger, nowMs: o.clock.now, seriesRetentionSec: config.EQUITY_TS_RETENTION_DAYS * 86_400 });
  const daemon = await Daemon.create({
    config,
    kraken: (nonces) => new KrakenClient({ baseUrl: o.url, timeoutMs: config.KRAKEN_TIMEOUT_MS, credentials: o.creds, nonces }),
    store,
    pnl: new PnlTracker(null),
    logger,
    clock: o.clock.now,
    version: 'bench',
    retry: FAST_RETRY,
  });
  return { daemon, config, store };
}

export const SIM_DEFAULTS: SimOptions = {
  initialBalances: { XXDG: '10000.00000000', ZUSD: '1000.0000' },
  price: '0.1000000',
};

export async function startRig(opts: RigOptions = {}): Promise<Rig> {
  const clock = new FakeClock();
  const creds = KrakenSim.generateKey();
  const sim = await KrakenSim.start({ keys: [creds], now: clock.now, ...SIM_DEFAULTS, ...opts.sim });
  const dataDir = await mkdtemp(join(tmpdir(), 'sidecar-bench-'));
  const { daemon, config, store } = await createDaemon({ url: sim.url, creds, clock, dataDir, env: opts.env });
  return {
    sim,
    clock,
    config,
    daemon,
    store,
    dataDir,
    async step(sec) {
      clock.advanceSec(sec ?? config.LOOP_INTERVAL_SEC);
      await daemon.tick();
    },
    async close() {
      await sim.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
