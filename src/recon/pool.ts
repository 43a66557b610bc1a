import type { LedgerRow } from './types.js';

/** The wallets EQUITY_WALLETS may name (DESIGN.md section 15). */
export const POOL_WALLETS = ['spot', 'F', 'B', 'M', 'S', 'HOLD'] as const;
export type PoolWallet = (typeof POOL_WALLETS)[number];

/** What the reconciliation covers: the pair's base and quote assets in these wallets. */
export interface PoolSpec {
  /** Plain codes (DOGE, USD). */
  readonly base: string;
  readonly quote: string;
  readonly wallets: readonly string[];
}

export type SkipKind = 'other_asset' | 'earn_wallet' | 'unknown_wallet';

/** Why a row is outside the pool, or null when it is inside. */
export function outsidePool(row: Pick<LedgerRow, 'asset' | 'wallet'>, pool: PoolSpec, knownWallet: (w: string) => boolean): SkipKind | null {
  if (row.asset !== pool.base && row.asset !== pool.quote) return 'other_asset';
  if (!pool.wallets.includes(row.wallet)) return knownWallet(row.wallet) ? 'earn_wallet' : 'unknown_wallet';
  return null;
}

export function sideOf(asset: string, pool: PoolSpec): 'base' | 'quote' {
  return asset === pool.base ? 'base' : 'quote';
}

/** Key of an asset-wallet in balance snapshots: `DOGE.spot`, `USD.F`. */
export function walletKey(asset: string, wallet: string): string {
  return `${asset}.${wallet}`;
}

/** The pair's plain asset codes, e.g. DOGE and USD. */
export interface PairAssets {
  readonly base: string;
  readonly quote: string;
}
