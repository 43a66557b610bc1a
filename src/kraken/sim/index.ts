/** Public API of the simulated Kraken (demo, integration tests, benchmarks). */
export { KrakenSim } from './server.js';
export { SyntheticBot } from './synthetic-bot.js';
export type { BotEvent, SyntheticBotOptions } from './synthetic-bot.js';
export { startPnlServer } from './pnl-server.js';
export type { PnlServer, PnlSource } from './pnl-server.js';
export { TIER_LIMITS } from './rate-counter.js';
export { LEDGER_ID_PATTERN } from './ledger-ids.js';
export { LEDGER_PAGE_SIZE } from './ledger-query.js';
export { DEFAULT_PAIR } from './market.js';
export { createRng } from './rng.js';
export { walletCode } from './wallet-codes.js';
export { WS_PATH } from './ws-server.js';
export type { SimSystem, SimWsEndpoint, SimWsStats } from './ws-server.js';
export type { SimWsAction, SimWsFault } from './ws-faults.js';
export { TOKEN_LIFETIME_SEC } from './ws-tokens.js';
export type { SimWallet } from './wallet-codes.js';
export type { AccountActivity, ActivityResult, At, FundFrom, RewardType, SwapInput, TradeInput } from './activity.js';
export type { AutoEarnForm, AutoEarnOptions } from './auto-earn.js';
export type { Rng } from './rng.js';
export type {
  EndpointStats,
  InjectOptions,
  LedgerRow,
  LedgerRowInput,
  PrivateEndpoint,
  RequestLogEntry,
  RequestOutcome,
  SimEndpoint,
  SimFault,
  SimKey,
  SimLogger,
  SimOptions,
  SimPairSpec,
  SimPermission,
  SimStats,
  SimTier,
} from './types.js';
