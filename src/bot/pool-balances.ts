import { normalizeAsset } from '../kraken/assets.js';
import { Big } from '../recon/decimal.js';
import type { BalanceRead } from '../recon/alignment.js';
import { walletKey, type PairAssets } from '../recon/pool.js';

/** The pair's assets in each wallet (decimal strings), and their sum over the pool's wallets. */
export interface PoolBalances {
  /** Every wallet the Balance answer has for the pair's assets (pool or not), by wallet name. */
  readonly wallets: Readonly<Record<string, { readonly base: string; readonly quote: string }>>;
  /** Sum over EQUITY_WALLETS: what the baseline and every figure use. */
  readonly pool: { readonly base: string; readonly quote: string };
  /** Wallet suffixes no documentation names (logged once each). */
  readonly unseenWallets: readonly string[];
}

/**
 * Reads Kraken's Balance answer (asset code → decimal string) for the pair: `XXDG`, `XDG`, `DOGE` → DOGE spot,
 * `XDG.F`/`DOGE.F` → DOGE F, `ZUSD` → USD spot, `USD.F`, `USD.HOLD` ... Codes that name the same asset-wallet
 * in two spellings are added.
 */
export function poolBalances(answer: Readonly<Record<string, string>>, pair: PairAssets, pool: readonly string[], knownWallet: (w: string) => boolean): PoolBalances {
  const wallets: Record<string, { base: InstanceType<typeof Big>; quote: InstanceType<typeof Big> }> = {};
  const unseen: string[] = [];
  for (const [code, amount] of Object.entries(answer)) {
    const a = normalizeAsset(code);
    if (a.asset !== pair.base && a.asset !== pair.quote) continue;
    let value: InstanceType<typeof Big>;
    try {
      value = new Big(amount);
    } catch {
      continue;
    }
    if (!knownWallet(a.wallet) && !unseen.includes(a.wallet)) unseen.push(a.wallet);
    const w = (wallets[a.wallet] ??= { base: new Big(0), quote: new Big(0) });
    if (a.asset === pair.base) w.base = w.base.plus(value);
    else w.quote = w.quote.plus(value);
  }
  let base = new Big(0);
  let quote = new Big(0);
  const out: Record<string, { base: string; quote: string }> = {};
  for (const [name, w] of Object.entries(wallets)) {
    out[name] = { base: w.base.toString(), quote: w.quote.toString() };
    if (pool.includes(name)) {
      base = base.plus(w.base);
      quote = quote.plus(w.quote);
    }
  }
  return { wallets: out, pool: { base: base.toString(), quote: quote.toString() }, unseenWallets: unseen };
}

/** The balance read the alignment compares ledger rows with (amount per asset-wallet). */
export function balanceRead(b: PoolBalances, pair: PairAssets, ts: number, latest = ts): BalanceRead {
  const amounts = new Map<string, string>();
  for (const [wallet, w] of Object.entries(b.wallets)) {
    amounts.set(walletKey(pair.base, wallet), w.base);
    amounts.set(walletKey(pair.quote, wallet), w.quote);
  }
  return { ts, latest, amounts };
}
