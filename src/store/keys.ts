import { StoreError } from './errors.js';

/** The only two `bot_state` keys the sidecar may write: the bot's own rows live in the same table. */
export const EQUITY_KEY = '__equity_ts__';
export const RECON_KEY = '__recon_state_v1__';
export type StoreKey = typeof EQUITY_KEY | typeof RECON_KEY;

export const STORE_KEYS: readonly StoreKey[] = [EQUITY_KEY, RECON_KEY];

/** Local file (in DATA_DIR) holding each key's copy. */
export const LOCAL_FILE: Readonly<Record<StoreKey, string>> = {
  [EQUITY_KEY]: 'equity_ts.json',
  [RECON_KEY]: 'recon_state.json',
};

/** Throws FORBIDDEN_KEY unless `key` is one of the two keys. Checked at runtime: types alone can be cast away. */
export function assertStoreKey(key: string): asserts key is StoreKey {
  if (key !== EQUITY_KEY && key !== RECON_KEY) {
    throw new StoreError('FORBIDDEN_KEY', `refusing to write key ${JSON.stringify(key)}: the sidecar writes only ${STORE_KEYS.join(' and ')}`);
  }
}
