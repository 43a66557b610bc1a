import type { LedgerRow } from './types.js';

export interface PairAssets {
  /** Plain codes, e.g. DOGE and USD. */
  readonly base: string;
  readonly quote: string;
}

export type Classification =
  | { kind: 'flow'; side: 'base' | 'quote' }
  /** A flow-typed row that must not touch the spot reconciliation (counted in `skipped_rows`). */
  | { kind: 'skip'; reason: 'other_asset' | 'earn_wallet' }
  /** Trades, fees, margin and the like: the bot's own doing, not an external flow. */
  | { kind: 'not_flow' };

export function classifyRow(row: LedgerRow, flowTypes: readonly string[], pair: PairAssets): Classification {
  if (!flowTypes.includes(row.type)) return { kind: 'not_flow' };
  if (row.asset !== pair.base && row.asset !== pair.quote) return { kind: 'skip', reason: 'other_asset' };
  if (row.wallet !== 'spot') return { kind: 'skip', reason: 'earn_wallet' };
  return { kind: 'flow', side: row.asset === pair.base ? 'base' : 'quote' };
}
