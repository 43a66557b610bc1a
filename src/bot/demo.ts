import type { Logger } from 'pino';
import { KrakenSim, SyntheticBot } from '../kraken/sim/index.js';
import type { Tier } from './config.js';

export interface DemoEnvironment {
  readonly apiUrl: string;
  readonly credentials: { key: string; secret: string };
  readonly pnlUrl: string;
  close(): Promise<void>;
}

/** How often the synthetic bot acts, in ms: a few times per loop tick so the page moves. */
const BOT_STEP_MS = 1500;
/**
 * Auto Earn on USD (idle USD in USD.F earning rewards, the bot trading from it) waits until the sidecar counts
 * the earn wallets (EQUITY_WALLETS, issue 10): while Balance is read for spot only, the demo's USD would show
 * as 0 and every trade as unexplained drift (warnings flapping within seconds). Flip this with that change.
 */
const DEMO_AUTO_EARN: boolean = false;
/** Earn rewards on USD.F: a yearly rate exaggerated so a newcomer sees income at once, paid every 30 s. */
const DEMO_REWARD_APR = 1;
const DEMO_REWARD_INTERVAL_MS = 30_000;

/**
 * Demo mode (no Kraken keys): a simulated Kraken on a loopback port with a synthetic bot that trades, deposits
 * and withdraws, and reports its P&L over HTTP. The daemon talks to it through the real wire protocol. Auto Earn
 * on USD, as on many real accounts, waits for the earn wallets to be counted (DEMO_AUTO_EARN).
 */
export async function startDemo(logger: Logger, tier: Tier): Promise<DemoEnvironment> {
  const credentials = KrakenSim.generateKey();
  const sim = await KrakenSim.start({
    host: '127.0.0.1',
    port: 0,
    keys: [credentials],
    tier,
    seed: Date.now() % 1_000_000,
    initialBalances: { XXDG: '25000.00000000', ZUSD: '3000.0000' },
    price: '0.1250000',
  });
  if (DEMO_AUTO_EARN) sim.activity.setAutoEarn('ZUSD', true);
  const bot = new SyntheticBot(sim, {
    seed: Date.now() % 999_983,
    tradeProbability: 0.5,
    depositProbability: 0.02,
    withdrawalProbability: 0.015,
    failedWithdrawalProbability: 0.004,
    rewardApr: DEMO_AUTO_EARN ? DEMO_REWARD_APR : 0,
    rewardIntervalMs: DEMO_REWARD_INTERVAL_MS,
  });
  const pnl = await bot.startPnlServer({ host: '127.0.0.1', port: 0 });
  bot.run(BOT_STEP_MS);
  logger.info({ kraken_sim: sim.url, bot_pnl: pnl.pnlUrl }, 'demo: simulated Kraken and synthetic bot started (no real money involved)');
  return {
    apiUrl: sim.url,
    credentials,
    pnlUrl: pnl.pnlUrl,
    async close() {
      bot.stop();
      await pnl.close();
      await sim.close();
    },
  };
}
