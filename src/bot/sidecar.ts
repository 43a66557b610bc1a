import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { createAlertService, type AlertService } from '../alerts/service.js';
import { createApp, startServer, type RunningServer } from '../dashboard/index.js';
import { createStatusFeed } from '../dashboard/status-feed.js';
import { KrakenClient } from '../kraken/client.js';
import { createStore } from '../store/store.js';
import { createSupabaseTarget } from '../store/supabase-target.js';
import { rolloutStage, type Config } from './config.js';
import { Daemon } from './daemon.js';
import { createMetrics } from './metrics.js';
import { startDemo, type DemoEnvironment } from './demo.js';
import { DemoClock } from './demo-clock.js';
import { demoWeekEvents, runDemoWeek, type DemoWeekReport } from './demo-history.js';
import { holdingStore } from './held-store.js';
import { balancesFeedFactory } from './live-feed.js';
import { packageVersion } from './package-info.js';
import { httpPnlSource, PnlTracker, storedPnlSource, type PnlSource } from './pnl-source.js';

/** On shutdown a running tick gets this long before its requests are cut, so exit stays under 10 s. */
const TICK_GRACE_MS = 5000;
/** Everything (tick, local and remote saves) must be done by then; closing the server follows. */
const SAVE_DEADLINE_MS = 8500;

export interface RunningSidecar {
  readonly daemon: Daemon;
  readonly server: RunningServer;
  readonly config: Config;
  /** Demo mode: the simulated account, and what its simulated week did (null in live mode). */
  readonly demo: DemoEnvironment | null;
  readonly demoWeek: DemoWeekReport | null;
  /** Stops the loop, lets the tick finish, flushes, closes the server; resolves when done. Safe to call twice. */
  stop(): Promise<void>;
}

/** Wires config, logger, store, Kraken client, loop and HTTP server together and starts the loop. */
export async function startSidecar(config: Config, logger: Logger): Promise<RunningSidecar> {
  const stopLoop = new AbortController();
  const cutTick = new AbortController();
  let demo: DemoEnvironment | null = null;
  // The demo runs DEMO_HISTORY_DAYS of simulated history first, on a clock that starts that long ago.
  const historySec = config.mode === 'demo' ? config.DEMO_HISTORY_DAYS * 86_400 : 0;
  const demoClock = config.mode === 'demo' ? new DemoClock(Date.now() - historySec * 1000) : null;
  if (demoClock !== null) demo = await startDemo(logger, config.KRAKEN_TIER, demoClock.now);

  // The demo's simulated account is new on every start, so its state lives apart from a live account's.
  const dataDir = demo === null ? config.DATA_DIR : join(config.DATA_DIR, 'demo');
  if (demo !== null) rmSync(dataDir, { recursive: true, force: true });
  const nowMs = demoClock?.now ?? ((): number => Date.now());
  // The demo never touches a configured Supabase: its simulated account must not mix with the live rows.
  const supabase = demo === null ? config.supabase : undefined;
  if (demo !== null && config.supabase !== undefined) logger.warn('demo mode: SUPABASE_URL/SUPABASE_KEY are ignored; the demo stores local JSON only');
  const postgres = demo === null ? config.DATABASE_URL : undefined;
  if (demo !== null && config.DATABASE_URL !== undefined) logger.warn('demo mode: DATABASE_URL is ignored; the demo stores local JSON only');
  const realStore = createStore({
    dataDir,
    supabase: supabase === undefined ? undefined : { ...supabase, timeoutMs: Math.min(config.KRAKEN_TIMEOUT_MS, 5000) },
    postgres: postgres === undefined ? undefined : { url: postgres, table: config.SUPABASE_TABLE, timeoutMs: Math.min(config.KRAKEN_TIMEOUT_MS, 5000) },
    logger,
    nowMs,
    seriesRetentionSec: config.EQUITY_TS_RETENTION_DAYS * 86_400,
    // The state (and its lease) is saved at least every minute or every tick, whichever is longer.
    lease: { ttlSec: Math.max(180, 4 * config.LOOP_INTERVAL_SEC) },
  });
  const heldStore = demo === null || historySec === 0 ? null : holdingStore(realStore);
  const store = heldStore ?? realStore;

  const pnl = new PnlTracker(pnlSource(config, demo));
  let daemonRef: Daemon | null = null;
  const metrics = createMetrics(() => daemonRef);
  let alerts: AlertService | null = null;
  const feed = createStatusFeed();
  const credentials = demo?.credentials ?? { key: config.KRAKEN_API_KEY ?? '', secret: config.KRAKEN_API_SECRET ?? '' };
  const daemon = await Daemon.create({
    config,
    kraken: (nonces) => new KrakenClient({ baseUrl: demo?.apiUrl ?? config.KRAKEN_API_URL, timeoutMs: config.KRAKEN_TIMEOUT_MS, credentials, nonces }),
    store,
    pnl,
    logger,
    clock: nowMs,
    version: packageVersion(),
    onTick: (ms) => {
      if (demoClock?.isLive !== false) metrics.observeTick(ms); // the simulated week's ticks take no clock time
    },
    onStatus: (status) => {
      alerts?.onSnapshot(status);
      if (demoClock?.isLive !== false) feed.publish(status); // GET /events; the simulated week's ticks are not pushed
    },
  });
  daemonRef = daemon;
  // The server answers before the demo's simulated week runs: /status shows the week filling in, tick by tick.
  const app = createApp({
    getStatus: () => daemon.status,
    reports: () => daemon.reports.exports,
    feed,
    health: () => daemon.health(),
    live: () => daemon.liveness(),
    ready: () => daemon.readiness(),
    metrics: () => metrics.render(),
    token: config.STATUS_TOKEN,
    host: config.HOST,
    allowedHosts: config.ALLOWED_HOSTS,
    logger,
  });
  const server = await startServer(app, { host: config.HOST, port: config.PORT, logger, tokenSet: config.STATUS_TOKEN !== undefined });
  const demoWeek =
    demo === null || demoClock === null || heldStore === null
      ? null
      : await runDemoWeek({ daemon, clock: demoClock, store: heldStore, actors: demo.actors, events: demoWeekEvents(demo.sim, historySec), logger });
  demoClock?.goLive();
  // Live mode's doorbell opens once the figures are live (never during the simulated week).
  daemon.startLive(balancesFeedFactory(daemon, demo?.wsUrl ?? config.KRAKEN_WS_URL, logger));
  // Created after the simulated week, so none of its events reaches a webhook.
  alerts = createAlertService({ config, logger, clock: nowMs, getState: () => daemon.state.alerts, setState: (s) => (daemon.state.alerts = s), persist: () => daemon.saveNow() });

  logger.info(
    {
      mode: config.mode,
      pair: config.KRAKEN_PAIR,
      stage: rolloutStage(config),
      kraken: demo === null ? config.KRAKEN_API_URL : 'simulated (demo)',
      stores: ['local', ...(supabase === undefined ? [] : ['supabase']), ...(postgres === undefined ? [] : ['postgres'])],
      data_dir: dataDir,
      listen: server.url,
      loop_interval_sec: config.LOOP_INTERVAL_SEC,
    },
    `sidecar started: open ${server.url} for the dashboard, ${server.url}status for JSON`,
  );

  demo?.pacer.start();
  const loop = daemon.run(stopLoop.signal, demo?.pacer.sleep ?? ((ms, signal) => sleep(ms, undefined, { signal })), cutTick.signal);
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const deadline = Date.now() + SAVE_DEADLINE_MS;
      stopLoop.abort();
      const cut = setTimeout(() => cutTick.abort(), TICK_GRACE_MS);
      await Promise.race([loop, sleep(TICK_GRACE_MS + 500)]);
      clearTimeout(cut);
      await alerts?.stop(); // a request on the wire gets 1.5 s; queued alerts are sent after the restart
      // Local copies are written first; a slow Supabase must not hold the exit past the 10 s contract.
      const saved = await Promise.race([daemon.shutdown().then(() => true), sleep(Math.max(500, deadline - Date.now())).then(() => false)]);
      if (!saved) logger.warn('shutdown: remote writes cut short by the deadline (local copies are complete; Supabase catches up at the next start)');
      feed.close(); // event streams end cleanly instead of being cut by the server's grace timer
      await server.close();
      await Promise.race([realStore.close?.(), sleep(500)]); // a hung database must not hold the exit
      await demo?.close();
    })();
    return stopping;
  };
  return { daemon, server, config, demo, demoWeek, stop };
}

function pnlSource(config: Config, demo: DemoEnvironment | null): PnlSource | null {
  // The demo's P&L is its synthetic bot's (unless switched off): never a real bot's row or endpoint.
  if (demo !== null) return config.BOT_PNL_SOURCE === 'none' || config.BOT_PNL_SOURCE === 'ledger' ? null : httpPnlSource(demo.pnlUrl, 'pnl_usd', config.KRAKEN_TIMEOUT_MS);
  switch (config.BOT_PNL_SOURCE) {
    case 'none':
    case 'ledger': // read from the ledger rows by the daemon itself
      return null;
    case 'http':
      return config.BOT_PNL_URL === undefined ? null : httpPnlSource(config.BOT_PNL_URL, config.BOT_PNL_FIELD, config.KRAKEN_TIMEOUT_MS);
    case 'supabase': {
      const key = config.BOT_PNL_STATE_KEY;
      if (config.supabase === undefined || key === undefined) return null;
      const target = createSupabaseTarget({ ...config.supabase, nowMs: () => Date.now(), timeoutMs: config.KRAKEN_TIMEOUT_MS });
      return storedPnlSource(() => target.read(key), config.BOT_PNL_FIELD);
    }
  }
}
