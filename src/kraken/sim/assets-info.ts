import { normalizeAsset } from '../assets.js';
import { assetDecimals, formatAmount } from './amounts.js';
import { altname } from './wallet-codes.js';
import Big from 'big.js';

export const UNKNOWN_ASSET = 'EQuery:Unknown asset';

/** Public Assets entry of a code: Kraken's field names, decimals equal to the sim's wire decimals. */
export function assetEntry(code: string): Record<string, unknown> {
  const decimals = assetDecimals(code);
  const plain = normalizeAsset(code).asset;
  return {
    aclass: 'currency',
    altname: altname(code),
    decimals,
    display_decimals: decimals === 4 || plain === 'DOGE' ? 2 : 5,
    status: 'enabled',
  };
}

/**
 * The Assets result for the codes the sim knows, or only those named in `asset` (comma list of codes or
 * altnames, case-insensitive). A name the sim does not know → `EQuery:Unknown asset`.
 */
export function assetsResult(
  known: readonly string[],
  requested: string | undefined,
): { ok: true; result: Record<string, unknown> } | { ok: false; error: string } {
  let codes = known;
  if (requested !== undefined && requested.trim() !== '') {
    const byName = new Map<string, string>();
    for (const code of known) {
      byName.set(code.toUpperCase(), code);
      byName.set(altname(code), code);
    }
    const picked: string[] = [];
    for (const name of requested.split(',')) {
      const code = byName.get(name.trim().toUpperCase());
      if (code === undefined) return { ok: false, error: UNKNOWN_ASSET };
      if (!picked.includes(code)) picked.push(code);
    }
    codes = picked;
  }
  return { ok: true, result: Object.fromEntries(codes.map((c) => [c, assetEntry(c)])) };
}

/** BalanceEx: code → {balance, hold_trade, credit, credit_used}, decimal strings in the asset's decimals. */
export function extendedBalances(
  balances: Readonly<Record<string, string>>,
  holds: ReadonlyMap<string, Big>,
): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [code, balance] of Object.entries(balances)) {
    const zero = formatAmount(code, new Big(0));
    out[code] = {
      balance,
      hold_trade: formatAmount(code, holds.get(code) ?? new Big(0)),
      credit: zero,
      credit_used: zero,
    };
  }
  return out;
}
