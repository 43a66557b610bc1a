import type { Logger } from 'pino';
import { KrakenSim, SyntheticBot } from '../kraken/sim/index.js';
import type { Tier } from './config.js';
import { demoActors, type DemoActor } from './demo-actors.js';
import { ActorPacer } from './demo-pacer.js';

export interface DemoEnvironment {
  readonly apiUrl: string;
  /** The simulator's WebSocket v2 auth endpoint (live mode's doorbell). */
  readonly wsUrl: string;
  readonly credentials: { key: string; secret: string };
  readonly pnlUrl: string;
  readonly sim: KrakenSim;
  /** What acts on the account at each step (the synthetic bot; see demo-actors.ts). */
  readonly actors: readonly DemoActor[];
  /** Runs the actors in real time between live ticks; its `sleep` is the loop's. Started by the caller. */
  readonly pacer: ActorPacer;
  close(): Promise<void>;
}

/** How often the synthetic bot acts, in ms: a few times per loop tick so the page moves. */
const BOT_STEP_MS = 1500;
/**
 * Earn rewards on USD.F: a yearly rate exaggerated so a newcomer sees income at once (the first reward comes at
 * the bot's first step, then every 4 hours: a few dozen in the simulated week, not one per step).
 */
const DEMO_REWARD_APR = 1;
const DEMO_REWARD_INTERVAL_MS = 4 * 3600_000;

/**
 * Demo mode (no Kraken keys): a simulated Kraken on a loopback port with a synthetic bot that trades, deposits
 * and withdraws, and reports its P&L over HTTP. The daemon talks to it through the real wire protocol. Auto Earn
 * is on for USD, as on many real accounts: idle USD sits in USD.F, earns small rewards, and the bot trades from it.
 * Simulator and bot read `now` (the demo clock, see demo-clock.ts); the bot acts only when the caller says
 * (the simulated week, then `pacer.start()`).
 */
export async function startDemo(logger: Logger, tier: Tier, now: () => number = Date.now): Promise<DemoEnvironment> {
  const credentials = KrakenSim.generateKey();
  const sim = await KrakenSim.start({
    host: '127.0.0.1',
    port: 0,
    keys: [credentials],
    tier,
    seed: Date.now() % 1_000_000,
    initialBalances: { XXDG: '25000.00000000', ZUSD: '3000.0000' },
    price: '0.1250000',
    now,
    // Nobody reads the demo's request log; a short one keeps each request cheap in the simulated week.
    requestLogMax: 20,
  });
  sim.activity.setAutoEarn('ZUSD', true);
  const bot = new SyntheticBot(sim, {
    seed: Date.now() % 999_983,
    tradeProbability: 0.5,
    depositProbability: 0.02,
    withdrawalProbability: 0.015,
    failedWithdrawalProbability: 0.004,
    rewardApr: DEMO_REWARD_APR,
    rewardIntervalMs: DEMO_REWARD_INTERVAL_MS,
  });
  const pnl = await bot.startPnlServer({ host: '127.0.0.1', port: 0 });
  const actors = demoActors(bot);
  const pacer = new ActorPacer(actors, BOT_STEP_MS);
  logger.info({ kraken_sim: sim.url, bot_pnl: pnl.pnlUrl }, 'demo: simulated Kraken and synthetic bot started (no real money involved)');
  return {
    apiUrl: sim.url,
    wsUrl: sim.wsUrl,
    credentials,
    pnlUrl: pnl.pnlUrl,
    sim,
    actors,
    pacer,
    async close() {
      pacer.stop();
      await pnl.close();
      await sim.close();
    },
  };
}
