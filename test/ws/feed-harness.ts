// A real BalancesFeed against the real simulator over loopback, with short timings, a memory logger, and the
// bells and health it reports collected for assertions.
import { setTimeout as sleep } from 'node:timers/promises';
import { KrakenClient } from '../../src/kraken/client.js';
import { NonceSource } from '../../src/kraken/nonce.js';
import { KrakenSim } from '../../src/kraken/sim/index.js';
import { BalancesFeed, type Bell, type FeedHealth, type FeedTiming } from '../../src/kraken/ws/balances-feed.js';
import { memoryLogger, type MemoryLogger } from '../helpers/store-fixtures.js';

export const FAST: Partial<FeedTiming> = {
  staleMs: 600,
  pingMs: 200,
  handshakeTimeoutMs: 800,
  backoffBaseMs: 100,
  backoffMaxMs: 400,
  maintenanceMinMs: 1000,
  attemptWindowMs: 10_000,
  attemptMax: 100,
  stableMs: 2000,
};

export interface FeedRig {
  sim: KrakenSim;
  feed: BalancesFeed;
  bells: Bell[];
  healths: FeedHealth[];
  log: MemoryLogger;
  /** Tokens the feed was handed (to check none reaches a log line). */
  tokens: string[];
  /** GetWebSocketsToken calls the sim saw. */
  tokenCalls: () => number;
  close: () => Promise<void>;
}

export interface RigOptions {
  timing?: Partial<FeedTiming>;
  /** Replaces the real token call (it still may call `real`). */
  token?: (real: (signal: AbortSignal) => Promise<string>, signal: AbortSignal) => Promise<string>;
  start?: boolean;
  random?: () => number;
}

export async function startRig(opts: RigOptions = {}): Promise<FeedRig> {
  const creds = KrakenSim.generateKey();
  const sim = await KrakenSim.start({ keys: [creds], wsHeartbeatMs: 100, requestLogMax: 10_000 });
  const client = new KrakenClient({ baseUrl: sim.url, timeoutMs: 2000, credentials: creds, nonces: new NonceSource(Date.now) });
  const log = memoryLogger();
  const bells: Bell[] = [];
  const healths: FeedHealth[] = [];
  const tokens: string[] = [];
  const real = async (signal: AbortSignal): Promise<string> => {
    const t = (await client.webSocketsToken(signal)).token;
    tokens.push(t);
    return t;
  };
  const feed = new BalancesFeed({
    url: sim.wsUrl,
    token: (signal) => (opts.token === undefined ? real(signal) : opts.token(real, signal)),
    onBell: (b) => bells.push(b),
    onHealth: (h) => healths.push(h),
    logger: log.logger,
    timing: { ...FAST, ...opts.timing },
    ...(opts.random === undefined ? {} : { random: opts.random }),
  });
  if (opts.start !== false) feed.start();
  return {
    sim,
    feed,
    bells,
    healths,
    log,
    tokens,
    tokenCalls: () => tokenCallTimes(sim).length,
    close: async () => {
      await feed.stop();
      await sim.close();
    },
  };
}

export async function until(what: string, timeoutMs: number, probe: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

export const subscribed = (r: FeedRig) => (): boolean => r.feed.health().state === 'subscribed' && r.feed.health().connected;

/** No token in any log line. */
export function tokenLeaks(r: FeedRig): string[] {
  const text = r.log.text();
  return r.tokens.filter((t) => text.includes(t));
}

/** When the sim saw each GetWebSocketsToken call (ms). */
export function tokenCallTimes(sim: KrakenSim): number[] {
  return sim.stats().requests.filter((r) => r.endpoint === 'GetWebSocketsToken').map((r) => r.time);
}
