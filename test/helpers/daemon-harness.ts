import { loadConfig, type Config } from '../../src/bot/config.js';
import { Daemon } from '../../src/bot/daemon.js';
import { PnlTracker, type PnlSource } from '../../src/bot/pnl-source.js';
import { KrakenClient, type KrakenApi } from '../../src/kraken/client.js';
import { KrakenSim } from '../../src/kraken/sim/index.js';
import type { SimOptions, SimPermission } from '../../src/kraken/sim/types.js';

import { createStore, type Store, type StoreOptions } from '../../src/store/store.js';
import { memoryLogger, tempDir, type MemoryLogger } from './store-fixtures.js';

export const START_MS = 1_700_000_000_000;

/** A shared fake clock for the simulator and the daemon, in milliseconds. */
export class FakeClock {
  constructor(public ms = START_MS) {}
  now = (): number => this.ms;
  advanceSec(sec: number): void {
    this.ms += sec * 1000;
  }
}

export interface Harness {
  sim: KrakenSim;
  clock: FakeClock;
  config: Config;
  daemon: Daemon;
  store: Store;
  pnl: PnlTracker;
  log: MemoryLogger;
  dataDir: string;
  /** Advances the clock by one loop interval (or `sec`) and runs one tick. */
  step(sec?: number): Promise<void>;
  /** A new daemon on the same data dir, sim and clock: a restart. */
  restart(env?: Record<string, string>): Promise<Daemon>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Environment overrides (strings, as an operator would set them). */
  env?: Record<string, string>;
  sim?: SimOptions;
  /** The API key's permissions at the simulator (default: all). */
  keyPermissions?: readonly SimPermission[];
  pnlSource?: PnlSource | null;
  store?: Partial<StoreOptions>;
  /** Reuse a data dir (a restart of a previous harness). */
  dataDir?: string;
  clock?: FakeClock;
  /** Wraps the daemon's Kraken client (e.g. to let the account move between the Balance and Ledgers calls). */
  wrapKraken?: (api: KrakenApi, sim: KrakenSim, clock: FakeClock) => KrakenApi;
}

const FAST_RETRY = { retries: 1, minTimeoutMs: 1, maxTimeoutMs: 2 };

/**
 * The daemon against the simulated Kraken over loopback, sharing one fake clock, with its store in a temp
 * dir. Ticks are driven by the test (`step`), so nothing depends on wall time.
 */
export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const clock = opts.clock ?? new FakeClock();
  const creds = KrakenSim.generateKey();
  const sim = await KrakenSim.start({
    keys: [opts.keyPermissions === undefined ? creds : { ...creds, permissions: [...opts.keyPermissions] }],
    now: clock.now,
    initialBalances: { XXDG: '10000.00000000', ZUSD: '1000.0000' },
    price: '0.1000000',
    ...opts.sim,
  });
  const tmp = opts.dataDir === undefined ? await tempDir('daemon-test-') : null;
  const dataDir = opts.dataDir ?? tmp?.dir ?? '';
  const log = memoryLogger();
  const pnl = new PnlTracker(opts.pnlSource ?? null);

  const build = async (env: Record<string, string>): Promise<{ daemon: Daemon; store: Store; config: Config }> => {
    const config = loadConfig({
      KRAKEN_API_KEY: creds.key,
      KRAKEN_API_SECRET: creds.secret,
      KRAKEN_API_URL: sim.url,
      DATA_DIR: dataDir,
      LOOP_INTERVAL_SEC: '30',
      KRAKEN_TIMEOUT_MS: '2000',
      ...env,
    });
    const store = createStore({ dataDir, logger: log.logger, nowMs: clock.now, ...opts.store });
    const daemon = await Daemon.create({
      config,
      kraken: (nonces) => {
        const api = new KrakenClient({ baseUrl: sim.url, timeoutMs: config.KRAKEN_TIMEOUT_MS, credentials: creds, nonces });
        return opts.wrapKraken === undefined ? api : opts.wrapKraken(api, sim, clock);
      },
      store,
      pnl,
      logger: log.logger,
      clock: clock.now,
      version: 'test',
      retry: FAST_RETRY,
    });
    return { daemon, store, config };
  };

  let env = opts.env ?? {};
  const first = await build(env);
  const h: Harness = {
    sim,
    clock,
    log,
    pnl,
    dataDir,
    ...first,
    async step(sec) {
      clock.advanceSec(sec ?? h.config.LOOP_INTERVAL_SEC);
      await h.daemon.tick();
    },
    async restart(newEnv) {
      env = newEnv ?? env;
      Object.assign(h, await build(env));
      return h.daemon;
    },
    async close() {
      await sim.close();
      await tmp?.cleanup();
    },
  };
  return h;
}
