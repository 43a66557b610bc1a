import Big from 'big.js';
import { normalizeAsset } from '../assets.js';

/** Fiat balances and ledger amounts come with 4 decimals on Kraken (ZUSD "100.0000"); crypto with 8. */
const FIAT = new Set(['USD', 'EUR', 'GBP', 'CAD', 'JPY', 'AUD', 'CHF']);

export function assetDecimals(code: string): number {
  return FIAT.has(normalizeAsset(code).asset) ? 4 : 8;
}

/** Round half-up to the asset's wire decimals: what the sim stores is exactly what it serves. */
export function quantize(code: string, value: Big): Big {
  return value.round(assetDecimals(code), Big.roundHalfUp);
}

export function formatAmount(code: string, value: Big): string {
  return value.toFixed(assetDecimals(code), Big.roundHalfUp);
}

/** Strict decimal parse: throws a TypeError naming `what` on anything that is not a finite decimal. */
export function parseDecimal(value: string | number, what: string): Big {
  const text = typeof value === 'number' ? String(value) : value.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) {
    throw new TypeError(`${what}: not a decimal: ${JSON.stringify(value)}`);
  }
  return new Big(text);
}

/** Unix seconds kept to 4 decimals, as Kraken's ledger `time` (1688464484.1787). */
export function roundTime(seconds: number): number {
  return Math.round(seconds * 10_000) / 10_000;
}
