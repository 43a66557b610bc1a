import { normalizeAsset } from '../assets.js';

/**
 * Kraken's legacy four-letter codes (X… crypto, Z… fiat). Their earn and staking wallets drop the prefix:
 * XXDG → XDG.F, ZUSD → USD.F, XXBT → XBT.S. Newer assets keep their code: DOT → DOT.S.
 */
const LEGACY = new Set([
  'XXDG', 'XXBT', 'XETH', 'XLTC', 'XXRP', 'XXLM', 'XZEC', 'XXMR', 'XETC', 'XREP', 'XMLN',
  'ZUSD', 'ZEUR', 'ZGBP', 'ZCAD', 'ZJPY', 'ZAUD', 'ZCHF',
]);

export type SimWallet = 'F' | 'S' | 'M' | 'B';

/** The code of `spotCode`'s wallet `suffix`, as Balance and Ledgers spell it (ZUSD, F → USD.F). */
export function walletCode(spotCode: string, suffix: SimWallet): string {
  const code = spotCode.trim().toUpperCase();
  return `${LEGACY.has(code) ? code.slice(1) : code}.${suffix}`;
}

/** True when the code names a spot balance (no earn/staking suffix). */
export function isSpotCode(code: string): boolean {
  return normalizeAsset(code).wallet === 'spot';
}

/** The Assets `altname` of a code: the legacy prefix dropped (XXDG → XDG), suffixed codes as they are. */
export function altname(code: string): string {
  const upper = code.trim().toUpperCase();
  return LEGACY.has(upper) ? upper.slice(1) : upper;
}
