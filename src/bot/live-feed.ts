import type { Logger } from 'pino';
import { BalancesFeed, type FeedTiming } from '../kraken/ws/balances-feed.js';
import type { LiveFeedFactory } from '../live/doorbell.js';
import type { Daemon } from './daemon.js';

/**
 * The real socket for the loop's doorbell: Kraken's WebSocket v2 `balances` channel at `url`, each connection
 * with a fresh token from GetWebSocketsToken, taken in the loop's private lane (one budget, nonces in order).
 */
export function balancesFeedFactory(daemon: Daemon, url: string, logger: Logger, timing?: Partial<FeedTiming>): LiveFeedFactory {
  const token = async (signal: AbortSignal): Promise<string> => {
    const out = await daemon.lane.call('GetWebSocketsToken', (s) => daemon.kraken.webSocketsToken(s), signal);
    daemon.markDirty(); // the nonce floor moved
    if (out.ok) return out.value.token;
    if ('error' in out) throw out.error;
    throw new Error(`GetWebSocketsToken deferred by the rate budget (${out.deferred})`);
  };
  return ({ onBell, onHealth }) =>
    new BalancesFeed({ url, token, onBell, onHealth: () => onHealth(), logger, clock: daemon.deps.clock, ...(timing === undefined ? {} : { timing }) });
}
