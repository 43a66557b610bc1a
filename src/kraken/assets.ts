/**
 * Kraken asset codes come in legacy (XXDG, ZUSD), short (XDG) and plain (DOGE, USD) forms, and earn/staking
 * wallets carry a suffix (DOGE.S, USD.F, ETH2.S). Everything inside the sidecar uses the plain code.
 */
const LEGACY_ALIASES: Readonly<Record<string, string>> = {
  XXDG: 'DOGE',
  XDG: 'DOGE',
  XXBT: 'BTC',
  XBT: 'BTC',
  XETH: 'ETH',
  XLTC: 'LTC',
  XXRP: 'XRP',
  XXLM: 'XLM',
  XZEC: 'ZEC',
  XXMR: 'XMR',
  XETC: 'ETC',
  XREP: 'REP',
  XMLN: 'MLN',
  ZUSD: 'USD',
  ZEUR: 'EUR',
  ZGBP: 'GBP',
  ZCAD: 'CAD',
  ZJPY: 'JPY',
  ZAUD: 'AUD',
  ZCHF: 'CHF',
};

/** Earn, staking, bonded, flexible, opt-in rewards, tokenized, parachain and hold wallets: not spot balances. */
export const WALLET_SUFFIXES = ['S', 'M', 'B', 'F', 'T', 'P', 'HOLD'] as const;
export type WalletSuffix = (typeof WALLET_SUFFIXES)[number];
/** Any other suffix is still a wallet (Kraken adds them): named as it comes, never read as part of the asset. */
const UNSEEN_SUFFIX = /^[A-Z]{1,6}$/;

export interface NormalizedAsset {
  /** Plain asset code, e.g. DOGE, USD. */
  readonly asset: string;
  /** `spot` for the trading wallet, otherwise the wallet suffix (one of WALLET_SUFFIXES or an unseen one). */
  readonly wallet: string;
}

export function normalizeAsset(code: string): NormalizedAsset {
  const trimmed = code.trim().toUpperCase();
  const dot = trimmed.lastIndexOf('.');
  if (dot > 0) {
    const suffix = trimmed.slice(dot + 1);
    if ((WALLET_SUFFIXES as readonly string[]).includes(suffix) || UNSEEN_SUFFIX.test(suffix)) {
      return { asset: plainCode(trimmed.slice(0, dot)), wallet: suffix };
    }
  }
  return { asset: plainCode(trimmed), wallet: 'spot' };
}

function plainCode(code: string): string {
  return LEGACY_ALIASES[code] ?? code;
}

/** True for a wallet suffix Kraken documents (anything else is counted and named as unseen). */
export function isKnownWallet(wallet: string): boolean {
  return wallet === 'spot' || (WALLET_SUFFIXES as readonly string[]).includes(wallet);
}
